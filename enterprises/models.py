"""Enterprises, their registration (入库), yearly figures, results, and their nominations."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.domain.uploads import PDF, SafeFileField
from pojian.models import Nomination, Region, User
from pojian.validators import validate_uscc

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Industry(models.TextChoices):
    """Broad fields, shared by enterprises and the experts' fields of expertise."""

    ELECTRONICS = "electronics", _("Electronic information")
    SOFTWARE = "software", _("Software and IT services")
    BIOMEDICINE = "biomedicine", _("Biomedicine")
    NEW_MATERIALS = "materials", _("New materials")
    ADVANCED_MANUFACTURING = "manufacturing", _("Advanced manufacturing and automation")
    AUTOMOTIVE = "automotive", _("Automotive and parts")
    NEW_ENERGY = "energy", _("New energy and energy saving")
    ENVIRONMENT = "environment", _("Resources and environment")
    AGRICULTURE = "agriculture", _("Modern agriculture")
    AEROSPACE = "aerospace", _("Aerospace and optoelectronics")
    TECH_SERVICES = "services", _("High-tech services")
    OTHER = "other", _("Other")


class Enterprise(models.Model):
    """A 科技型中小微企业, identified by its 统一社会信用代码."""

    name = models.CharField(_("enterprise name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="enterprises")
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, default=Industry.OTHER)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    is_high_tech = models.BooleanField(_("high-tech enterprise"), default=False)
    high_tech_cert_no = models.CharField(_("high-tech certificate number"), max_length=50, blank=True)
    high_tech_cert_expires = models.DateField(_("high-tech certificate expires"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = (self.uscc or "").strip().upper()
        super().save(*args, **kwargs)


class ValidRegistrations(models.Manager):
    """`Registration.objects`: the registrations that count — a revoked one (撤销) does not."""

    def get_queryset(self):
        return super().get_queryset().exclude(status=Registration.Status.REVOKED)


class Registration(models.Model):
    """National 科技型中小企业 registration (入库); a number is valid for its year only.

    `number` is what the bureau typed (or, when the bureau typed none, the list's number);
    `listed_number`, `status` and `status_on` come from the province's list of the national
    evaluation platform (enterprises.domain.import_registrations), which is authoritative: a typed
    number that disagrees is flagged, a revoked registration no longer counts.

    `Registration.objects` leaves out revoked registrations, so every count of 入库 (the 四科
    check among them) honours a revocation; `Registration.all_objects` (the default manager, used
    by related lookups and the admin) has them all.
    """

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        REVOKED = "revoked", _("Revoked")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="registrations")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.CharField(_("registration number"), max_length=40)
    status = models.CharField(_("registration status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    status_on = models.DateField(_("status date"), null=True, blank=True)
    listed_number = models.CharField(_("number on the province's list"), max_length=40, blank=True)
    listed_at = models.DateTimeField(_("list imported"), null=True, blank=True)
    history = HistoricalRecords()

    all_objects = models.Manager()
    objects = ValidRegistrations()

    class Meta:
        ordering = ["-year"]
        default_manager_name = "all_objects"
        base_manager_name = "all_objects"
        verbose_name = _("tech SME registration")
        verbose_name_plural = _("tech SME registrations")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="one_registration_per_year")]

    def __str__(self):
        return f"{self.number} ({self.year})"

    @property
    def is_revoked(self):
        return self.status == self.Status.REVOKED

    @property
    def number_disagrees(self):
        """The typed number differs from the one on the province's list."""
        return bool(self.listed_number) and self.number.strip().upper() != self.listed_number.strip().upper()


class FigureSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the bureau")
    TAX = "tax", _("Tax data")


class EnterpriseYear(models.Model):
    """One enterprise's figures for one year.

    Declared figures are what the bureau typed; `*_tax` are the tax departments' figures and win
    where present (DESIGN.md). The declared values are kept so the difference can be shown.
    S&T staff have no tax figure.
    """

    TAXED = ("revenue", "rd_expense", "total_assets", "employees")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    revenue = models.DecimalField(_("sales revenue (yuan)"), null=True, blank=True, **MONEY)
    rd_expense = models.DecimalField(_("R&D expense (yuan)"), null=True, blank=True, **MONEY)
    total_assets = models.DecimalField(_("total assets (yuan)"), null=True, blank=True, **MONEY)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    tech_staff = models.PositiveIntegerField(_("S&T staff"), null=True, blank=True)
    revenue_tax = models.DecimalField(_("sales revenue, tax data"), null=True, blank=True, **MONEY)
    rd_expense_tax = models.DecimalField(_("R&D expense, tax data"), null=True, blank=True, **MONEY)
    total_assets_tax = models.DecimalField(_("total assets, tax data"), null=True, blank=True, **MONEY)
    employees_tax = models.PositiveIntegerField(_("employees, tax data"), null=True, blank=True)
    tax_imported_at = models.DateTimeField(_("tax data imported"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="one_figure_set_per_year")]
        indexes = [models.Index(fields=["year"])]

    def __str__(self):
        return f"{self.enterprise} {self.year}"

    def effective(self, field):
        """(value, source) of a figure: the tax figure when there is one, else the declared one."""
        if field in self.TAXED:
            tax = getattr(self, f"{field}_tax")
            if tax is not None:
                return tax, FigureSource.TAX
        return getattr(self, field), FigureSource.DECLARED

    def differences(self):
        """[(field, declared, tax)] where the tax figure differs from what was declared."""
        return [
            (f, getattr(self, f), getattr(self, f"{f}_tax"))
            for f in self.TAXED
            if getattr(self, f"{f}_tax") is not None and getattr(self, f) != getattr(self, f"{f}_tax")
        ]


class IPItem(models.Model):
    """An item of intellectual property; the high-value ones count towards the 四科 results."""

    class Kind(models.TextChoices):
        INVENTION = "invention", _("Invention patent")
        UTILITY = "utility", _("Utility model")
        DESIGN = "design", _("Design patent")
        SOFTWARE = "software", _("Software copyright")
        PLANT = "plant", _("Plant variety")
        IC_LAYOUT = "ic_layout", _("IC layout design")
        NEW_DRUG = "new_drug", _("New drug")
        OTHER = "other", _("Other")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="ip_items")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=60)
    title = models.CharField(_("title"), max_length=200, blank=True)
    granted_on = models.DateField(_("granted on"))
    high_value = models.BooleanField(_("high-value"), default=False)
    high_value_reason = models.CharField(_("why high-value"), max_length=300, blank=True)
    lapsed_on = models.DateField(_("lapsed on"), null=True, blank=True,
                                 help_text=_("When the right lapsed or was invalidated; blank while it is valid."))

    class Meta:
        ordering = ["granted_on"]
        verbose_name = _("IP item")
        verbose_name_plural = _("IP items")
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind", "number"], name="unique_ip_item")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class Transfer(models.Model):
    """An achievement transfer (成果转化)."""

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment", _("Technology transfer")
        LICENCE = "licence", _("Licence")
        EQUITY = "equity", _("Contribution as equity")
        COOPERATION = "cooperation", _("Cooperative implementation")
        SELF = "self", _("Own implementation")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    contract_no = models.CharField(_("contract number"), max_length=60, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), null=True, blank=True, **MONEY)
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("achievement transfer")
        verbose_name_plural = _("achievement transfers")
        # Each contract once (成果转化 counted by contract): blank numbers are allowed, and never counted.
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "contract_no"], condition=~Q(contract_no=""), name="one_transfer_per_contract",
                violation_error_message=_("This enterprise already has a transfer with this contract number: each contract counts once."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.contract_no}"


class CoreProduct(models.Model):
    """A technology product with key core technology (拥有关键核心技术的科技产品)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="core_products")
    name = models.CharField(_("product"), max_length=200)
    key_technology = models.CharField(_("key technology"), max_length=300)
    evidence = models.TextField(_("evidence"))

    class Meta:
        verbose_name = _("core-technology product")
        verbose_name_plural = _("core-technology products")

    def __str__(self):
        return self.name


class Comparison(models.TextChoices):
    LE = "le", "≤"
    LT = "lt", "<"
    GT = "gt", ">"
    GE = "ge", "≥"


PERCENT = {"max_digits": 5, "decimal_places": 2,
           "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]}


def default_high_value_kinds():
    return [IPItem.Kind.INVENTION.value]


class Rulebook(models.Model):
    """One programme year's 四科 rules, as data: thresholds, comparisons, the figures year, what counts.

    Versioned: once the first check of the year has run, a change is a new version with a reason
    (enterprises.domain.rulebook). The year's rules are its latest version.
    """

    year = models.PositiveSmallIntegerField(_("programme year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    reason = models.TextField(_("reason for the change"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    revenue_max = models.DecimalField(_("sales revenue threshold (yuan)"), max_digits=16, decimal_places=2,
                                      default=Decimal("200000000"), validators=[MinValueValidator(Decimal("0"))])
    revenue_op = models.CharField(_("sales revenue comparison"), max_length=2, choices=Comparison.choices,
                                  default=Comparison.LE)
    employees_max = models.PositiveIntegerField(_("employees threshold"), default=500)
    employees_op = models.CharField(_("employees comparison"), max_length=2, choices=Comparison.choices,
                                    default=Comparison.LE)
    tech_staff_percent = models.DecimalField(_("S&T staff share threshold (%)"), default=Decimal("60"), **PERCENT)
    tech_staff_op = models.CharField(_("S&T staff share comparison"), max_length=2, choices=Comparison.choices,
                                     default=Comparison.GT)
    results_min = models.PositiveSmallIntegerField(_("results threshold (items)"), default=5)
    results_op = models.CharField(_("results comparison"), max_length=2, choices=Comparison.choices,
                                  default=Comparison.GT)
    rd_percent = models.DecimalField(_("R&D intensity threshold (%)"), default=Decimal("6"), **PERCENT)
    rd_op = models.CharField(_("R&D intensity comparison"), max_length=2, choices=Comparison.choices,
                             default=Comparison.GT)
    figures_year = models.PositiveSmallIntegerField(
        _("figures year"), help_text=_("The fiscal year whose figures judge the nominations; by default the year before."))
    previous_registration_until = models.DateField(
        _("previous year's registrations accepted until"), null=True, blank=True,
        help_text=_("Until this date a registration of the year before also counts; blank: only the programme year's."))
    high_value_kinds = models.JSONField(_("IP kinds that count as high-value"), default=default_high_value_kinds)
    lapsed_counts = models.BooleanField(_("lapsed IP items count"), default=False)
    transfers_need_contract = models.BooleanField(
        _("transfers count only with a contract number and an amount"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("rulebook")
        verbose_name_plural = _("rulebooks")
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="one_rulebook_version")]

    # The values a version carries (what a new version copies, what a verdict keeps).
    VALUES = ("revenue_max", "revenue_op", "employees_max", "employees_op", "tech_staff_percent", "tech_staff_op",
              "results_min", "results_op", "rd_percent", "rd_op", "figures_year", "previous_registration_until",
              "high_value_kinds", "lapsed_counts", "transfers_need_contract")

    def __str__(self):
        return str(_("%(year)s rulebook, version %(version)s") % {"year": self.year, "version": self.version})

    def rules(self):
        from .domain.eligibility import Rules

        return Rules(
            revenue_max=self.revenue_max, revenue_op=self.revenue_op, employees_max=self.employees_max,
            employees_op=self.employees_op, tech_staff_percent=self.tech_staff_percent,
            tech_staff_op=self.tech_staff_op, results_min=self.results_min, results_op=self.results_op,
            rd_percent=self.rd_percent, rd_op=self.rd_op, previous_registration_until=self.previous_registration_until,
        )

    def snapshot(self):
        """The values as JSON-friendly data, as a verdict keeps them."""
        from .domain.eligibility import number_text

        data = {"id": self.pk, "year": self.year, "version": self.version}
        for name in self.VALUES:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = number_text(value)
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            data[name] = value
        return data


class EnterpriseNomination(Nomination):
    """A bureau's nomination of one enterprise for one year."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="nominations")
    letter = SafeFileField(
        _("stamped recommendation letter (PDF)"), upload_to="letters/enterprises/%Y/", blank=True, kinds=(PDF,),
    )
    # The 四科 gate (enterprises.domain.gate): a nomination whose verdict fails is accepted only with
    # an override the office records, with its reason; the criteria it overrode are kept with it.
    gate_override_reason = models.TextField(_("reason for accepting despite the 四科 check"), blank=True)
    gate_override_by = models.ForeignKey(
        User, verbose_name=_("override recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    gate_override_at = models.DateTimeField(_("override recorded"), null=True, blank=True)
    gate_override_failed = models.JSONField(_("criteria overridden"), default=list, blank=True)
    # County → city → province (enterprises.domain.county): a county bureau prepares the nomination
    # (county set, not forwarded); it forwards it to its city bureau, which returns it to the county
    # or submits it to the province. A nomination the city made itself has no county.
    county = models.ForeignKey(
        "pojian.Region", verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    county_forwarded_at = models.DateTimeField(_("forwarded by the county"), null=True, blank=True)
    history = HistoricalRecords()

    @property
    def with_county(self) -> bool:
        """The county bureau still prepares it: its city may not edit or submit it yet."""
        return bool(self.county_id) and self.county_forwarded_at is None

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("enterprise nomination")
        verbose_name_plural = _("enterprise nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "enterprise"], condition=~Q(state="withdrawn"), name="one_live_nomination_per_enterprise_year"
            )
        ]
        indexes = [models.Index(fields=["cycle", "state"]), models.Index(fields=["cycle", "region"])]

    def __str__(self):
        return f"{self.enterprise} · {self.cycle.year}"

    def get_absolute_url(self):
        """The bureau's page of the nomination (the office has its own, linked from its list)."""
        return reverse("enterprises:bureau_nomination", args=[self.pk])

    @property
    def nominee_name(self):
        return self.enterprise.name

    @property
    def nominee_uscc(self):
        return self.enterprise.uscc

    @property
    def has_gate_override(self):
        return self.gate_override_at is not None


class Verdict(models.Model):
    """The stored outcome of the 四科 check for one nomination: per criterion, with what it used."""

    CRITERIA = ("revenue", "employees", "core_tech_product", "tech_staff_ratio", "ip_and_transfers", "rd_intensity", "registered")

    # The nomination is the key (one verdict each): its index, with the outcome flags INCLUDEd on PostgreSQL,
    # is the verdict's only one. The reference is kept by statement-level triggers rather than a foreign
    # key's check per row, which was a third of writing a year's verdicts (migration 0132).
    nomination = models.OneToOneField(EnterpriseNomination, on_delete=models.CASCADE, related_name="verdict",
                                      primary_key=True, db_constraint=False)
    eligible = models.BooleanField(_("meets the 四科 standard"))
    # One column per criterion so lists filter by failed criterion on any database.
    fail_revenue = models.BooleanField(default=False)
    fail_employees = models.BooleanField(default=False)
    fail_core_tech_product = models.BooleanField(default=False)
    fail_tech_staff_ratio = models.BooleanField(default=False)
    fail_ip_and_transfers = models.BooleanField(default=False)
    fail_rd_intensity = models.BooleanField(default=False)
    fail_registered = models.BooleanField(default=False)
    # [{code, passed, value, threshold[, note][, op]}]; empty when the set-based check wrote the verdict,
    # which keeps only the figures and rules: `explanation` derives the entries from them on reading.
    stored_explanation = models.JSONField(_("explanation"), default=list, blank=True, db_column="explanation")
    # What the verdict was judged on. The one-by-one check keeps it as a document (`stored_figures`); the
    # set-based check in typed columns (`used_*`): building a JSON document per row was most of the time
    # of a year's first check. `figures` reads either as the same dict.
    stored_figures = models.JSONField(_("figures used"), default=dict, db_column="figures")
    used_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    used_figures_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    used_accepted_years = models.CharField(max_length=40, null=True, blank=True, editable=False)  # "2025,2026"
    used_figures_id = models.BigIntegerField(null=True, blank=True, editable=False)
    used_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, editable=False)
    used_rd_expense = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, editable=False)
    used_total_assets = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, editable=False)
    used_employees = models.IntegerField(null=True, blank=True, editable=False)
    used_tech_staff = models.IntegerField(null=True, blank=True, editable=False)
    # bit i: TAXED_FIGURES[i] is the tax figure. The used_* columns are nullable: other writers (the
    # COPY path) leave them out.
    used_tax = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    used_high_value_ip = models.IntegerField(null=True, blank=True, editable=False)
    used_transfers = models.IntegerField(null=True, blank=True, editable=False)
    used_core_tech_product = models.BooleanField(null=True, blank=True, editable=False)
    used_registration_number = models.CharField(max_length=40, null=True, blank=True, editable=False)
    used_registration_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # No index and no constraint in the database: every verdict of a check points at the same version, and a
    # rulebook version is never deleted (PROTECT, checked by Django); the constraint's per-row check and the
    # index's upkeep were a large part of writing a year's verdicts (bench_enterprises).
    rulebook = models.ForeignKey(Rulebook, verbose_name=_("rulebook"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="verdicts", db_index=False,
                                 db_constraint=False)
    # The rule values judged by, for verdicts written before the set-based check stopped copying them
    # into every row: `rules` reads the rulebook version's snapshot (frozen once a check used it).
    stored_rules = models.JSONField(_("rule values judged by"), default=dict, blank=True, db_column="rules")
    checked_at = models.DateTimeField(_("checked"), auto_now=True)

    class Meta:
        verbose_name = _("四科 verdict")
        verbose_name_plural = _("四科 verdicts")
        # On PostgreSQL the primary key's index INCLUDEs (eligible, fail_*) (migration 0132): it serves the lists'
        # filters and counts by outcome; an index on `eligible` alone was only upkeep (migration 0131).

    def __str__(self):
        return f"{self.nomination}: {'✓' if self.eligible else '✗'}"

    @property
    def failed(self):
        return [c for c in self.CRITERIA if getattr(self, f"fail_{c}")]

    FIGURES = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")
    TAXED_FIGURES = ("revenue", "rd_expense", "total_assets", "employees")  # the bits of `used_tax`

    @property
    def rules(self):
        """The rule values the verdict was judged by: as kept, or its rulebook version's snapshot."""
        if self.stored_rules or not self.rulebook_id:
            return self.stored_rules
        return self.rulebook.snapshot()

    @rules.setter
    def rules(self, value):
        self.stored_rules = value

    @property
    def figures(self):
        """What the verdict was judged on, as a dict: {year, figures_year, figures_id, <figure>: {value,
        source}, high_value_ip, transfers, core_tech_product, registration_number, registration_year,
        accepted_years}, from the document or from the typed columns."""
        if self.stored_figures or self.used_year is None:
            return self.stored_figures
        data = {"year": self.used_year, "figures_year": self.used_figures_year, "figures_id": self.used_figures_id}
        for name in self.FIGURES:
            value = getattr(self, f"used_{name}")
            taxed = name in self.TAXED_FIGURES and (self.used_tax or 0) & (1 << self.TAXED_FIGURES.index(name))
            data[name] = {"value": None if value is None else str(value), "source": "tax" if taxed else "declared"}
        data.update(high_value_ip=self.used_high_value_ip, transfers=self.used_transfers,
                    core_tech_product=self.used_core_tech_product, registration_number=self.used_registration_number,
                    registration_year=self.used_registration_year,
                    accepted_years=[int(y) for y in (self.used_accepted_years or "").split(",") if y])
        return data

    @figures.setter
    def figures(self, value):
        self.stored_figures = value

    @property
    def explanation(self):
        """The entries per criterion: as stored, or derived from the figures and rules the verdict keeps."""
        if self.stored_explanation or not self.figures:
            return self.stored_explanation
        from .domain.eligibility import explanation_from

        return explanation_from(figures=self.figures, rules=self.rules)


# The cultivation pool (培育库) and its tiers (梯次): a module of their own, models of this app.
from .models_pool import PoolEntry, Recognition, TierRule, TierStanding  # noqa: E402, F401
