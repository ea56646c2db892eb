"""Background jobs: start one, report progress, finish with a file, fail with every error listed.

A Celery task for a job is thin:

    @shared_task
    def import_tax(job_id):
        run_job(job_id, import_tax_file)          # import_tax_file(job, progress) -> result

The work function raises `JobFailed(message, errors)` to end the job as failed with a list of
row errors (nothing is changed: the work function runs inside one transaction when it asks for
it); any other exception fails the job with its message and is re-raised for the worker log.
"""

import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Job

log = logging.getLogger(__name__)


class JobFailed(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or []


def start_job(*, kind, title, by, task, params=None, input_file=None, region=None, dedupe_key="", origin=None,
              next_step=None):
    """Record a job and send its task once the transaction commits.

    `origin` and `next_step` are (url, label) pairs: the job's page links back to the page it
    was started from and, once done, offers the next step (e.g. “View the check results”).

    With a dedupe_key, a job of that key already queued or running is returned instead of a
    second one (the database enforces it too).
    """
    if dedupe_key:
        active = Job.objects.filter(dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
        if active:
            return active, False
    try:
        with transaction.atomic():
            origin_url, origin_label = origin or ("", "")
            next_url, next_label = next_step or ("", "")
            job = Job.objects.create(
                kind=kind, title=str(title)[:200], created_by=by, params=params or {}, region=region,
                dedupe_key=dedupe_key, origin_url=origin_url, origin_label=str(origin_label)[:200],
                next_url=next_url, next_label=str(next_label)[:200],
            )
            if input_file is not None:
                job.input_file.save(Path(input_file.name).name, input_file, save=True)
    except IntegrityError:
        # Lost a race with an identical request: join it.
        return Job.objects.get(dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]), False
    transaction.on_commit(lambda: task.delay(job.pk))
    return job, True


class Progress:
    """Write progress at most a few times a second: cheap enough to call for every row.

    Inside the work's own transaction (an all-or-nothing import, the year-wide check's COPY) an
    update of the job row would show only at the commit, and the bar would jump from 0 to done.
    On PostgreSQL such an update goes through a second connection of its own, in autocommit, so
    the bar moves while the work runs. It skips a job row that is locked (SKIP LOCKED) rather than
    wait for it: progress is best effort and must never block the work.
    """

    def __init__(self, job_id, interval=0.5):
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0
        self._aside = None
        self.seen = {}

    def __call__(self, done, total=None, message=None, force=False):
        # What was last reported, written or not: run_job ends the job with it.
        self.seen["progress"] = done
        if total is not None:
            self.seen["total"] = total
        if message is not None:
            self.seen["message"] = str(message)
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        fields = {"progress": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = str(message)
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self._write_aside(fields)
        else:
            Job.objects.filter(pk=self.job_id).update(**fields)

    def _write_aside(self, fields):
        if self._aside is False:
            return  # the second connection failed once: the job goes on without a live bar
        table = connection.ops.quote_name(Job._meta.db_table)
        columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        try:
            if self._aside is None:
                self._aside = connection.copy()
            with self._aside.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {columns} "
                    f"WHERE id IN (SELECT id FROM {table} WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED)",
                    [*fields.values(), self.job_id],
                )
        except DatabaseError:
            log.warning("job %s: progress could not be shown while it runs", self.job_id, exc_info=True)
            self.close()
            self._aside = False

    def close(self):
        if self._aside:
            try:
                self._aside.close()
            except DatabaseError:
                pass
        self._aside = None


def run_job(job_id, work, *, atomic=False):
    """Run `work(job, progress)` for a job; safe to call twice (a finished job is not redone)."""
    job = Job.objects.get(pk=job_id)
    if job.status in (Job.Status.DONE, Job.Status.FAILED):
        return job
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now(), errors=[], message="")
    progress = Progress(job_id)
    try:
        if atomic:
            with transaction.atomic():
                message = work(job, progress)
        else:
            message = work(job, progress)
    except JobFailed as e:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, message=e.message, errors=e.errors, finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    except Exception as e:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, message=_("The job stopped with an error: %(error)s") % {"error": e},
            finished_at=timezone.now(),
        )
        raise
    finally:
        progress.close()
    job.refresh_from_db()
    total = progress.seen.get("total", job.total)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, total=total, progress=total or progress.seen.get("progress", job.progress),
        message=str(message or progress.seen.get("message") or job.message or ""), finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def add_outputs(job, outputs):
    """Record the files a job produced besides its result file: [(label, url), ...]."""
    job.outputs = [{"label": str(label), "url": url} for label, url in outputs]
    Job.objects.filter(pk=job.pk).update(outputs=job.outputs)


def save_result(job, filename, write):
    """Make the job's result file with `write(path)`; it appears under its final name only when complete.

    The file is written to a temporary name in the same folder and renamed in one step, so a
    worker that dies mid-way leaves no half file behind.
    """
    relative = Path("jobs/out") / timezone.now().strftime("%Y/%m") / f"{job.pk}-{filename}"
    final = Path(settings.MEDIA_ROOT) / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".partial-", suffix=final.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    Job.objects.filter(pk=job.pk).update(result_file=str(relative), result_name=filename)
    job.result_file.name, job.result_name = str(relative), filename
    return final
