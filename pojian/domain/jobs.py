"""Background jobs: start one, report progress, finish with a file, fail with every error listed.

A Celery task for a job is thin:

    @shared_task
    def import_tax(job_id):
        run_job(job_id, import_tax_file)          # import_tax_file(job, progress) -> result

The work function raises `JobFailed(message, errors)` to end the job as failed with a list of
row errors (nothing is changed: the work function runs inside one transaction when it asks for
it); any other exception fails the job with its message and is re-raised for the worker log.
"""

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Job


class JobFailed(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or []


def start_job(*, kind, title, by, task, params=None, input_file=None, region=None, dedupe_key=""):
    """Record a job and send its task once the transaction commits.

    With a dedupe_key, a job of that key already queued or running is returned instead of a
    second one (the database enforces it too).
    """
    if dedupe_key:
        active = Job.objects.filter(dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
        if active:
            return active, False
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, title=str(title)[:200], created_by=by, params=params or {}, region=region,
                dedupe_key=dedupe_key,
            )
            if input_file is not None:
                job.input_file.save(Path(input_file.name).name, input_file, save=True)
    except IntegrityError:
        # Lost a race with an identical request: join it.
        return Job.objects.get(dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]), False
    transaction.on_commit(lambda: task.delay(job.pk))
    return job, True


class Progress:
    """Write progress at most a few times a second: cheap enough to call for every row."""

    def __init__(self, job_id, interval=0.5):
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0

    def __call__(self, done, total=None, message=None, force=False):
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        fields = {"progress": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = str(message)
        # Outside any transaction of the work itself, so the user sees it while the job runs.
        Job.objects.filter(pk=self.job_id).update(**fields)


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
    job.refresh_from_db()
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, progress=job.total or job.progress, message=str(message or job.message or ""),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


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
