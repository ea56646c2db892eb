"""A real worker killed with SIGKILL at each stage of an import and of the annual report, then the
task delivered again (as Redis does once the visibility timeout passes): exactly one outcome, with
the right status. Stages: the work done but not committed; committed with the job's status."""

import os
import signal
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from enterprises.models import EnterpriseNomination
from pojian.domain import jobs
from pojian.models import Job
from reports.domain import annual
from reports.models import AnnualReport
from tests.enterprises.test_import_nominations import row, workbook
from tests.reports.factories import known_year
from tests.reports.test_worker_kill import files_under, forget_queue, start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_queue(settings, tmp_path, test_database_url):
    """(queue, env for a worker subprocess, media folder); the app sends to that queue meanwhile."""
    from django.conf import settings as dj

    if dj.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("no Celery broker configured (set CELERY_BROKER_URL); CI runs this")
    from pojian.celery import app

    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    queue = f"kill-test-{uuid.uuid4().hex[:10]}"
    old = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    env = {**os.environ, "DATABASE_URL": test_database_url, "CELERY_BROKER_URL": dj.CELERY_BROKER_URL,
           "MEDIA_ROOT": str(media), "DJANGO_SETTINGS_MODULE": "pojian.settings"}
    try:
        yield queue, env, media
    finally:
        app.conf.task_default_queue = old
        forget_queue(dj.CELERY_BROKER_URL, queue)


def kill_at(stage, queue, env, log_path, start):
    """Start a worker that pauses at `stage`, start the work, SIGKILL the worker there. Returns start()'s value."""
    with open(log_path, "w") as log:
        worker = start_worker(queue, {**env, jobs.PAUSE_ENV: f"{stage}:120"}, log)
        try:
            value = start()
            wait_for(lambda: f"job paused at {stage}" in Path(log_path).read_text(), 120, f"the worker to reach {stage}")
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
    assert worker.returncode == -signal.SIGKILL
    return value


def deliver_again(task_name, job_id, queue, env, log_path):
    """What Redis does with the killed worker's unacknowledged message: deliver it to a healthy worker."""
    from pojian.celery import app

    def runs():
        return Path(log_path).read_text().count(f"{task_name}[") // 2  # "received" and "succeeded" lines

    with open(log_path, "a") as log:
        worker = start_worker(queue, env, log)
        try:
            before = runs()
            app.send_task(task_name, args=[job_id], queue=queue)
            wait_for(lambda: runs() > before and Job.objects.filter(
                pk=job_id, status__in=[Job.Status.DONE, Job.Status.FAILED]).exists(), 120, "the job to end")
            # A second delivery after that changes nothing either.
            app.send_task(task_name, args=[job_id], queue=queue)
            wait_for(lambda: runs() > before + 1, 60, "the second delivery to be handled")
        finally:
            worker.terminate()
            worker.wait(timeout=30)


@pytest.mark.parametrize("stage,status_at_kill,rows_at_kill", [
    ("work_done", Job.Status.RUNNING, 0),  # killed inside the import's transaction: nothing imported
    ("committed", Job.Status.DONE, 3),  # killed after the commit: rows and the job's status, together
])
def test_import_killed_at_each_stage_ends_with_one_outcome(private_queue, tmp_path, cycle, bureau, stage,
                                                            status_at_kill, rows_at_kill):
    from enterprises import tasks

    queue, env, _media = private_queue
    log_path = tmp_path / "worker.log"

    def start():
        job, _ = jobs.start_job(
            kind="enterprises.import_nominations", title="导入", by=bureau, task=tasks.import_nominations,
            params={"cycle": cycle.pk, "language": "zh-hans"}, region=bureau.region,
            input_file=ContentFile(workbook([row(1), row(2), row(3)]).getvalue(), name="nominations.xlsx"),
        )
        return job

    job = kill_at(stage, queue, env, log_path, start)
    job.refresh_from_db()
    assert job.status == status_at_kill
    assert EnterpriseNomination.objects.filter(cycle=cycle).count() == rows_at_kill

    deliver_again(tasks.import_nominations.name, job.pk, queue, env, log_path)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.message, job.errors, log_path.read_text()[-3000:])
    assert EnterpriseNomination.objects.filter(cycle=cycle).count() == 3  # imported once


def test_annual_report_killed_after_it_finished_is_done_once(private_queue, tmp_path, cycle, office):
    from reports.tasks import generate_annual_report

    queue, env, media = private_queue
    known_year(cycle)
    log_path = tmp_path / "worker.log"
    report = kill_at("work_done", queue, env, log_path, lambda: annual.request_report(year=cycle.year, by=office)[0])
    report = AnnualReport.objects.select_related("job").get(pk=report.pk)
    assert report.job.status == Job.Status.DONE and report.pdf and report.xlsx  # files and status together
    files = files_under(media)
    assert files == sorted([report.pdf.name, report.xlsx.name])

    deliver_again(generate_annual_report.name, report.job_id, queue, env, log_path)
    report.refresh_from_db()
    assert report.job.status == Job.Status.DONE
    assert files_under(media) == files  # not made a second time
