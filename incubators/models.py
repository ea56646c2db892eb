"""Incubators and maker spaces (孵化器 / 众创空间), their yearly performance, nominations and post-subsidies."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.domain.uploads import PDF, SafeFileField
from pojian.models import Nomination, Region
from pojian.validators import validate_uscc

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Incubator(models.Model):
    """A technology business incubator or a maker space, identified by its USCC."""

    class Kind(models.TextChoices):
        INCUBATOR = "incubator", _("Technology business incubator")
        MAKER_SPACE = "maker_space", _("Maker space")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        CITY = "city", _("City")
        NONE = "none", _("Not rated")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="incubators")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INCUBATOR)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.NONE)
    level_year = models.PositiveSmallIntegerField(
        _("year of the level certificate"), null=True, blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    operator = models.CharField(_("operating organisation"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("incubator")
        verbose_name_plural = _("incubators")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="none") | Q(level_year__isnull=False), name="incubator_level_has_year"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = (self.uscc or "").strip().upper()
        super().save(*args, **kwargs)


class Tenancy(models.Model):
    """An enterprise of the portal hosted by an incubator (在孵企业), from `entered` until `graduated`."""

    incubator = models.ForeignKey(Incubator, verbose_name=_("incubator"), on_delete=models.CASCADE, related_name="tenancies")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="tenancies"
    )
    entered = models.DateField(_("entered"))
    graduated = models.DateField(_("graduated"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["incubator", "entered"]
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        constraints = [
            models.UniqueConstraint(fields=["incubator", "enterprise", "entered"], name="one_tenancy_per_entry"),
            models.CheckConstraint(
                condition=Q(graduated__isnull=True) | Q(graduated__gte=F("entered")), name="tenancy_graduated_after_entry"
            ),
        ]
        indexes = [models.Index(fields=["incubator", "entered"])]

    def __str__(self):
        return f"{self.enterprise} @ {self.incubator}"


class FigureSource(models.TextChoices):
    """Where a typed figure comes from (what the portal cannot count, it keeps with its source)."""

    DECLARED = "declared", _("Declared by the bureau")
    TORCH = "torch", _("Torch Centre statistics")
    AUDIT = "audit", _("Audit report")
    OPERATOR = "operator", _("Incubator's own records")


def _source_field():
    return models.CharField(_("source"), max_length=10, choices=FigureSource.choices, default=FigureSource.DECLARED)


class IncubatorYear(models.Model):
    """One incubator's performance in one year.

    Tenants in the portal are linked (Tenancy) and counted, with their 入库 registrations and
    their selections in this programme (incubators.domain.figures). What the portal cannot
    count is typed here, each figure with its source.
    """

    TYPED = ("other_tenants", "other_graduated", "investment_raised", "mentors", "space_m2")

    incubator = models.ForeignKey(Incubator, verbose_name=_("incubator"), on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    other_tenants = models.PositiveIntegerField(_("tenants not in the portal"), default=0)
    other_tenants_source = _source_field()
    other_graduated = models.PositiveIntegerField(_("graduated tenants not in the portal"), default=0)
    other_graduated_source = _source_field()
    investment_raised = models.DecimalField(_("investment raised by tenants (yuan)"), null=True, blank=True, **MONEY)
    investment_raised_source = _source_field()
    mentors = models.PositiveIntegerField(_("mentors"), null=True, blank=True)
    mentors_source = _source_field()
    space_m2 = models.DecimalField(
        _("incubation space (m²)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    space_m2_source = _source_field()
    services = models.TextField(_("services offered"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("incubator's yearly performance")
        verbose_name_plural = _("incubators' yearly performance")
        constraints = [models.UniqueConstraint(fields=["incubator", "year"], name="one_incubator_year")]

    def __str__(self):
        return f"{self.incubator} {self.year}"


class IncubatorNomination(Nomination):
    """A bureau's nomination of one incubator or maker space for one year (平台推荐)."""

    incubator = models.ForeignKey(Incubator, verbose_name=_("incubator"), on_delete=models.PROTECT, related_name="nominations")
    results = models.TextField(_("results in cultivating tech SMEs"))
    letter = SafeFileField(
        _("stamped recommendation letter (PDF)"), upload_to="letters/incubators/%Y/", blank=True, kinds=(PDF,),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("incubator nomination")
        verbose_name_plural = _("incubator nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "incubator"], condition=~Q(state="withdrawn"), name="one_live_nomination_per_incubator_year"
            )
        ]
        indexes = [models.Index(fields=["cycle", "state"]), models.Index(fields=["cycle", "region"])]

    def __str__(self):
        return f"{self.incubator} · {self.cycle.year}"

    def get_absolute_url(self):
        return reverse("incubators:nomination_detail", args=[self.pk])

    @property
    def nominee_name(self):
        return self.incubator.name

    @property
    def nominee_uscc(self):
        return self.incubator.uscc


class PostSubsidy(models.Model):
    """An incubator on the year's post-subsidy list (后补助名单), with the amount; support can roll over years."""

    incubator = models.ForeignKey(Incubator, verbose_name=_("incubator"), on_delete=models.PROTECT, related_name="post_subsidies")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    nomination = models.ForeignKey(
        IncubatorNomination, verbose_name=_("on the basis of"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="post_subsidies",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    notes = models.TextField(_("reason / notes"), blank=True)
    # From the year's rule (incubators.domain.subsidy_rule): the round's rank and score, the amount the
    # rule gave; a manual marking over a rule-made list is an override with its reason.
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    score = models.DecimalField(_("aggregate score"), max_digits=7, decimal_places=3, null=True, blank=True)
    computed_amount = models.DecimalField(_("amount by the rule (yuan)"), max_digits=14, decimal_places=2, null=True,
                                          blank=True)
    override_reason = models.TextField(_("reason for overriding the rule"), blank=True)
    grant = models.OneToOneField("funding.Grant", verbose_name=_("grant"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="incubator_post_subsidy")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "incubator__region", "incubator__name"]
        verbose_name = _("post-subsidy")
        verbose_name_plural = _("post-subsidies")
        constraints = [
            models.UniqueConstraint(fields=["incubator", "year"], name="one_post_subsidy_per_incubator_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="post_subsidy_amount_positive"),
        ]
        indexes = [models.Index(fields=["year"])]

    def __str__(self):
        return f"{self.incubator} {self.year}"


class PostSubsidyPublication(models.Model):
    """The office has published the year's post-subsidy list: only then is it on the public page."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("published post-subsidy list")
        verbose_name_plural = _("published post-subsidy lists")

    def __str__(self):
        return str(self.year)


class SubsidyRule(models.Model):
    """The year's rule for incubator post-subsidies: amounts by bands of rank or of score, a cap,
    a unit, scaled to the line's budget; copied from year to year (incubators.domain.subsidy_rule)."""

    class By(models.TextChoices):
        RANK = "rank", _("Rank")
        SCORE = "score", _("Aggregate score")

    cycle = models.OneToOneField("pojian.Cycle", verbose_name=_("programme year"), on_delete=models.PROTECT,
                                 related_name="incubator_subsidy_rule")
    by = models.CharField(_("amounts by"), max_length=5, choices=By.choices, default=By.RANK)
    bands = models.JSONField(
        _("bands"), default=list,
        help_text=_("By rank: [[last rank of the band or null, amount in yuan], …] ascending; by score: "
                    "[[lowest score of the band, amount in yuan], …] descending."))
    cap = models.DecimalField(_("cap per incubator (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
                              validators=[MinValueValidator(Decimal("0"))])
    unit = models.DecimalField(_("unit (yuan)"), max_digits=14, decimal_places=2, default=Decimal("100"),
                               validators=[MinValueValidator(Decimal("0.01"))])
    applied_at = models.DateTimeField(_("list made from the review round"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year"]
        verbose_name = _("incubator post-subsidy rule")
        verbose_name_plural = _("incubator post-subsidy rules")

    def __str__(self):
        return f"{self.cycle.year} {self._meta.verbose_name}"
