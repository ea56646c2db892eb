"""Annual reports (the generated files, kept) and the progress figures the office has released."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pojian.models import Cycle, Job, Region, User


class AnnualReport(models.Model):
    """One generated annual report (PDF and workbook) for a year and the province or one region.

    The work runs as a `pojian.models.Job` (progress bar, once-at-a-time by its dedupe key, the
    shared job page); this row keeps what the job made: both files, who asked and when, so they
    can be downloaded again later. Status is the job's.
    """

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty: the whole province."),
    )
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    scheduled = models.BooleanField(_("scheduled"), default=False)
    job = models.OneToOneField(Job, verbose_name=_("background job"), on_delete=models.PROTECT, related_name="annual_report")
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True, max_length=200)
    xlsx = models.FileField(_("workbook"), upload_to="reports/", blank=True, max_length=200)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        indexes = [models.Index(fields=["cycle", "region"])]

    def __str__(self):
        return str(self.title)

    @property
    def year(self):
        return self.cycle.year

    @property
    def scope(self):
        return self.region.name if self.region_id else _("Jilin Province")

    @property
    def title(self):
        return _("%(year)s annual report · %(scope)s") % {"year": self.cycle.year, "scope": self.scope}

    @property
    def status(self):
        return self.job.status

    def get_status_display(self):
        return self.job.get_status_display()

    def file_name(self, kind):
        """The name a download gets: 2026年度报告-长春市.pdf."""
        return _("%(year)s-annual-report-%(scope)s.%(ext)s") % {"year": self.cycle.year, "scope": self.scope, "ext": kind}


class ProgressRelease(models.Model):
    """Progress figures the office has released to the public page (定期公布): a snapshot.

    The public page shows the latest release of a year, never live figures: what the office
    has not released is not public.
    """

    cycle = models.ForeignKey(Cycle, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released"), auto_now_add=True)
    released_by = models.ForeignKey(User, verbose_name=_("released by"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        ordering = ["-released_at", "-pk"]
        get_latest_by = "released_at"
        verbose_name = _("released progress figures")
        verbose_name_plural = _("released progress figures")

    def __str__(self):
        return f"{self.cycle.year} · {self.released_at:%Y-%m-%d %H:%M}"


class StatisticsReturn(models.Model):
    """A statistics return (统计报表) the office asks the bureaus to file for one period.

    `fields` is the list the bureaus fill in: [{"key", "label", "kind": "int"|"decimal"|"text",
    "source": a key of `reports.domain.returns.SOURCES` or ""}]; a field with a source is filled in
    from what the portal already knows. It is due `due_working_days` working days after the period
    ends (the portal's calendar), on `due_on`.
    """

    class Period(models.TextChoices):
        MONTHLY = "month", _("Monthly")
        QUARTERLY = "quarter", _("Quarterly")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for filing")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=120)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    due_working_days = models.PositiveSmallIntegerField(_("due, working days after the period"), default=10)
    due_on = models.DateField(_("due on"))
    include_counties = models.BooleanField(_("county bureaus file too"), default=False)
    fields = models.JSONField(_("fields"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("statistics return")
        verbose_name_plural = _("statistics returns")
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="return_period_ordered"),
        ]

    def __str__(self):
        return f"{self.title}（{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}）"


class ReturnFiling(models.Model):
    """One bureau's (city or county) filing of one statistics return: the values, who filed and when."""

    statistics_return = models.ForeignKey(
        StatisticsReturn, verbose_name=_("statistics return"), on_delete=models.CASCADE, related_name="filings"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(_("values"), default=dict)
    filed_by = models.ForeignKey(User, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"))
    late = models.BooleanField(_("late"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["statistics_return", "region__sort_order", "region__code"]
        verbose_name = _("return filing")
        verbose_name_plural = _("return filings")
        constraints = [
            models.UniqueConstraint(fields=["statistics_return", "region"], name="one_filing_per_region"),
        ]

    def __str__(self):
        return f"{self.statistics_return} · {self.region}"


class ReturnBulletin(models.Model):
    """A progress bulletin (定期公布) drafted from a return's totals; the office edits and publishes it."""

    statistics_return = models.OneToOneField(
        StatisticsReturn, verbose_name=_("statistics return"), on_delete=models.PROTECT, related_name="bulletin"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        User, verbose_name=_("published by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-statistics_return__period_start"]
        verbose_name = _("progress bulletin")
        verbose_name_plural = _("progress bulletins")

    def __str__(self):
        return self.title
