"""研发投入后补助: the year's rule (data, copied from year to year), its candidates and the 失信 list.

Imported by funding/models.py so Django finds the models; the rules themselves live in
funding/domain/rd_subsidy.py.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.models import Cycle, Region, User
from reviews.models import OnlineObjection

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 6, "decimal_places": 2}


def default_bands():
    # Marginal bands on the base: [upper bound in yuan or None, rate], ascending.
    return [["5000000", "0.10"], ["20000000", "0.05"], [None, "0.02"]]


class RdSubsidyRule(models.Model):
    """One programme year's rule for the R&D post-subsidy."""

    class Base(models.TextChoices):
        EXPENSE = "expense", _("R&D expense")
        INCREASE = "increase", _("Increase of R&D expense over the previous fiscal year")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPUTED = "computed", _("Candidates computed")
        VERIFICATION = "verification", _("In verification by the bureaus")
        DECIDED = "decided", _("Decided by the office")
        GRANTED = "granted", _("Grants proposed")

    cycle = models.OneToOneField(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT,
                                 related_name="rd_rule")
    figures_year = models.PositiveSmallIntegerField(_("figures year"))
    require_registration = models.BooleanField(_("registered tech SME for the year required"), default=True)
    min_expense = models.DecimalField(_("minimum R&D expense (yuan, strictly above)"), default=Decimal("0"),
                                      validators=[MinValueValidator(Decimal("0"))], **MONEY)
    min_intensity = models.DecimalField(_("minimum R&D intensity (%, at or above)"), default=Decimal("3"),
                                        validators=[MinValueValidator(Decimal("0"))], **PERCENT)
    require_growth = models.BooleanField(_("growth over the previous fiscal year required"), default=False)
    base = models.CharField(_("base of the subsidy"), max_length=10, choices=Base.choices, default=Base.EXPENSE)
    bands = models.JSONField(_("bands"), default=default_bands,
                             help_text=_("Marginal bands on the base: [[upper bound in yuan or null, rate], …]."))
    cap = models.DecimalField(_("cap per enterprise (yuan)"), null=True, blank=True,
                              validators=[MinValueValidator(Decimal("0"))], **MONEY)
    unit = models.DecimalField(_("unit (yuan)"), default=Decimal("100"),
                               validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    verification_days = models.PositiveSmallIntegerField(_("working days for the bureaus' verification"), default=10)
    verification_opens = models.DateField(_("verification opens"), null=True, blank=True)
    verification_due = models.DateField(_("verification deadline"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("working days of the public notice"), default=5)
    notice_starts = models.DateField(_("public notice starts"), null=True, blank=True)
    notice_ends = models.DateField(_("public notice ends"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    budget_total = models.DecimalField(_("budget used for scaling (yuan)"), null=True, blank=True, **MONEY)
    scaled = models.BooleanField(_("scaled to the budget"), default=False)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    computed_rule = models.JSONField(_("rule the candidates were computed with"), default=dict, blank=True,
                                     editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year"]
        verbose_name = _("R&D post-subsidy rule")
        verbose_name_plural = _("R&D post-subsidy rules")

    def __str__(self):
        return f"{self.cycle.year} {self._meta.verbose_name}"

    def snapshot(self):
        return {
            "figures_year": self.figures_year, "require_registration": self.require_registration,
            "min_expense": str(self.min_expense), "min_intensity": str(self.min_intensity),
            "require_growth": self.require_growth, "base": self.base, "bands": self.bands,
            "cap": None if self.cap is None else str(self.cap), "unit": str(self.unit),
        }


class RdCandidate(models.Model):
    """One enterprise with tax figures, as the year's rule sees it; `explanation` holds each step."""

    class Verification(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        CONFIRMED = "confirmed", _("Confirmed by the bureau")
        DISPUTED = "disputed", _("Disputed by the bureau")

    class Decision(models.TextChoices):
        NONE = "", _("Not decided")
        KEPT = "kept", _("Kept by the office")
        EXCLUDED = "excluded", _("Excluded by the office")

    # The computation writes 200,000 rows in one statement, joined from the rule, the enterprises and
    # their regions in that very statement: the database's per-row foreign-key checks (deferred to the
    # commit, one lookup and row lock per row and key) would cost more than the computation. Django's
    # CASCADE / PROTECT still guard deletions; the indexes the lookups need are the unique
    # (rule, enterprise) and (rule, qualified, region) ones and enterprise's own.
    rule = models.ForeignKey(RdSubsidyRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="candidates",
                             db_constraint=False, db_index=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="rd_candidates", db_constraint=False)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    expense = models.DecimalField(_("R&D expense (yuan)"), null=True, **MONEY)
    previous_expense = models.DecimalField(_("R&D expense of the previous year (yuan)"), null=True, **MONEY)
    revenue = models.DecimalField(_("sales revenue (yuan)"), null=True, **MONEY)
    qualified = models.BooleanField(_("qualifies"))
    failed = models.JSONField(_("conditions not met"), default=list)
    base_amount = models.DecimalField(_("base (yuan)"), default=Decimal("0"), **MONEY)
    banded = models.DecimalField(_("by the bands (yuan)"), default=Decimal("0"), **MONEY)
    computed = models.DecimalField(_("computed amount (yuan)"), default=Decimal("0"), **MONEY)
    band_index = models.PositiveSmallIntegerField(_("highest band reached"), null=True)
    explanation = models.JSONField(_("explanation"), default=list)
    verification = models.CharField(_("verification"), max_length=10, choices=Verification.choices,
                                    default=Verification.PENDING)
    verification_reason = models.TextField(_("reason given by the bureau"), blank=True)
    verified_by = models.ForeignKey(User, verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", db_index=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    decision = models.CharField(_("office decision"), max_length=10, choices=Decision.choices, default="", blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    adjusted_amount = models.DecimalField(_("adjusted amount (yuan)"), null=True, blank=True,
                                          validators=[MinValueValidator(Decimal("0"))], **MONEY)
    adjust_reason = models.TextField(_("reason for the adjustment"), blank=True)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    grant = models.OneToOneField("funding.Grant", verbose_name=_("grant"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="rd_candidate")
    version = models.PositiveIntegerField(default=1, editable=False)
    # Who verified, decided or adjusted, and why (the computation itself is COPY-written, not historied).
    history = HistoricalRecords(excluded_fields=["explanation", "failed"])

    class Meta:
        ordering = ["region__sort_order", "enterprise__name", "pk"]
        verbose_name = _("R&D post-subsidy candidate")
        verbose_name_plural = _("R&D post-subsidy candidates")
        constraints = [models.UniqueConstraint(fields=["rule", "enterprise"], name="one_rd_candidate_per_rule")]
        indexes = [models.Index(fields=["rule", "qualified", "region"])]

    def __str__(self):
        return f"{self.rule.cycle.year} · {self.enterprise}"

    @property
    def amount(self):
        """What the enterprise gets: nothing when excluded, the office's adjustment when there is one."""
        if not self.qualified or self.decision == self.Decision.EXCLUDED:
            return Decimal("0")
        return self.adjusted_amount if self.adjusted_amount is not None else self.computed


class RdExclusion(models.Model):
    """An enterprise excluded for bad credit (失信) in a programme year, as imported by the office."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.CASCADE,
                              related_name="rd_exclusions")
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("enterprise name"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    imported_by = models.ForeignKey(User, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("exclusion for bad credit")
        verbose_name_plural = _("exclusions for bad credit")
        constraints = [models.UniqueConstraint(fields=["cycle", "uscc"], name="one_rd_exclusion_per_year"),
                       models.CheckConstraint(condition=~Q(uscc=""), name="rd_exclusion_has_uscc")]

    def __str__(self):
        return f"{self.uscc} {self.name}"


class RdObjection(OnlineObjection):
    """An objection (异议) to a name on the R&D post-subsidy 公示, submitted by anyone during the period.

    The contact checks, the per-address limit and the outcomes are those of every post-subsidy 公示
    (reviews.OnlineObjection, reviews.domain.notices); the office decides each with a reason, and an
    upheld objection takes the enterprise off the list."""

    rule = models.ForeignKey(RdSubsidyRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="objections")
    candidate = models.ForeignKey(RdCandidate, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                  related_name="objections")
    history = HistoricalRecords()

    class Meta(OnlineObjection.Meta):
        verbose_name = _("objection to the R&D post-subsidy list")
        verbose_name_plural = _("objections to the R&D post-subsidy list")

    @property
    def entry(self):
        return self.candidate
