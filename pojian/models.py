"""The shared core: users and their roles, regions (推荐单位), the programme year (年度)."""

import rules
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.domain.uploads import XLSX, SafeFileField


class RegionQuerySet(models.QuerySet):
    def nominating(self):
        """The nominating units (推荐单位): cities, special zones, the directly administered city."""
        return self.filter(parent__isnull=True).exclude(kind=Region.Kind.COUNTY)

    def counties(self):
        """The county-level divisions (县(市、区)), each under its city."""
        return self.filter(kind=Region.Kind.COUNTY)


class Region(models.Model):
    """A nominating unit (a city/prefecture, a special zone or a directly administered city), or a
    county-level division under its city (`parent`); only the nominating units nominate to the province.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("City / prefecture")
        SPECIAL_ZONE = "zone", _("Special zone")
        DIRECT_CITY = "direct", _("Directly administered city")
        COUNTY = "county", _("County-level division")

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    bureau_name = models.CharField(_("bureau"), max_length=80)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    parent = models.ForeignKey(
        "self", verbose_name=_("city"), null=True, blank=True, on_delete=models.PROTECT, related_name="counties",
        help_text=_("For a county-level division: the city it belongs to."),
    )
    history = HistoricalRecords()

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            # A county sits under a city; a nominating unit under nothing.
            models.CheckConstraint(
                condition=(Q(kind="county") & Q(parent__isnull=False)) | (~Q(kind="county") & Q(parent__isnull=True)),
                name="region_parent_iff_county",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_county(self) -> bool:
        return self.kind == self.Kind.COUNTY

    @property
    def city_id(self):
        """The nominating unit this region reports to: its parent for a county, itself otherwise."""
        return self.parent_id if self.is_county else self.pk


class User(AbstractUser):
    class Role(models.TextChoices):
        OFFICE = "office", _("Provincial office")
        BUREAU = "bureau", _("City bureau")
        EXPERT = "expert", _("Expert")
        PARTNER = "partner", _("Finance partner")
        # Confirms payments and budget overrides that the office recorded (four eyes).
        APPROVER = "approver", _("Approver")
        # 县(市、区)科技部门: prepares nominations its city bureau forwards; sees its county's figures.
        COUNTY = "county", _("County bureau")

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email_digest = models.BooleanField(
        _("one daily e-mail digest"), default=False,
        help_text=_("Receive one e-mail a day listing the day's notifications, instead of one e-mail each."),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A bureau (city or county) account always acts for exactly one region; nobody else has one.
            models.CheckConstraint(
                condition=(Q(role__in=["bureau", "county"]) & Q(region__isnull=False))
                | (~Q(role__in=["bureau", "county"]) & Q(region__isnull=True)),
                name="user_region_iff_bureau",
            )
        ]

    def __str__(self):
        return self.full_name or self.username

    def has_perm(self, perm, obj=None):
        # The programme's rules bind superusers too: Django would let a superuser through every
        # check, so the office's admin account could then submit or withdraw a bureau's nomination.
        # A permission defined in an app's rules.py is decided by its rule alone.
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def clean(self):
        super().clean()
        if self.role == self.Role.BUREAU and not self.region_id:
            raise ValidationError({"region": _("A city bureau account must have a region.")})
        if self.role == self.Role.COUNTY and not self.region_id:
            raise ValidationError({"region": _("A county bureau account must have its county.")})
        if self.role not in (self.Role.BUREAU, self.Role.COUNTY) and self.region_id:
            raise ValidationError({"region": _("Only city bureau accounts have a region.")})
        if self.region_id and self.role == self.Role.COUNTY and not self.region.is_county:
            raise ValidationError({"region": _("A county bureau account belongs to a county-level division.")})
        if self.region_id and self.role == self.Role.BUREAU and self.region.is_county:
            raise ValidationError({"region": _("A city bureau account belongs to a city, not to a county.")})


class CycleQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).first()


class Cycle(models.Model):
    """One year of the programme: its nomination window, quotas and status."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    nomination_opens = models.DateTimeField(_("nominations open"))
    nomination_closes = models.DateTimeField(_("nominations close"))
    enterprise_quota = models.PositiveSmallIntegerField(_("enterprise quota"), default=60)
    incubator_quota = models.PositiveSmallIntegerField(_("incubator quota"), default=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    is_current = models.BooleanField(_("current year"), default=False)
    history = HistoricalRecords()

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("programme year")
        verbose_name_plural = _("programme years")
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_cycle"),
            models.CheckConstraint(
                condition=Q(nomination_closes__gt=models.F("nomination_opens")), name="cycle_window_ordered"
            ),
        ]

    def __str__(self):
        return str(_("%(year)s programme year") % {"year": self.year})

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    def nomination_window_open(self, at=None):
        from django.utils import timezone

        at = at or timezone.now()
        return self.status == self.Status.OPEN and self.nomination_opens <= at < self.nomination_closes


class Notification(models.Model):
    """What a user is told: shown on their home page and sent by e-mail."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return self.subject


class NominationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


class Nomination(models.Model):
    """What every kind of nomination (推荐) shares: the year, the region, its state and version.

    Enterprise, incubator and finance-institution nominations subclass this; their state
    changes go through `pojian.domain.workflow.transition`, never through `save()` alone.
    """

    State = NominationState

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=15, choices=NominationState.choices, default=NominationState.DRAFT)
    state_reason = models.TextField(_("reason"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Optimistic locking: every write bumps it; a stale form is refused, never overwrites.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def nominee_name(self) -> str:
        raise NotImplementedError

    @property
    def nominee_uscc(self) -> str:
        raise NotImplementedError

    @property
    def is_editable_by_bureau(self) -> bool:
        return self.state in (NominationState.DRAFT, NominationState.RETURNED) and not self.cycle.is_closed


class Job(models.Model):
    """A long-running piece of work done by Celery (import, export, check, report), with its progress.

    The user watches it on a page with a progress bar; the result file is kept for download.
    `dedupe_key` makes a kind of job once-at-a-time: a second request joins the running one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    params = models.JSONField(default=dict, blank=True)
    input_file = SafeFileField(upload_to="jobs/in/%Y/%m/", blank=True, kinds=(XLSX,))
    result_file = models.FileField(upload_to="jobs/out/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="jobs")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dedupe_key = models.CharField(max_length=120, blank=True)
    # Where the job was started (its page links back there) and what to do once it is done.
    origin_url = models.CharField(_("started from"), max_length=300, blank=True)
    origin_label = models.CharField(max_length=200, blank=True)
    next_url = models.CharField(_("next step"), max_length=300, blank=True)
    next_label = models.CharField(max_length=200, blank=True)
    # Files the job produced besides result_file: [{"label": ..., "url": ...}].
    outputs = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="one_active_job_per_key",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class CalendarYear(models.Model):
    """A year whose official holiday schedule (放假安排, with 调休) is loaded; other years are refused."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("working-day calendar")

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the plain week: a holiday off, or a weekend day worked (调休)."""

    class Kind(models.TextChoices):
        OFF = "off", _("Day off")
        WORKING = "working", _("Make-up working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("holiday"), max_length=60)
    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.day} {self.name}（{self.get_kind_display()}）"
class Download(models.Model):
    """One fetch of a stored file or an exported list: who, when, what (written by pojian.downloads only)."""

    class Category(models.TextChoices):
        FILE = "file", _("Uploaded document")
        EXPORT = "export", _("Export or report")

    user = models.ForeignKey(User, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("username"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    category = models.CharField(_("kind"), max_length=10, choices=Category.choices)
    subject = models.CharField(_("what"), max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    path = models.CharField(_("address"), max_length=400)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        indexes = [models.Index(fields=["user", "at"], name="download_user_at")]

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {self.file_name}"
