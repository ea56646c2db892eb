"""Expert review (专家评审): the expert pool, conflicts, rounds, score sheets, assignments, reviews, 公示.

Models only hold fields, constraints and small properties; every state change is a function in
`reviews/domain/` (see the package docstring there).
"""

from decimal import Decimal

from django import forms
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Industry
from pojian.domain.uploads import PDF, SafeFileField
from pojian.models import Cycle, Region, User
from pojian.validators import validate_uscc

SCORE = {"max_digits": 7, "decimal_places": 2}


class IndustryListField(models.CharField):
    """Several Industry values in one column, stored as ",software,biomedicine," (any database).

    In Python the value is a list of codes. Filter with `Expert.objects.with_field("software")`
    (a `contains` on ",software,"), which works the same on SQLite and PostgreSQL.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 250)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("max_length", 250), ("blank", True), ("default", list)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    @staticmethod
    def parse(value):
        if value is None:
            return []
        if isinstance(value, (list, tuple, set)):
            items = value
        else:
            items = str(value).replace("，", ",").split(",")
        seen = []
        for v in items:
            v = str(v).strip()
            if v and v not in seen:
                seen.append(v)
        return seen

    def from_db_value(self, value, expression, connection):
        return self.parse(value)

    def to_python(self, value):
        return self.parse(value)

    def get_prep_value(self, value):
        if isinstance(value, str):  # a lookup value such as ",software," passes through
            return value
        codes = self.parse(value)
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj):
        return ",".join(self.value_from_object(obj) or [])

    def validate(self, value, model_instance):
        valid = set(Industry.values)
        bad = [v for v in self.parse(value) if v not in valid]
        if bad:
            raise ValidationError(_("Unknown field of expertise: %(codes)s"), params={"codes": ", ".join(bad)})
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def run_validators(self, value):
        # MaxLengthValidator would measure the list; measure the stored text instead.
        return super().run_validators(self.get_prep_value(value))

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=Industry.choices, widget=forms.CheckboxSelectMultiple, required=not self.blank,
            label=kwargs.get("label", self.verbose_name), help_text=self.help_text,
        )


class RoundKind(models.TextChoices):
    ENTERPRISES = "enterprises", _("Enterprises")
    INCUBATORS = "incubators", _("Incubators and maker spaces")
    FINANCE = "finance", _("Finance institutions")
    BUREAU_SUMMARIES = "bureau_summaries", _("Bureau summaries")
    ACCEPTANCE = "acceptance", _("Project acceptance")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    MEDIAN = "median", _("Median")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (drop highest and lowest when 5 or more)")


class ExpertQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_field(self, code):
        return self.filter(expertise__contains=f",{code},")


class Expert(models.Model):
    """A member of the expert pool (专家库)."""

    name = models.CharField(_("name"), max_length=50)
    user = models.OneToOneField(
        User, verbose_name=_("user account"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="expert_profile", limit_choices_to={"role": User.Role.EXPERT},
    )
    unit_name = models.CharField(_("work unit"), max_length=200, blank=True)
    unit_uscc = models.CharField(
        _("work unit's unified social credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    title = models.CharField(_("professional title"), max_length=60, blank=True)
    expertise = IndustryListField(_("fields of expertise"))
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    id_number = models.CharField(_("ID (for de-duplication)"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = ExpertQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("expert pool")
        indexes = [models.Index(fields=["unit_uscc"]), models.Index(fields=["active"])]

    def __str__(self):
        return f"{self.name}（{self.unit_name}）" if self.unit_name else self.name

    def save(self, *args, **kwargs):
        self.unit_uscc = (self.unit_uscc or "").strip().upper()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.user_id and self.user.role != User.Role.EXPERT:
            raise ValidationError({"user": _("The linked account must have the expert role.")})

    def get_fields_display(self):
        labels = dict(Industry.choices)
        return "、".join(str(labels.get(c, c)) for c in self.expertise)


class Round(models.Model):
    """One review of one kind of nomination in one year (评审轮次); its phase is data."""

    Kind = RoundKind
    Aggregation = Aggregation

    class Phase(models.TextChoices):
        ASSIGNMENT = "assignment", _("Assignment")
        SCORING = "scoring", _("Scoring")
        CLOSED = "closed", _("Closed")

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="review_rounds")
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices)
    title = models.CharField(_("title"), max_length=120, blank=True)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.ASSIGNMENT)
    scoring_opens = models.DateTimeField(_("scoring opens"), null=True, blank=True)
    scoring_closes = models.DateTimeField(_("scoring deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    experts_per_item = models.PositiveSmallIntegerField(_("experts per nomination"), default=5, validators=[MinValueValidator(1)])
    max_load = models.PositiveIntegerField(_("maximum nominations per expert"), default=60, validators=[MinValueValidator(1)])
    aggregation = models.CharField(_("aggregation"), max_length=15, choices=Aggregation.choices, default=Aggregation.TRIMMED_MEAN)
    normalise = models.BooleanField(
        _("normalise per expert (z-scores)"), default=False,
        help_text=_("Aggregate each expert's scores as z-scores, for experts who score harshly or kindly."),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=5, validators=[MinValueValidator(1)],
        help_text=_("Counted in working days with the portal's holiday calendar."),
    )
    min_reviews = models.PositiveSmallIntegerField(
        _("minimum reviews per nomination"), default=3, validators=[MinValueValidator(1)],
        help_text=_("A nomination with fewer submitted reviews is flagged and cannot be selected without a reason."),
    )
    pass_score = models.DecimalField(
        _("pass score"), null=True, blank=True, max_digits=6, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Acceptance rounds: a project whose aggregate score reaches it passes, unless the office decides otherwise."),
    )
    close_reason = models.TextField(_("reason for closing with open points"), blank=True)
    reminders_sent = models.CharField(_("deadline reminders sent"), max_length=40, blank=True, editable=False)
    assignment_confirmed_at = models.DateTimeField(_("assignment confirmed"), null=True, blank=True)
    ranked_at = models.DateTimeField(_("ranked"), null=True, blank=True)
    results_confirmed_at = models.DateTimeField(_("results confirmed"), null=True, blank=True)
    results_confirmed_by = models.ForeignKey(
        User, verbose_name=_("results confirmed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year", "kind"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        # One round per year and kind of nomination; acceptance rounds run in batches, as projects come due.
        constraints = [models.UniqueConstraint(fields=["cycle", "kind"], condition=~Q(kind="acceptance"),
                                               name="one_round_per_year_and_kind")]

    def __str__(self):
        return self.title or f"{self.cycle.year} {self.get_kind_display()}"

    @property
    def is_acceptance(self):
        return self.kind == RoundKind.ACCEPTANCE

    @property
    def is_scoring(self):
        return self.phase == self.Phase.SCORING

    @property
    def is_closed(self):
        return self.phase == self.Phase.CLOSED

    @property
    def quota(self):
        from .domain.kinds import quota_for

        return quota_for(self)


class ScoreSheet(models.Model):
    """The score sheet (评分表) of a round: weighted criteria with guidance."""

    round = models.OneToOneField(Round, verbose_name=_("review round"), on_delete=models.CASCADE, related_name="sheet")
    title = models.CharField(_("title"), max_length=120)
    instructions = models.TextField(_("instructions for experts"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    def __str__(self):
        return self.title

    @property
    def max_total(self):
        return sum((c.max_score * c.weight for c in self.criteria.all()), Decimal("0"))


class Criterion(models.Model):
    sheet = models.ForeignKey(ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    guidance = models.TextField(_("guidance"), blank=True)
    max_score = models.DecimalField(_("maximum score"), validators=[MinValueValidator(Decimal("0.01"))], **SCORE)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=3, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [models.UniqueConstraint(fields=["sheet", "name"], name="unique_criterion_name_per_sheet")]

    def __str__(self):
        return self.name


class ReviewItem(models.Model):
    """One nomination under review in a round, whatever its kind (through contenttypes).

    The nominee's name, USCC, region and industry are copied in for lists and conflict checks;
    aggregate, rank and selection are stored by `reviews.domain.ranking`.
    """

    round = models.ForeignKey(Round, verbose_name=_("review round"), on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    nomination = GenericForeignKey("content_type", "object_id")
    nominee_name = models.CharField(_("nominee"), max_length=200)
    nominee_uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    submitted_at = models.DateTimeField(_("nomination submitted"), null=True, blank=True)
    rd_intensity = models.DecimalField(_("R&D intensity"), max_digits=9, decimal_places=6, null=True, blank=True)
    aggregate = models.DecimalField(_("aggregate score"), null=True, blank=True, **SCORE)
    recommend_count = models.PositiveSmallIntegerField(_("experts recommending"), default=0)
    review_count = models.PositiveSmallIntegerField(_("reviews submitted"), default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    tie_note = models.CharField(_("tie broken by"), max_length=200, blank=True)
    selected = models.BooleanField(_("selected"), default=False)
    overridden = models.BooleanField(_("selection overridden"), default=False)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    # Acceptance rounds: the office's own outcome for a project, instead of the pass score's (with a reason).
    decision = models.CharField(_("office decision"), max_length=10, blank=True,
                                choices=[("passed", _("Passed")), ("rectified", _("Passed after rectification")),
                                         ("failed", _("Failed"))])
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "rank", "pk"]
        verbose_name = _("nomination under review")
        verbose_name_plural = _("nominations under review")
        constraints = [
            models.UniqueConstraint(fields=["round", "content_type", "object_id"], name="one_item_per_nomination_per_round")
        ]
        indexes = [models.Index(fields=["round", "rank"]), models.Index(fields=["nominee_uscc"])]

    def __str__(self):
        return self.nominee_name


class Conflict(models.Model):
    """A conflict of interest (回避) between an expert and a nominee.

    The nominee is identified by USCC (every round, every year) or, without one, by the
    nomination itself. Pending and confirmed conflicts block; dismissed ones do not.
    """

    class Kind(models.TextChoices):
        SAME_UNIT = "same_unit", _("Same work unit")
        INVESTOR_OR_ADVISER = "investor_or_adviser", _("Investor in or adviser to the nominee")
        RELATIVE = "relative", _("Relative")
        COLLABORATION = "collaboration", _("Collaboration in the last three years")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        DETECTED = "detected", _("Detected")
        DECLARED = "declared", _("Declared by the expert")
        OFFICE = "office", _("Recorded by the office")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    BLOCKING = (Status.PENDING, Status.CONFIRMED)

    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="conflicts")
    nominee_uscc = models.CharField(_("nominee's unified social credit code"), max_length=18, blank=True)
    nominee_name = models.CharField(_("nominee"), max_length=200, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    nomination = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.CheckConstraint(
                condition=~Q(nominee_uscc="") | Q(object_id__isnull=False), name="conflict_names_a_nominee"
            ),
            models.UniqueConstraint(
                fields=["expert", "nominee_uscc", "kind"], condition=~Q(nominee_uscc=""), name="one_conflict_per_kind_and_uscc"
            ),
        ]
        indexes = [models.Index(fields=["expert", "status"]), models.Index(fields=["nominee_uscc", "status"])]

    def __str__(self):
        return f"{self.expert.name} ↔ {self.nominee_name or self.nominee_uscc}"

    @property
    def is_blocking(self):
        return self.status in self.BLOCKING


class Assignment(models.Model):
    """An expert's task: review one nomination in one round."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Progress(models.TextChoices):
        TODO = "todo", _("To do")
        DRAFT = "draft", _("Draft saved")
        SUBMITTED = "submitted", _("Submitted")

    item = models.ForeignKey(ReviewItem, verbose_name=_("nomination"), on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    progress = models.CharField(_("progress"), max_length=10, choices=Progress.choices, default=Progress.TODO)
    matched = models.BooleanField(_("field matches"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "expert"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["item", "expert"], condition=~Q(state="withdrawn"), name="one_live_assignment_per_expert_item")
        ]
        indexes = [models.Index(fields=["expert", "state"]), models.Index(fields=["item", "state"])]

    def __str__(self):
        return f"{self.expert.name} → {self.item}"

    @property
    def is_submitted(self):
        return self.progress == self.Progress.SUBMITTED


class Review(models.Model):
    """An expert's scores for one assignment; the total is the weighted sum of the criteria."""

    class Recommendation(models.TextChoices):
        RECOMMEND = "recommend", _("Recommend")
        NEUTRAL = "neutral", _("Neutral")
        NOT_RECOMMEND = "not_recommend", _("Do not recommend")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    recommendation = models.CharField(_("overall recommendation"), max_length=15, choices=Recommendation.choices, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    total = models.DecimalField(_("total (weighted)"), null=True, blank=True, max_digits=12, decimal_places=4)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return str(self.assignment)


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("score"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **SCORE)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class PublicNotice(models.Model):
    """The 公示 of a round's selected list: its period and how to object."""

    round = models.OneToOneField(Round, verbose_name=_("review round"), on_delete=models.CASCADE, related_name="notice")
    title = models.CharField(_("title"), max_length=200)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    how_to_object = models.TextField(_("how to object"))
    show_uscc = models.BooleanField(_("show the credit code"), default=False)
    show_industry = models.BooleanField(_("show the industry"), default=True)
    show_score = models.BooleanField(_("show the aggregate score"), default=False)
    working_days = models.PositiveSmallIntegerField(_("working days"), default=5)
    published_by = models.ForeignKey(User, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        constraints = [models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="notice_period_ordered")]

    def __str__(self):
        return self.title

    def is_running(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.withdrawn_at is None and self.starts <= on <= self.ends

    def is_over(self, on=None):
        from django.utils import timezone

        return (on or timezone.localdate()) > self.ends


class NoticeCorrection(models.Model):
    """A correction (更正) or the withdrawal (撤回) of a published 公示, shown publicly as a 更正公告."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    notice = models.ForeignKey(PublicNotice, verbose_name=_("public notice"), on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text of the correction notice"))
    published_by = models.ForeignKey(User, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["published_at", "pk"]
        verbose_name = _("correction notice")
        verbose_name_plural = _("correction notices")

    def __str__(self):
        return f"{self.notice}: {self.get_kind_display()}"


class OnlineObjection(models.Model):
    """What every post-subsidy 公示 (R&D, contract subsidy) keeps of an objection submitted online by
    anyone during its period: who, their work unit and telephone, the facts, where from (the per-address
    limit, reviews.domain.notices) and the office's decision with its reason. Each concrete model adds
    its notice (`rule`) and the name objected to, and `entry` returning that name's row."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    objector = models.CharField(_("who objects"), max_length=200)
    unit = models.CharField(_("work unit"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30)
    content = models.TextField(_("objection"))
    submitted_from = models.GenericIPAddressField(_("submitted from"), null=True, blank=True)
    received_on = models.DateField(_("received"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return f"{self.entry}: {self.objector}"


class Objection(models.Model):
    """An objection (异议) received during the 公示, recorded by the office."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    class Source(models.TextChoices):
        OFFICE = "office", _("Recorded by the office")
        ONLINE = "online", _("Submitted online")

    notice = models.ForeignKey(PublicNotice, verbose_name=_("public notice"), on_delete=models.CASCADE, related_name="objections")
    item = models.ForeignKey(ReviewItem, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="objections")
    objector = models.CharField(_("who objects"), max_length=200)
    unit = models.CharField(_("work unit"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    content = models.TextField(_("objection"))
    evidence = SafeFileField(_("evidence (PDF)"), upload_to="objections/%Y/", blank=True, kinds=(PDF,))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.OFFICE)
    submitted_from = models.GenericIPAddressField(_("submitted from"), null=True, blank=True)
    received_on = models.DateField(_("received"))
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"{self.item}: {self.objector}"
