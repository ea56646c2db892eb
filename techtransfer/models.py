"""双千工程: institutions and their results managers, the results catalogue (成果库), enterprises'
demands (需求库), interest between them (意向) and technology contracts (技术合同) with payments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise, Industry
from pojian.domain.uploads import PDF, SafeFileField
from pojian.models import Region
from pojian.validators import validate_uscc

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class Institution(models.Model):
    """A university (高校) or research institute (科研院所) that publishes results."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        INSTITUTE = "institute", _("Research institute")

    name = models.CharField(_("institution name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    in_province = models.BooleanField(_("inside Jilin Province"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ResultsManager(models.Model):
    """A results manager's (成果管理员) account at an institution; it counts once the office approves it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="managers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="results_manager_of")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("results manager")
        verbose_name_plural = _("results managers")
        constraints = [models.UniqueConstraint(fields=["institution", "user"], name="one_manager_row_per_user")]

    def __str__(self):
        return f"{self.user} · {self.institution}"


class Result(models.Model):
    """A technology result (科技成果) in the catalogue; public once the office publishes it."""

    class Maturity(models.TextChoices):
        RESEARCH = "research", _("Research stage")
        SMALL_PILOT = "small_pilot", _("Small-scale trial")
        PILOT = "pilot", _("Pilot (中试)")
        INDUSTRIAL = "industrial", _("Industrialisation")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for publication")
        PUBLISHED = "published", _("Published")
        RETURNED = "returned", _("Returned")

    MODES = [("assignment", _("Assignment (转让)")), ("licence", _("Licence (许可)")),
             ("joint", _("Joint development")), ("equity", _("Equity (作价入股)"))]

    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="results")
    title = models.CharField(_("title"), max_length=200)
    field = models.CharField(_("field"), max_length=20, choices=Industry.choices)
    summary = models.TextField(_("summary"), max_length=5000)
    maturity = models.CharField(_("maturity"), max_length=12, choices=Maturity.choices)
    trl = models.PositiveSmallIntegerField(_("technology readiness level"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(9)])
    ip_items = models.TextField(_("IP items (patent numbers and validity)"), blank=True, max_length=2000)
    cooperation_modes = models.JSONField(_("cooperation modes"), default=list, blank=True)
    price_low = models.DecimalField(_("reference price from (yuan)"), null=True, blank=True, **MONEY)
    price_high = models.DecimalField(_("reference price to (yuan)"), null=True, blank=True, **MONEY)
    contact_name = models.CharField(_("team contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("technology result")
        verbose_name_plural = _("technology results")
        ordering = ["-published_at", "-pk"]
        # Chinese has no word breaks: substring search (ILIKE '%…%') is served on PostgreSQL by
        # one trigram GIN index on title || E'\n' || summary, made by migration 0071 (not on SQLite).
        indexes = [models.Index(fields=["state", "field"], name="result_state_field")]
        constraints = [
            models.CheckConstraint(condition=Q(price_low__isnull=True) | Q(price_high__isnull=True)
                                   | Q(price_low__lte=F("price_high")), name="result_price_range_ordered"),
        ]

    def __str__(self):
        return self.title


class Demand(models.Model):
    """An enterprise's technical need (技术需求), entered by its bureau."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INSTITUTIONS = "institutions", _("Institutions only")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="demands")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    field = models.CharField(_("field"), max_length=20, choices=Industry.choices)
    description = models.TextField(_("description"), max_length=5000)
    budget = models.DecimalField(_("budget (yuan)"), null=True, blank=True, **MONEY)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    visibility = models.CharField(_("visible to"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.INSTITUTIONS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("technical demand")
        verbose_name_plural = _("technical demands")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class TechContractQuerySet(models.QuerySet):
    def in_force(self):
        """Not cancelled: the contracts that count (四科, statistics, the subsidy)."""
        return self.filter(cancelled_at__isnull=True)


class TechContract(models.Model):
    """A registered technology contract (技术合同) between an enterprise and an institution."""

    class Kind(models.TextChoices):
        DEVELOPMENT = "development", _("Technology development")
        TRANSFER = "transfer", _("Technology transfer")
        LICENCE = "licence", _("Technology licence")
        CONSULTING = "consulting", _("Technology consulting")
        SERVICE = "service", _("Technology service")

    # Digits only, 14 to 18 of them: the format has changed over the years (see shared/notes, 1.4).
    registration_number = models.CharField(
        _("contract registration number"), max_length=18, unique=True,
        validators=[RegexValidator(r"^\d{14,18}$", _("A registration number has 14 to 18 digits."))],
    )
    registered_on = models.DateField(_("registered on"))
    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer (受让方)")
        SELLER = "seller", _("Seller (让与方)")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("project name"), max_length=200)
    # The enterprise's side: only a contract where it is the buyer counts as its transfer (成果转化) in 四科.
    enterprise_role = models.CharField(_("the enterprise is the"), max_length=6, choices=Role.choices,
                                       default=Role.BUYER)
    imported_at = models.DateTimeField(_("imported from the registration list"), null=True, blank=True)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="tech_contracts")
    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="contracts")
    result = models.ForeignKey(Result, verbose_name=_("result"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="contracts")
    contract_amount = models.DecimalField(_("contract value (yuan)"), **MONEY)
    tech_amount = models.DecimalField(_("technology transaction value (yuan)"), **MONEY)
    implementation = models.TextField(_("how the result is being put to use"), blank=True, max_length=3000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Cancelled (撤销): kept with its history, but no longer a transfer in 四科 nor in the statistics.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, max_length=1000)
    history = HistoricalRecords()

    objects = TechContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        ordering = ["-registered_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(tech_amount__lte=F("contract_amount")), name="tech_amount_within_contract"),
        ]

    def __str__(self):
        return f"{self.registration_number} {self.title}"

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def region_id(self):
        """The enterprise's region: a contract is its bureau's (pojian.rules.is_own_region)."""
        return self.enterprise.region_id


class ContractPayment(models.Model):
    """An amount actually paid on a contract (实际发生交易额), with its invoice or bank slip."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    invoice_number = models.CharField(_("invoice or receipt number"), max_length=60)
    receipt = SafeFileField(_("receipt (PDF)"), upload_to="techtransfer/receipts/%Y/", blank=True, kinds=(PDF,))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract payment")
        verbose_name_plural = _("contract payments")
        ordering = ["paid_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "invoice_number"], name="one_payment_per_invoice")]

    def __str__(self):
        return f"{self.contract.registration_number} {self.amount}"


class ContractSubsidyRule(models.Model):
    """The contract subsidy's rule for one year (技术合同后补助): which contracts, bands on the amount
    actually paid in the year (实际发生交易额), a cap per enterprise and the budget."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    kinds = models.JSONField(_("contract types"), default=list)
    in_province_only = models.BooleanField(_("institutions inside the province only"), default=True)
    needs_implementation = models.BooleanField(_("the result must be put to use (实施转化)"), default=True)
    min_paid = models.DecimalField(_("minimum amount paid per contract (yuan)"), **MONEY)
    # [[upper bound in yuan or null, rate], …] ascending: marginal, as funding.domain.allocation.tiered.
    bands = models.JSONField(_("bands"), default=list)
    cap = models.DecimalField(_("cap per enterprise and year (yuan)"), null=True, blank=True, **MONEY)
    budget = models.DecimalField(_("budget (yuan)"), **MONEY)
    # The workflow (techtransfer/domain/subsidy_workflow.py): applications, receipts checked, 公示, grants.
    applications_open = models.DateField(_("applications open"), null=True, blank=True)
    applications_close = models.DateField(_("applications close"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("working days of the public notice"), default=5)
    notice_starts = models.DateField(_("public notice starts"), null=True, blank=True)
    notice_ends = models.DateField(_("public notice ends"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, default="draft", choices=[
        ("draft", _("Draft")), ("computed", _("Amounts computed")), ("granted", _("Grants proposed"))])
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    scaled = models.BooleanField(_("scaled to the budget"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract subsidy rule")
        verbose_name_plural = _("contract subsidy rules")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


from .models_matching import AccountRequest, Interest, MatchEvent, MatchRecord, Recommendation  # noqa: E402,F401
from .models_subsidy import PaymentCheck, SubsidyApplication, SubsidyObjection  # noqa: E402,F401
