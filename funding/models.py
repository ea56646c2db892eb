"""The funding ledger: lines, budgets, grants, payments; and 立项支持 projects.

Thin models: fields, constraints and small properties. Every state change is a function in
funding/domain/ that locks the rows it checks, saves, writes the history and notifies on commit.
"""

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.domain.uploads import PDF, SafeFileField
from pojian.models import Cycle, Region, User

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class FundingLine(models.Model):
    """A kind of support with its own budget (立项支持, 技术合同补助, …); the office may add more."""

    PROJECT_SUPPORT = "project_support"
    TECH_CONTRACT = "tech_contract"
    RD_POST = "rd_post"
    INCUBATOR_POST = "incubator_post"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    requires_notice = models.BooleanField(
        _("requires a public notice"), default=True,
        help_text=_("Approved grants of this line go through a public notice (公示) before they are committed."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")

    def __str__(self):
        return self.name


def default_split():
    return [70, 30]


class Budget(models.Model):
    """One funding line's budget for one programme year, with the document that set it (文号)."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="budgets")
    line = models.ForeignKey(FundingLine, verbose_name=_("funding line"), on_delete=models.PROTECT, related_name="budgets")
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(ZERO)], **MONEY)
    document_no = models.CharField(_("document number (文号)"), max_length=100)
    tranche_split = models.JSONField(
        _("tranche split (per cent)"), default=default_split, blank=True,
        help_text=_("For project support: the share paid at signing and at acceptance, e.g. [70, 30]."),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year", "line__sort_order"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "line"], name="one_budget_per_line_and_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.cycle.year} {self.line}"

    def clean(self):
        super().clean()
        split = self.tranche_split or []
        try:
            ok = bool(split) and all(Decimal(str(p)) > 0 for p in split) and sum(Decimal(str(p)) for p in split) == 100
        except (ArithmeticError, TypeError, ValueError):
            ok = False
        if not ok:
            from django.core.exceptions import ValidationError

            raise ValidationError({"tranche_split": _("Give the tranches as positive percentages that add up to 100, e.g. [70, 30].")})


class GrantState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    IN_NOTICE = "in_notice", _("In public notice")
    COMMITTED = "committed", _("Committed")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RECOVERED = "recovered", _("Recovered")


# Grants that hold money against the budget (a recovered grant holds what was paid minus what came back).
COMMITTING_STATES = (
    GrantState.APPROVED, GrantState.IN_NOTICE, GrantState.COMMITTED, GrantState.PARTLY_PAID,
    GrantState.PAID, GrantState.CLOSED,
)
# States in which the public list shows the grant (confirmed: past its notice).
PUBLIC_STATES = (GrantState.COMMITTED, GrantState.PARTLY_PAID, GrantState.PAID, GrantState.CLOSED)
PAYABLE_STATES = (GrantState.COMMITTED, GrantState.PARTLY_PAID)


class Grant(models.Model):
    """Support for one beneficiary (enterprise, incubator or institution), line and year."""

    State = GrantState

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="grants")
    line = models.ForeignKey(FundingLine, verbose_name=_("funding line"), on_delete=models.PROTECT, related_name="grants")
    beneficiary_type = models.ForeignKey(ContentType, verbose_name=_("beneficiary kind"), on_delete=models.PROTECT, related_name="+")
    beneficiary_id = models.PositiveBigIntegerField()
    beneficiary = GenericForeignKey("beneficiary_type", "beneficiary_id")
    beneficiary_name = models.CharField(_("beneficiary"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    # What produced it: a review item (selection), a subsidy computation, a list …
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("produced by"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(ZERO)], **MONEY)
    state = models.CharField(_("state"), max_length=12, choices=GrantState.choices, default=GrantState.PROPOSED)
    proposed_by = models.ForeignKey(User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    approved_by = models.ForeignKey(User, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    override_reason = models.TextField(_("reason for exceeding the budget"), blank=True)
    override_by = models.ForeignKey(User, verbose_name=_("budget override by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recovered_amount = models.DecimalField(_("amount recovered (yuan)"), default=ZERO, **MONEY)
    state_reason = models.TextField(_("reason"), blank=True)
    paid_amount = models.DecimalField(_("paid (yuan)"), default=ZERO, editable=False, **MONEY)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year", "line__sort_order", "beneficiary_name"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "line", "beneficiary_type", "beneficiary_id"], name="one_grant_per_beneficiary_line_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_not_negative"),
            models.CheckConstraint(condition=Q(paid_amount__lte=F("amount")), name="grant_paid_within_amount"),
            models.CheckConstraint(condition=Q(recovered_amount__gte=0) & Q(recovered_amount__lte=F("paid_amount")),
                                   name="grant_recovered_within_paid"),
        ]
        indexes = [models.Index(fields=["cycle", "line", "state"]), models.Index(fields=["cycle", "region"])]

    def __str__(self):
        return f"{self.cycle.year} {self.line} · {self.beneficiary_name}"

    @property
    def committed_amount(self) -> Decimal:
        if self.state in COMMITTING_STATES:
            return self.amount
        if self.state == GrantState.RECOVERED:
            return self.paid_amount - self.recovered_amount
        return ZERO

    @property
    def unpaid_amount(self) -> Decimal:
        return self.amount - self.paid_amount


class AmountChange(models.Model):
    """A change of an approved grant's amount: asked by one person, confirmed by another."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="amount_changes")
    old_amount = models.DecimalField(_("old amount"), **MONEY)
    new_amount = models.DecimalField(_("new amount"), validators=[MinValueValidator(ZERO)], **MONEY)
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("change of amount")
        verbose_name_plural = _("changes of amount")
        constraints = [
            models.CheckConstraint(condition=~Q(decided_by=F("requested_by")), name="amount_change_second_person"),
            models.UniqueConstraint(fields=["grant"], condition=Q(state="pending"), name="one_pending_amount_change"),
        ]

    def __str__(self):
        return f"{self.grant}: {self.old_amount} → {self.new_amount}"


class Payment(models.Model):
    """One tranche paid on a grant (拨付): recorded by one office user, confirmed by an approver."""

    class State(models.TextChoices):
        RECORDED = "recorded", _("Recorded, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="payments")
    tranche = models.PositiveSmallIntegerField(_("tranche"), default=1)
    paid_on = models.DateField(_("payment date"))
    document_no = models.CharField(_("document number (文号)"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    account = models.CharField(_("account"), max_length=100)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RECORDED)
    recorded_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    confirmed_by = models.ForeignKey(User, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "tranche", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            # Four eyes, also in the database: nobody confirms their own entry.
            models.CheckConstraint(condition=~Q(confirmed_by=F("recorded_by")), name="payment_confirmed_by_second_person"),
        ]
        indexes = [models.Index(fields=["grant", "state"]), models.Index(fields=["state"])]

    def __str__(self):
        return f"{self.grant} · {self.amount}"


class Project(models.Model):
    """立项支持 for one selected enterprise: 任务书, tranches, mid-term report and acceptance (验收)."""

    class State(models.TextChoices):
        DRAFTING = "drafting", _("Agreement being drafted")
        ISSUED = "issued", _("Agreement issued")
        SIGNED = "signed", _("Agreement signed")
        MIDTERM_FILED = "midterm_filed", _("Mid-term report filed")
        ACCEPTANCE_FILED = "acceptance_filed", _("Acceptance applied for")
        ACCEPTED = "accepted", _("Accepted")
        FAILED = "failed", _("Failed acceptance")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        PASSED_AFTER_RECTIFICATION = "rectified", _("Passed after rectification")
        FAILED = "failed", _("Failed")

    grant = models.OneToOneField(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="project")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="projects")
    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="projects")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("project number"), max_length=40, unique=True)
    title = models.CharField(_("project title"), max_length=200)
    goals = models.TextField(_("goals"), blank=True)
    indicators = models.JSONField(_("indicators"), default=list, blank=True,
                                  help_text=_("Each: name, target, unit; and what was reached at acceptance."))
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    provincial_funding = models.DecimalField(_("provincial funding (yuan)"), validators=[MinValueValidator(ZERO)], **MONEY)
    self_funding = models.DecimalField(_("self-raised funding (yuan)"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFTING)
    agreement = models.FileField(_("agreement (generated)"), upload_to="funding/agreements/%Y/", blank=True)
    signed_agreement = SafeFileField(_("signed and stamped agreement (PDF)"), upload_to="funding/signed/%Y/",
                                     blank=True, kinds=(PDF,))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    midterm_due = models.DateField(_("mid-term report due"))
    midterm_report = SafeFileField(_("mid-term report (PDF)"), upload_to="funding/midterm/%Y/", blank=True,
                                   kinds=(PDF,))
    midterm_filed_at = models.DateTimeField(_("mid-term report filed"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance due"))
    final_report = SafeFileField(_("final report (PDF)"), upload_to="funding/final/%Y/", blank=True, kinds=(PDF,))
    acceptance_filed_at = models.DateTimeField(_("acceptance applied for"), null=True, blank=True)
    acceptance_experts = models.ManyToManyField("reviews.Expert", verbose_name=_("acceptance experts"), blank=True, related_name="+")
    # 双千工程: the catalogue's results and the technology contracts the project builds on.
    results = models.ManyToManyField("techtransfer.Result", verbose_name=_("results it builds on"), blank=True,
                                     related_name="projects")
    contracts = models.ManyToManyField("techtransfer.TechContract", verbose_name=_("contracts it builds on"),
                                       blank=True, related_name="projects")
    acceptance_scores = models.JSONField(_("acceptance scores"), default=dict, blank=True)
    outcome = models.CharField(_("acceptance outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("acceptance opinion"), blank=True)
    decided_at = models.DateTimeField(_("acceptance decided"), null=True, blank=True)
    reminded = models.JSONField(default=list, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year", "number"]
        verbose_name = _("supported project")
        verbose_name_plural = _("supported projects")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="project_term_ordered"),
            models.CheckConstraint(condition=Q(midterm_due__lte=F("acceptance_due")), name="project_midterm_before_acceptance"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def total_funding(self) -> Decimal:
        return self.provincial_funding + self.self_funding

    def overdue(self, today) -> list[str]:
        """Which filings are late on `today`: "midterm", "acceptance"."""
        late = []
        if self.midterm_filed_at is None and self.state in (self.State.SIGNED, self.State.ISSUED) and today > self.midterm_due:
            late.append("midterm")
        if self.acceptance_filed_at is None and self.state not in (self.State.ACCEPTED, self.State.FAILED) \
                and today > self.acceptance_due:
            late.append("acceptance")
        return late


from .rd_models import RdCandidate, RdExclusion, RdObjection, RdSubsidyRule  # noqa: E402,F401  (研发投入后补助)
