"""Finance institutions (金融投资服务机构), their investments and nominations, the cooperation list
(合作名单), the partner digest (信息联动) and roadshows (路演)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.domain.uploads import PDF, SafeFileField
from pojian.models import Cycle, Nomination, Region
from pojian.validators import validate_uscc

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class FinanceInstitution(models.Model):
    """An investor or finance service provider, identified by its 统一社会信用代码."""

    class Kind(models.TextChoices):
        ANGEL = "angel", _("Angel investor")
        VC = "vc", _("Venture capital")
        PE = "pe", _("Private equity")
        BANK = "bank", _("Bank")
        GUARANTEE = "guarantee", _("Guarantee company")
        OTHER = "other", _("Other")

    name = models.CharField(_("institution name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="finance_institutions")
    registered_capital = models.DecimalField(_("registered capital (yuan)"), null=True, blank=True, **MONEY)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The partner accounts that act for this institution (role "partner"); the user model is shared.
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("partner accounts"), blank=True, related_name="finance_institutions",
        limit_choices_to={"role": "partner"},
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("finance institution")
        verbose_name_plural = _("finance institutions")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = (self.uscc or "").strip().upper()
        super().save(*args, **kwargs)


class FinanceSettings(models.Model):
    """What the office sets for this app (one row): the 投早投小 thresholds."""

    early_age_years = models.PositiveSmallIntegerField(
        _("early: enterprise younger than (years)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    small_revenue_limit = models.DecimalField(
        _("small: sales revenue below (yuan)"), default=Decimal("20000000.00"), **MONEY
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Investment(models.Model):
    """One investment (or loan) by an institution in an enterprise."""

    class Round(models.TextChoices):
        SEED = "seed", _("Seed")
        ANGEL = "angel", _("Angel round")
        A = "a", _("Series A")
        B = "b", _("Series B")
        LATER = "later", _("Later rounds")
        LOAN = "loan", _("Loan")

    institution = models.ForeignKey(
        FinanceInstitution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="investments"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="investments"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    round = models.CharField(_("round"), max_length=10, choices=Round.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # 投早投小, decided when the investment is recorded (finance.domain.investments.classify) and kept
    # with what it was decided on, so the basis survives later changes of the enterprise or the limits.
    early_or_small = models.BooleanField(_("early or small (投早投小)"), default=False, editable=False)
    basis = models.JSONField(_("basis"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        constraints = [
            models.UniqueConstraint(fields=["institution", "enterprise", "date", "round"], name="one_investment_per_round_and_day"),
        ]
        indexes = [models.Index(fields=["institution", "date"])]

    def __str__(self):
        return f"{self.institution} → {self.enterprise} ({self.date})"

    @property
    def reason(self):
        """Why it counts (or not) as 投早投小, in the reader's language."""
        from .domain.investments import describe_basis

        return describe_basis(self.basis)


class FinanceNomination(Nomination):
    """A bureau's nomination of a finance institution for a year, for its investments in the region's tech SMEs."""

    institution = models.ForeignKey(
        FinanceInstitution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="nominations"
    )
    summary = models.TextField(_("investments in the region's tech SMEs (summary)"))
    letter = SafeFileField(
        _("stamped recommendation letter (PDF)"), upload_to="letters/finance/%Y/", blank=True, kinds=(PDF,),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("finance institution nomination")
        verbose_name_plural = _("finance institution nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "institution"], condition=~Q(state="withdrawn"), name="one_live_nomination_per_institution_year"
            )
        ]
        indexes = [models.Index(fields=["cycle", "state"]), models.Index(fields=["cycle", "region"])]

    def __str__(self):
        return f"{self.institution} · {self.cycle.year}"

    def get_absolute_url(self):
        return reverse("finance:nomination_detail", args=[self.pk])

    @property
    def nominee_name(self):
        return self.institution.name

    @property
    def nominee_uscc(self):
        return self.institution.uscc


class Partnership(models.Model):
    """The cooperation list (合作名单): one row per institution and year."""

    institution = models.ForeignKey(
        FinanceInstitution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="partnerships"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    # Put on the list by the confirmed finance review round (its rank), or by hand (null).
    rank = models.PositiveIntegerField(_("rank in the review round"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "institution__name"]
        verbose_name = _("cooperation-list entry")
        verbose_name_plural = _("cooperation list")
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="one_partnership_per_year")]

    def __str__(self):
        return f"{self.institution} · {self.year}"


class DigestSettings(models.Model):
    """What the office shares with partners (one row): the fields, the filters and the schedule."""

    class Frequency(models.TextChoices):
        OFF = "off", _("Not scheduled")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 0, _("Sunday")

    fields = models.JSONField(_("shared fields"), default=list, blank=True)
    regions = models.ManyToManyField(Region, verbose_name=_("only these regions"), blank=True, related_name="+")
    industries = models.JSONField(_("only these industries"), default=list, blank=True)
    frequency = models.CharField(_("schedule"), max_length=10, choices=Frequency.choices, default=Frequency.OFF)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    hour = models.PositiveSmallIntegerField(_("hour"), default=8, validators=[MaxValueValidator(23)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("digest settings")
        verbose_name_plural = _("digest settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls):
        from .domain.digests import DEFAULT_FIELDS

        obj, _created = cls.objects.get_or_create(pk=1, defaults={"fields": list(DEFAULT_FIELDS)})
        return obj


class Digest(models.Model):
    """What one partner institution received on one date: a snapshot, not a live query."""

    institution = models.ForeignKey(
        FinanceInstitution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="digests"
    )
    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    fields = models.JSONField(_("shared fields"), default=list)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.JSONField(_("enterprises"), default=list)
    prepared_at = models.DateTimeField(_("prepared"), auto_now=True)

    class Meta:
        ordering = ["-date", "institution__name"]
        verbose_name = _("partner digest")
        verbose_name_plural = _("partner digests")
        constraints = [models.UniqueConstraint(fields=["institution", "date"], name="one_digest_per_institution_and_day")]

    def __str__(self):
        return f"{self.institution} · {self.date}"

    def get_absolute_url(self):
        return reverse("finance:digest_detail", args=[self.pk])

    @property
    def figures_year(self):
        """The fiscal year of the rows' figures (kept with the filters), None for older digests."""
        return (self.filters or {}).get("figures_year")

    @property
    def entry_count(self):
        return len(self.rows)


class Roadshow(models.Model):
    """A pitch event (路演): enterprises present, the partners' people judge."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("judges"), blank=True, related_name="judged_roadshows",
        limit_choices_to={"role": "partner"},
    )
    scoring_open = models.BooleanField(_("scoring open"), default=True)
    scoring_closes = models.DateTimeField(_("scoring deadline"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("roadshow")
        verbose_name_plural = _("roadshows")

    def __str__(self):
        return f"{self.title} ({self.date})"

    def get_absolute_url(self):
        return reverse("finance:roadshow_detail", args=[self.pk])


class Presentation(models.Model):
    """One enterprise presenting at a roadshow."""

    roadshow = models.ForeignKey(Roadshow, verbose_name=_("roadshow"), on_delete=models.CASCADE, related_name="presentations")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="presentations"
    )
    project = models.CharField(_("project"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    business_plan = SafeFileField(_("business plan (PDF)"), upload_to="roadshows/%Y/", blank=True, kinds=(PDF,))
    financing_need = models.DecimalField(_("financing need (yuan)"), null=True, blank=True, **MONEY)
    financing_use = models.TextField(_("use of the financing"), blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        constraints = [models.UniqueConstraint(fields=["roadshow", "enterprise"], name="one_presentation_per_enterprise")]

    def __str__(self):
        return f"{self.enterprise} @ {self.roadshow.title}"


class RoadshowCriterion(models.Model):
    """A weighted criterion of a roadshow's score sheet (like a review round's 评分表)."""

    roadshow = models.ForeignKey(Roadshow, verbose_name=_("roadshow"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    guidance = models.TextField(_("guidance"), blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=7, decimal_places=2,
                                    validators=[MinValueValidator(Decimal("0.01"))])
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("roadshow criterion")
        verbose_name_plural = _("roadshow criteria")
        constraints = [models.UniqueConstraint(fields=["roadshow", "name"], name="unique_roadshow_criterion")]

    def __str__(self):
        return self.name


class RoadshowScore(models.Model):
    """One judge's score (0–100) of one presentation, with a comment; with a score sheet, the
    weighted criteria's total as a percentage of the sheet's maximum."""

    presentation = models.ForeignKey(Presentation, verbose_name=_("presentation"), on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    comment = models.TextField(_("comment"), blank=True)
    percent = models.DecimalField(_("weighted score (percent of the maximum)"), max_digits=9, decimal_places=4, null=True, blank=True)
    scored_at = models.DateTimeField(_("scored"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["presentation", "judge"]
        verbose_name = _("roadshow score")
        verbose_name_plural = _("roadshow scores")
        constraints = [
            models.UniqueConstraint(fields=["presentation", "judge"], name="one_score_per_judge"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="score_0_to_100"),
        ]

    def __str__(self):
        return f"{self.presentation}: {self.score}"


class RoadshowCriterionScore(models.Model):
    """A judge's value for one criterion of a roadshow's score sheet."""

    score = models.ForeignKey(RoadshowScore, on_delete=models.CASCADE, related_name="values")
    criterion = models.ForeignKey(RoadshowCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("score"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["score", "criterion"], name="one_value_per_roadshow_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class FinanceYear(models.Model):
    """The finance side of a programme year: how many institutions the cooperation list takes (quota)."""

    cycle = models.OneToOneField("pojian.Cycle", verbose_name=_("programme year"), on_delete=models.PROTECT,
                                 related_name="finance_year")
    partner_quota = models.PositiveSmallIntegerField(_("cooperation list quota"), default=10)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year"]
        verbose_name = _("finance year")
        verbose_name_plural = _("finance years")

    def __str__(self):
        return f"{self.cycle.year} · {self.partner_quota}"
