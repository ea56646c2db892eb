"""Background jobs: start one, report progress, finish with a file, fail with every error listed.

A Celery task for a job is thin:

    @shared_task
    def import_tax(job_id):
        run_job(job_id, import_tax_file)          # import_tax_file(job, progress) -> result

The work function raises `JobFailed(message, errors)` to end the job as failed with a list of
row errors (nothing is changed: the work function runs inside one transaction when it asks for
it); any other exception fails the job with its message and is re-raised for the worker log.
"""

import datetime
import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..models import Job

log = logging.getLogger(__name__)


class JobFailed(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or []


def raise_row_errors(errors):
    """An import is all or nothing: with any bad row ([{row, column, message}]), fail listing every
    problem in row order, so that the user corrects the whole file at once; nothing is written."""
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise JobFailed(
            _("The file has %(n)s problems in %(rows)s rows; nothing was imported. Correct them and upload the file again.")
            % {"n": len(errors), "rows": len({e["row"] for e in errors})},
            list(errors),
        )


def run_import_job(job, progress, import_file, **kwargs):
    """Work for run_job of an uploaded list: `import_file(the job's input file, by=, progress=, **kwargs)`
    in the language the job was started in; the result's message() is the job's message."""
    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        with job.input_file.open("rb") as f:
            result = import_file(f, by=job.created_by, progress=progress, **kwargs)
        return result.message()


def identical_request_key(*, kind, params, by, region):
    """The dedupe key of a request: the same kind, parameters, requester and region are the same work."""
    import hashlib
    import json

    raw = json.dumps([kind, params or {}, getattr(by, "pk", None), getattr(region, "pk", region)], sort_keys=True,
                     default=str)
    return f"{kind[:60]}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def start_job(*, kind, title, by, task, params=None, input_file=None, region=None, dedupe_key="", origin=None,
              next_step=None):
    """Record a job and send its task once the transaction commits.

    The job row is written in the caller's transaction: it exists exactly when the change that
    needs it does. Identical requests (same kind, parameters, requester and region; an upload is
    never identical to another) join the job already queued or running, as does any request with
    the same explicit dedupe_key (the database enforces it too). Sending never fails the request:
    with the broker away the job stays queued and `resend_queued_jobs` sends it later.

    `origin` and `next_step` are (url, label) pairs: the job's page links back to the page it
    was started from and, once done, offers the next step (e.g. “View the check results”).
    """
    if not dedupe_key and input_file is None:
        dedupe_key = identical_request_key(kind=kind, params=params, by=by, region=region)
    if dedupe_key:
        active = Job.objects.filter(dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
        if active:
            return active, False
    try:
        with transaction.atomic():
            origin_url, origin_label = origin or ("", "")
            next_url, next_label = next_step or ("", "")
            job = Job.objects.create(
                kind=kind, title=str(title)[:200], created_by=by, params={**(params or {}), TASK_KEY: task.name},
                region=region, dedupe_key=dedupe_key, origin_url=origin_url, origin_label=str(origin_label)[:200],
                next_url=next_url, next_label=str(next_label)[:200],
            )
            if input_file is not None:
                job.input_file.save(Path(input_file.name).name, input_file, save=True)
    except IntegrityError:
        # Lost a race with an identical request: join it.
        return Job.objects.get(dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]), False
    transaction.on_commit(lambda: send_job(job.pk, task.name))
    return job, True


TASK_KEY = "_task"  # in Job.params: the name of the Celery task that runs the job


def send_job(job_id, task_name):
    """Send the job's task; a broker that cannot be reached is logged, never raised (the job stays queued)."""
    from pojian.celery import app

    try:
        task = app.tasks.get(task_name)
        if task is not None:
            task.delay(job_id)
        else:
            app.send_task(task_name, args=[job_id])
    except Exception:  # noqa: BLE001 - any broker failure: the re-send beat task sends it later
        log.warning("job %s: the broker could not be reached; it stays queued and will be sent again", job_id,
                    exc_info=True)
        return False
    return True


def resend_queued_jobs(*, older_than=None):
    """Send again every job queued longer than `older_than` and never started (its message was lost).

    A job sent twice runs once: run_job claims it. Returns how many were sent.
    """
    older_than = settings.JOB_RESEND_AFTER if older_than is None else older_than
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than)
    sent = 0
    for job in Job.objects.filter(status=Job.Status.QUEUED, started_at__isnull=True, created_at__lte=cutoff,
                                  params__has_key=TASK_KEY):
        sent += send_job(job.pk, job.params[TASK_KEY])
    return sent


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


def _claim(job_id):
    """Hold the job for this run until the caller's transaction ends (PostgreSQL advisory lock).

    A second delivery of the same job (a re-send, a redelivery after a worker died) waits here,
    then finds the job finished and does nothing.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [JOB_LOCK_SPACE, job_id])


JOB_LOCK_SPACE = 7411  # the advisory-lock namespace of jobs


def _finish(job_id, job, progress, message):
    total = progress.seen.get("total", job.total)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, total=total, progress=total or progress.seen.get("progress", job.progress),
        message=str(message or progress.seen.get("message") or job.message or ""), finished_at=timezone.now(),
    )


PAUSE_ENV = "POJIAN_JOBS_TEST_PAUSE"  # test-only: "<stage>:<seconds>", so a test can kill a worker there


def _test_pause(stage):
    wanted, _sep, seconds = (os.environ.get(PAUSE_ENV) or "").partition(":")
    if wanted == stage:
        log.warning("job paused at %s (%s)", stage, PAUSE_ENV)
        time.sleep(float(seconds or 60))


def run_job(job_id, work, *, atomic=False):
    """Run `work(job, progress)` for a job; safe to call twice (a finished job is not redone).

    With atomic=True the work and the job's status (done, with its message) are written in one
    transaction: a worker killed at any point leaves either nothing or the finished job, and a
    redelivered task finds the job done and stops.
    """
    job = Job.objects.get(pk=job_id)
    if job.status in (Job.Status.DONE, Job.Status.FAILED):
        return job
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now(), errors=[], message="")
    progress = Progress(job_id)
    try:
        if atomic:
            with transaction.atomic():
                _claim(job_id)
                job.refresh_from_db()
                if job.status in (Job.Status.DONE, Job.Status.FAILED):
                    return job
                message = work(job, progress)
                job.refresh_from_db()
                _finish(job_id, job, progress, message)
                _test_pause("work_done")
            _test_pause("committed")
        else:
            message = work(job, progress)
            _test_pause("work_done")
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
    if not atomic:
        job.refresh_from_db()
        _finish(job_id, job, progress, message)
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


def send_on_commit(task, *args):
    """Send `task(*args)` when the transaction commits; a broker that is away is logged, never raised."""

    def send():
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - a lost message must not turn a saved change into a 500
            log.warning("task %s%r could not be sent: the broker could not be reached", task.name, args, exc_info=True)

    transaction.on_commit(send)
