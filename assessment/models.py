"""The cities' assessment (赛马工程, 部门考核评价): bureau summaries, indicators, results, commendation.

Models hold fields, constraints and small properties only; every change of state is a function
in `assessment/domain/` (summaries.py, compute.py, results.py).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from pojian.domain.uploads import DOCX, PDF, SafeFileField
from pojian.models import Cycle, Nomination, NominationState, Region, User

NUMBER = {"max_digits": 20, "decimal_places": 4}
SCORE = {"max_digits": 9, "decimal_places": 2}


class BureauSummaryQuerySet(models.QuerySet):
    def with_was_returned(self):
        """Annotate `was_returned`: the summary has been returned at least once (so a submit is a resubmission)."""
        history = BureauSummary.history.model.objects.filter(id=OuterRef("pk"), state=NominationState.RETURNED)
        return self.annotate(was_returned=Exists(history))


class BureauSummary(Nomination):
    """A bureau's yearly account of its work for the programme (部门自荐 / 总结报告).

    It goes through the shared nomination life cycle (draft → submitted → returned →
    submitted again → accepted); a submission after a return is shown as "resubmitted".
    """

    work_done = models.TextField(_("work done for the programme"), blank=True)
    experience = models.TextField(_("experience worth spreading"), blank=True)
    problems = models.TextField(_("problems and suggestions"), blank=True)
    report = SafeFileField(
        _("summary report (PDF or Word)"), upload_to="assessment/summaries/%Y/", blank=True, kinds=(PDF, DOCX),
    )
    history = HistoricalRecords()

    objects = BureauSummaryQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__year", "region__sort_order"]
        verbose_name = _("bureau summary")
        verbose_name_plural = _("bureau summaries")
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="one_summary_per_region_year")]

    def __str__(self):
        return f"{self.region} · {self.cycle.year}"

    @property
    def nominee_name(self):
        return self.region.bureau_name

    @property
    def nominee_uscc(self):
        return ""

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("assessment:summary", args=[self.pk])

    @property
    def is_resubmission(self):
        """Submitted again after a return (uses the `was_returned` annotation when present)."""
        if self.state != NominationState.SUBMITTED:
            return False
        was_returned = getattr(self, "was_returned", None)
        if was_returned is None:
            was_returned = self.history.filter(state=NominationState.RETURNED).exists()
        return was_returned

    def get_display_state(self):
        if self.is_resubmission:
            return _("Resubmitted")
        return self.get_state_display()


class LocalPolicy(models.Model):
    """A local supporting policy (地方配套政策) reported in a bureau's summary."""

    summary = models.ForeignKey(BureauSummary, verbose_name=_("summary"), on_delete=models.CASCADE, related_name="policies")
    title = models.CharField(_("policy title"), max_length=200)
    number = models.CharField(_("document number"), max_length=80)
    issued_on = models.DateField(_("issued on"))
    link = models.URLField(_("link"), max_length=400, blank=True)
    file = SafeFileField(
        _("document (PDF or Word)"), upload_to="assessment/policies/%Y/", blank=True, kinds=(PDF, DOCX),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["issued_on", "pk"]
        verbose_name = _("local supporting policy")
        verbose_name_plural = _("local supporting policies")
        # Deferred: swapping two numbers in one save is a valid edit; save_summary checks at its end.
        constraints = [models.UniqueConstraint(fields=["summary", "number"], name="one_policy_per_number_per_summary",
                                               deferrable=models.Deferrable.DEFERRED)]

    def __str__(self):
        return f"{self.title}（{self.number}）"

    def clean(self):
        super().clean()
        if not self.link and not self.file:
            raise ValidationError(_("Give a link to the policy or upload the document."))


class Indicator(models.Model):
    """One assessment indicator (考核指标) of one year, defined by the office in the admin."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed by the portal")
        OFFICE = "office", _("Typed by the office")
        REVIEW = "review", _("Expert score of the summary")

    class Scoring(models.TextChoices):
        SCALED = "scaled", _("Scaled to the best region (value ÷ best × 100)")
        BANDS = "bands", _("Bands (threshold → points)")

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="indicators")
    code = models.SlugField(
        _("code"), max_length=40,
        help_text=_("Short identifier; the same code in two years lets a bureau compare this year with last year."),
    )
    name = models.CharField(pgettext_lazy("assessment", "name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=7, decimal_places=3, validators=[MinValueValidator(Decimal("0"))], default=Decimal("1")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    computation = models.CharField(_("computation"), max_length=40, blank=True, help_text=_("For computed indicators only."))
    scoring = models.CharField(_("scoring rule"), max_length=10, choices=Scoring.choices, default=Scoring.SCALED)
    bands = models.JSONField(
        _("bands"), default=list, blank=True,
        help_text=_("For band scoring: a value at or above a threshold earns its points (the highest band reached counts)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "order", "pk"]
        verbose_name = _("assessment indicator")
        verbose_name_plural = _("assessment indicators")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="one_indicator_code_per_year"),
            models.CheckConstraint(
                condition=Q(source="computed", computation__gt="") | (~Q(source="computed") & Q(computation="")),
                name="indicator_computation_iff_computed",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.cycle.year})"

    def clean(self):
        super().clean()
        from .domain.computations import COMPUTATIONS
        from .domain.scoring import parse_bands

        errors = {}
        if self.source == self.Source.COMPUTED:
            if self.computation not in COMPUTATIONS:
                errors["computation"] = _("Choose one of the portal's computations.")
        elif self.computation:
            errors["computation"] = _("Only computed indicators have a computation.")
        if self.scoring == self.Scoring.BANDS:
            try:
                self.bands = parse_bands(self.bands)
            except ValidationError as e:
                errors["bands"] = e.messages
            else:
                if not self.bands:
                    errors["bands"] = _("Band scoring needs at least one band.")
        if errors:
            raise ValidationError(errors)

    def get_computation_display(self):
        from .domain.computations import COMPUTATIONS

        entry = COMPUTATIONS.get(self.computation)
        return entry.label if entry else ""


class OfficeEntry(models.Model):
    """A value the office typed for a typed indicator and one region (e.g. the functional divisions' opinion)."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="entries")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), **NUMBER)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(User, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(pgettext_lazy("assessment", "entered"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "region__sort_order"]
        verbose_name = _("value typed by the office")
        verbose_name_plural = _("values typed by the office")
        constraints = [models.UniqueConstraint(fields=["indicator", "region"], name="one_office_entry_per_region")]

    def __str__(self):
        return f"{self.indicator.name} · {self.region}: {self.value}"


class Assessment(models.Model):
    """One year's assessment of the bureaus: when it was computed, on what data, and whether it is published."""

    cycle = models.OneToOneField(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="assessment")
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    computed_by = models.ForeignKey(
        User, verbose_name=_("computed for"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the data looked like when computed: when it no longer matches, the periodic task recomputes.
    data_signature = models.CharField(max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        User, verbose_name=_("published by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_note = models.TextField(_("note on the public page"), blank=True)
    # The year may assess the counties too, on the indicators that fit a county (assessment.domain.counties).
    assess_counties = models.BooleanField(_("assess the counties too"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return str(_("%(year)s assessment of the bureaus") % {"year": self.cycle.year})

    @property
    def is_published(self):
        return self.published_at is not None


class RegionResult(models.Model):
    """One region's place in one year's assessment: weighted total, rank and commendation (表彰)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("weighted total"), default=Decimal("0"), **SCORE)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    # How a tie on the total was settled: {"with": [region names], "by": indicator name or "", "shared": bool}.
    tie = models.JSONField(_("tie"), default=dict, blank=True)
    commended = models.BooleanField(_("commended"), default=False)
    commendation_reason = models.TextField(_("reason for the commendation"), blank=True)
    commended_by = models.ForeignKey(
        User, verbose_name=_("commended by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commended_at = models.DateTimeField(_("commended on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "rank", "region__sort_order"]
        verbose_name = _("region result")
        verbose_name_plural = _("region results")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "region"], name="one_result_per_region"),
            models.CheckConstraint(condition=Q(commended=False) | ~Q(commendation_reason=""), name="commendation_has_reason"),
        ]

    def __str__(self):
        return f"{self.region} · {self.assessment.cycle.year}: {self.total}"


class IndicatorResult(models.Model):
    """One region's figure for one indicator: raw value, score, weighted part, and what was counted."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="indicator_results")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="results")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("raw value"), null=True, blank=True, **NUMBER)
    score = models.DecimalField(_("score"), default=Decimal("0"), **SCORE)
    weighted = models.DecimalField(_("weighted"), default=Decimal("0"), **SCORE)
    # Why there is no value ("unavailable": the source is not in the portal yet; "missing": nothing
    # entered or scored) and the facts behind it (e.g. the review round and number of reviews).
    note = models.CharField(_("note"), max_length=20, blank=True)
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    # The underlying list: [{"name": ..., "code": ..., "detail": ...}], what was counted.
    items = models.JSONField(_("what was counted"), default=list, blank=True)

    class Meta:
        ordering = ["indicator__order", "indicator_id", "region__sort_order"]
        verbose_name = _("indicator result")
        verbose_name_plural = _("indicator results")
        constraints = [models.UniqueConstraint(fields=["indicator", "region"], name="one_result_per_indicator_region")]
        indexes = [models.Index(fields=["assessment", "region"])]

    def __str__(self):
        return f"{self.indicator.name} · {self.region}: {self.value}"


class CountyResult(models.Model):
    """One county's place in a year's county assessment: weighted total, rank among all counties and
    within its city, and its figure on each indicator that fits a county (assessment.domain.counties).

    `figures`: [{"indicator": id, "code", "name", "value", "score", "weighted", "note", "items": [...]}].
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="county_results")
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("weighted total"), default=Decimal("0"), **SCORE)
    rank = models.PositiveSmallIntegerField(_("rank among the counties"), null=True, blank=True)
    city_rank = models.PositiveSmallIntegerField(_("rank within its city"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=list, blank=True)

    class Meta:
        ordering = ["assessment", "rank", "county__code"]
        verbose_name = _("county result")
        verbose_name_plural = _("county results")
        constraints = [models.UniqueConstraint(fields=["assessment", "county"], name="one_result_per_county")]

    def __str__(self):
        return f"{self.county} · {self.assessment.cycle.year}: {self.total}"
