"""The cultivation pool (培育库): every enterprise the portal knows, its growth tiers (梯次) year by year.

Imported at the end of enterprises/models.py (one app, one set of migrations). The rules are in
enterprises/domain/pool.py and enterprises/domain/tiers.py.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.models import Region


class PoolEntry(models.Model):
    """One enterprise in the pool: how and when it entered, its status, its latest tier (a copy).

    `region` is a copy of the enterprise's region (its nominating unit), kept by enterprises.domain.pool.refresh,
    so the pool list filters and sorts on one table with its indexes. `county` is the county where known
    (enterprises.domain.pool_county): the enterprise's region when that is a county, else the county of its
    latest county-prepared nomination; a county bureau sees the entries of its county.
    """

    class Via(models.TextChoices):
        REGISTRATION = "registration", _("Registration list")
        TAX = "tax", _("Tax data")
        NOMINATION = "nomination", _("Nomination")
        CONTRACT = "contract", _("Technology contract")
        TENANCY = "tenancy", _("Incubator tenancy")
        INVESTMENT = "investment", _("Investment")
        RECOGNITION = "recognition", _("Recognition list (高新 / 专精特新)")
        OFFICE = "office", _("Entered by the office")

    class Status(models.TextChoices):
        IN_POOL = "in_pool", _("In the pool")
        GRADUATED = "graduated", _("Graduated")
        DEREGISTERED = "deregistered", _("Left: deregistered (注销)")
        MOVED = "moved", _("Left: moved away (迁出)")
        REMOVED = "removed", _("Left: removed from the pool (撤销入库)")
        DISHONEST = "dishonest", _("Left: dishonest (失信)")

    enterprise = models.OneToOneField("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                      related_name="pool_entry")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(Region, verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    entered_on = models.DateField(_("entered the pool on"))
    entered_via = models.CharField(_("entered through"), max_length=14, choices=Via.choices)
    status = models.CharField(_("pool status"), max_length=14, choices=Status.choices, default=Status.IN_POOL)
    status_on = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    tier_year = models.PositiveSmallIntegerField(_("tier year"), null=True, blank=True)
    tier_rank = models.PositiveSmallIntegerField(_("tier rank"), default=0)
    tier_code = models.CharField(_("tier"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pool entry")
        verbose_name_plural = _("pool entries")
        indexes = [
            models.Index(fields=["region", "tier_code", "-id"], name="pool_region_tier_idx"),
            models.Index(fields=["tier_code", "-id"], name="pool_tier_idx"),
            models.Index(fields=["status", "-id"], name="pool_status_idx"),
            models.Index(fields=["county", "-id"], name="pool_county_idx"),
        ]

    def __str__(self):
        return str(self.enterprise_id)

    @property
    def has_left(self):
        return self.status not in (self.Status.IN_POOL, self.Status.GRADUATED)


class Recognition(models.Model):
    """A recognition that places an enterprise on a higher tier: 高新技术企业, 专精特新, 小巨人, listing."""

    class Kind(models.TextChoices):
        HIGH_TECH = "high_tech", _("High-tech enterprise (高新技术企业)")
        SPECIALISED = "specialised", _("Specialised and innovative (专精特新)")
        LITTLE_GIANT = "little_giant", _("Little giant (小巨人)")
        LISTED = "listed", _("Listed company")

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="recognitions")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    reference = models.CharField(_("certificate or list reference"), max_length=80, blank=True)
    batch = models.CharField(_("batch"), max_length=60, blank=True,
                             help_text=_("The list's batch, as 第一批 or 2024年第二批."))
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True,
                                     help_text=_("The certificate's date or the list's publication date."))
    evidence = models.CharField(_("evidence"), max_length=200, blank=True,
                                help_text=_("Where the portal learnt it: the imported list's file and row."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "kind"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind", "year"], name="one_recognition_per_kind_year")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"


class TierRule(models.Model):
    """One tier of one year, as data the office edits: its rank and what an enterprise needs to stand on it.

    An enterprise stands, in a year, on the highest-ranked tier all of whose conditions it meets.
    """

    class Needs(models.TextChoices):
        NOTHING = "", _("Nothing more")
        HIGH_TECH = "high_tech", _("High-tech enterprise (高新技术企业)")
        SPECIALISED = "specialised", _("Specialised and innovative (专精特新)")
        LITTLE_GIANT = "little_giant", _("Little giant (小巨人)")
        LISTED = "listed", _("Listed company")

    year = models.PositiveSmallIntegerField(_("year"))
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1)],
                                            help_text=_("1 is the first tier; higher is further grown."))
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("tier name"), max_length=60)
    needs_registration = models.BooleanField(_("needs the year's tech SME registration"), default=False)
    needs_sike = models.BooleanField(_("needs to meet the 四科 standard that year"), default=False)
    needs_recognition = models.CharField(_("needs the recognition"), max_length=14, choices=Needs.choices,
                                         blank=True, default="")
    revenue_min = models.DecimalField(_("sales revenue at least (yuan)"), max_digits=16, decimal_places=2, null=True,
                                      blank=True, validators=[MinValueValidator(Decimal("0"))])
    employees_min = models.PositiveIntegerField(_("employees at least"), null=True, blank=True)
    rd_percent_min = models.DecimalField(_("R&D intensity at least (%)"), max_digits=5, decimal_places=2, null=True,
                                         blank=True, validators=[MinValueValidator(Decimal("0"))])
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "rank"]
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="one_tier_code_per_year"),
            models.UniqueConstraint(fields=["year", "rank"], name="one_tier_rank_per_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"


class TierStanding(models.Model):
    """The tier an enterprise stood on in one year, with the evidence (reasons) it stood there on."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="tier_standings")
    year = models.PositiveSmallIntegerField(_("year"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    code = models.CharField(_("tier"), max_length=30)
    name = models.CharField(_("tier name"), max_length=60)
    reasons = models.JSONField(_("evidence"), default=list)
    evaluated_at = models.DateTimeField(_("evaluated"))

    class Meta:
        ordering = ["enterprise", "year"]
        verbose_name = _("tier standing")
        verbose_name_plural = _("tier standings")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="one_tier_standing_per_year")]
        indexes = [models.Index(fields=["year", "code"], name="tier_standing_year_code_idx")]

    def __str__(self):
        return f"{self.enterprise_id} {self.year} {self.code}"
