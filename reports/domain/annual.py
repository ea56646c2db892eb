"""Generating annual reports as background jobs: request, run, re-run; and the command's direct path.

Choice: an `AnnualReport` row per request, each with a `pojian.models.Job`. The job gives the
progress bar (the shared job page), the once-at-a-time rule (dedupe key per year and scope)
and run_job's "a finished job is not redone"; the AnnualReport keeps two files (the job has
room for one), who asked and when, so reports stay downloadable later, and a bureau can be
given its region's reports without seeing anyone's jobs.

No half file, ever: the PDF is built in memory and the workbook in a scratch folder OUTSIDE
MEDIA_ROOT; only when both are complete are they copied next to their final names under a
temporary name and renamed in one step. A worker killed mid-report (SIGKILL: no `finally`
runs) therefore leaves nothing under MEDIA_ROOT; its scratch folder is in the system temp
folder and is removed when the report is run again. A job whose worker died stays "running";
after STALE_AFTER without a sign of life the office may run it again (`rerun_report`).
"""

import glob
import os
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.jobs import add_outputs, send_job, start_job
from pojian.models import Job, Region

from ..models import AnnualReport
from . import render
from .figures import cycle_for, enterprise_year_count, report_data

KIND = "annual_report"
STALE_AFTER = timedelta(minutes=10)
# Test-only: seconds to pause after each PDF chunk, so a test can kill the worker mid-report.
PAUSE_ENV = "POJIAN_REPORTS_TEST_PAUSE"
ROWS_PER_STEP = 5000


def dedupe_key(year, region=None):
    return f"annual-report:{year}:{region.code if region is not None else 'province'}"


def region_for(code):
    """The region of a division code; None for "" (the province). Raises ValidationError for an unknown code."""
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        known = ", ".join(Region.objects.nominating().values_list("code", flat=True))
        raise ValidationError(_("There is no region with code %(code)s (known codes: %(known)s).") % {"code": code, "known": known})
    return region


def request_report(*, year, region=None, by, scheduled=False):
    """Ask for a report; returns (report, created). A report of the same year and scope already
    queued or running is returned instead of starting a second one."""
    if not by.has_perm("reports.request_report"):
        raise PermissionDenied(_("Only the provincial office may generate annual reports."))
    cycle = cycle_for(year)
    from ..tasks import generate_annual_report

    title = _("%(year)s annual report · %(scope)s") % {
        "year": year, "scope": region.name if region is not None else _("Jilin Province")}
    with transaction.atomic():
        job, created = start_job(
            kind=KIND, title=title, by=by, task=generate_annual_report, region=region,
            params={"year": year, "region": region.code if region is not None else ""},
            dedupe_key=dedupe_key(year, region),
            origin=(reverse("reports:reports"), _("the annual reports")),
            next_step=(reverse("reports:reports"), _("View the annual reports")),
        )
        if created:
            report = AnnualReport.objects.create(cycle=cycle, region=region, requested_by=by, job=job, scheduled=scheduled)
        else:
            report = AnnualReport.objects.filter(job=job).first()
    return report, created


def last_sign_of_life(report):
    return report.heartbeat_at or report.job.started_at or report.created_at


def is_stale(report, *, now=None):
    """Queued or running, and no sign of life for STALE_AFTER: its worker has most likely died."""
    now = now or timezone.now()
    return report.job.is_active and now - last_sign_of_life(report) > STALE_AFTER


def can_rerun(report):
    return report.job.status == Job.Status.FAILED or is_stale(report)


def rerun_report(report, *, by):
    """Run a failed report again, or one whose worker died (stale). The same job and report row are reused."""
    if not by.has_perm("reports.request_report"):
        raise PermissionDenied(_("Only the provincial office may generate annual reports."))
    from ..tasks import generate_annual_report

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=report.job_id)
        report.job = job
        if job.status == Job.Status.DONE:
            raise ValidationError(_("This report is finished; ask for a new one to get today's figures."))
        if job.is_active and not is_stale(report):
            raise ValidationError(_("This report is still being generated."))
        try:
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).update(
                    status=Job.Status.QUEUED, progress=0, total=0, message="", errors=[], started_at=None, finished_at=None
                )
        except IntegrityError:
            raise ValidationError(_("Another report for the same year and region is being generated.")) from None
        AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=None)
        transaction.on_commit(lambda: send_job(job.pk, generate_annual_report.name))
    job.refresh_from_db()
    return report


def _scratch_prefix(report):
    return f"pojian-report-{report.pk}-"


def _partial_prefix(report):
    return f".partial-report-{report.pk}-"


def clean_leftovers(report):
    """Remove what an earlier, killed run of this report left: its scratch folders and any temporary file."""
    for path in glob.glob(os.path.join(tempfile.gettempdir(), _scratch_prefix(report) + "*")):
        shutil.rmtree(path, ignore_errors=True)
    folder = Path(settings.MEDIA_ROOT) / "reports" / str(report.cycle.year)
    for path in folder.glob(_partial_prefix(report) + "*"):
        path.unlink(missing_ok=True)


def _publish(report, relative, write):
    """Write a file under MEDIA_ROOT/relative: under a temporary name first, renamed when complete."""
    final = Path(settings.MEDIA_ROOT) / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=_partial_prefix(report), suffix=final.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return final


def _pause():
    seconds = float(os.environ.get(PAUSE_ENV) or 0)
    if seconds > 0:
        time.sleep(seconds)


def run_report(job, progress):
    """The job's work (for `pojian.domain.jobs.run_job`): data, PDF in chunks, workbook, then both files at once."""
    report = AnnualReport.objects.select_related("cycle", "region").get(job=job)
    if report.pdf and report.xlsx and report.finished_at:
        # A redelivery of a report whose worker died after finishing it: the work is done.
        Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, finished_at=report.finished_at)
        return _("Finished: %(pages)s pages.") % {"pages": report.pages}
    clean_leftovers(report)
    beat = {"last": 0.0}

    def step(done, total=None, message=None, force=False):
        progress(done, total=total, message=message, force=force)
        now = time.monotonic()
        if force or now - beat["last"] > 5:
            beat["last"] = now
            AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now())

    scratch = tempfile.mkdtemp(prefix=_scratch_prefix(report))
    try:
        with translation.override(render.LANGUAGE):
            step(0, total=1, message=_("Counting the figures…"), force=True)
            data = report_data(year=report.cycle.year, region=report.region)
            contexts = render.pdf_contexts(data)
            rows = enterprise_year_count(year=report.cycle.year, region=report.region)
            row_steps = max(1, -(-rows // ROWS_PER_STEP))
            total = 1 + len(contexts) + row_steps + 1
            step(1, total=total, message=_("Drawing the PDF…"), force=True)

            def on_chunk(i, n):
                step(1 + i, message=_("Drawing the PDF: part %(i)s of %(n)s") % {"i": i, "n": n}, force=True)
                _pause()

            pdf, pages = render.render_report_pdf(data, contexts=contexts, on_chunk=on_chunk)
            done = 1 + len(contexts)
            xlsx_tmp = os.path.join(scratch, "report.xlsx")
            render.write_report_workbook(
                xlsx_tmp, data,
                on_rows=lambda n: step(done + min(row_steps, n // ROWS_PER_STEP),
                                       message=_("Writing the workbook: %(n)s enterprises") % {"n": n}),
                every=ROWS_PER_STEP,
            )
            base = f"reports/{report.cycle.year}/{report.pk}-{report.region.code if report.region_id else 'province'}"
            _publish(report, base + ".pdf", lambda p: Path(p).write_bytes(pdf))
            _publish(report, base + ".xlsx", lambda p: shutil.copyfile(xlsx_tmp, p))
            now = timezone.now()
            message = _("Finished: %(pages)s pages, %(rows)s enterprises in the workbook.") % {"pages": pages, "rows": rows}
            with transaction.atomic():  # the report's files, the job's links and its status: one step
                AnnualReport.objects.filter(pk=report.pk).update(
                    pdf=base + ".pdf", xlsx=base + ".xlsx", finished_at=now, heartbeat_at=now, pages=pages
                )
                add_outputs(job, [(_("Download %(name)s") % {"name": report.file_name("xlsx")},
                                   reverse("reports:download_xlsx", args=[report.pk]))])
                Job.objects.filter(pk=job.pk).update(
                    result_file=base + ".pdf", result_name=report.file_name("pdf"), status=Job.Status.DONE,
                    progress=total, total=total, message=message, finished_at=now,
                )
            return message
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_report_files(*, year, region=None, out_dir):
    """The command's path: write the report's PDF and workbook into `out_dir` (no job). Returns both paths.

    Raises ValidationError (unknown year) or OSError (the folder cannot be written).
    """
    out = Path(out_dir)
    with translation.override(render.LANGUAGE):
        data = report_data(year=year, region=region)
        scope = region.name if region is not None else _("Jilin Province")
        stem = _("%(year)s-annual-report-%(scope)s") % {"year": year, "scope": scope}
        pdf, _pages = render.render_report_pdf(data)
        pdf_path, xlsx_path = out / f"{stem}.pdf", out / f"{stem}.xlsx"
        _write_atomic(pdf_path, lambda p: Path(p).write_bytes(pdf))
        _write_atomic(xlsx_path, lambda p: render.write_report_workbook(p, data))
    return pdf_path, xlsx_path


def _write_atomic(final, write):
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".partial-", suffix=final.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return final
