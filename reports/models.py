"""Annual reports (the generated files, kept) and the progress figures the office has released."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
