"""A real `celery -A pojian worker` process on Redis, killed with SIGKILL in the middle of a report:
nothing half-written under MEDIA_ROOT, and the report can be run again to completion."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from pojian.models import Job
from reports.domain import annual
from reports.models import AnnualReport
from tests import pdfcheck
from tests.reports.factories import known_year

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


def start_worker(queue, env, log):
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [celery, "-A", "pojian", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def forget_queue(broker_url, queue):
    """Drop the killed worker's unacknowledged message for our private queue (it would come back in 4 h)."""
    import redis

    r = redis.Redis.from_url(broker_url)
    for tag, raw in r.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError):
            continue
        if routing_key == queue:
            r.hdel("unacked", tag)
            r.zrem("unacked_index", tag)
    r.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def test_killed_worker_leaves_no_partial_file_and_the_report_runs_again(
    cycle, office, settings, tmp_path, test_database_url
):
    from django.conf import settings as dj

    if dj.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("no Celery broker configured (set CELERY_BROKER_URL); CI runs this")
    from pojian.celery import app

    known_year(cycle)
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    queue = f"reports-test-{uuid.uuid4().hex[:10]}"
    # The default queue, not task_routes: Celery caches its routing table at the first send, so
    # routes set here would be ignored after any earlier test has sent a task.
    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    env = {**os.environ, "DATABASE_URL": test_database_url, "CELERY_BROKER_URL": dj.CELERY_BROKER_URL,
           "MEDIA_ROOT": str(media), "DJANGO_SETTINGS_MODULE": "pojian.settings"}
    log_path = tmp_path / "worker.log"
    try:
        with open(log_path, "w") as log:
            # A worker that pauses a minute after each PDF chunk: it is killed while the report is half made.
            worker = start_worker(queue, {**env, annual.PAUSE_ENV: "60"}, log)
            try:
                report, created = annual.request_report(year=cycle.year, by=office)
                assert created
                wait_for(lambda: Job.objects.filter(pk=report.job_id, status=Job.Status.RUNNING, progress__gte=2).exists(),
                         90, "the worker to render the first part of the PDF")
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
            finally:
                if worker.poll() is None:
                    worker.kill()
        job = Job.objects.get(pk=report.job_id)
        assert worker.returncode == -signal.SIGKILL
        assert job.status == Job.Status.RUNNING and not job.result_file  # nobody finished it
        assert files_under(media) == []  # no half file, not even a temporary one
        report = AnnualReport.objects.select_related("job").get(pk=report.pk)
        assert not report.pdf and not report.xlsx

        # Nothing more is heard from it; after STALE_AFTER the office runs it again, on a healthy worker.
        AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - annual.STALE_AFTER - timedelta(seconds=1))
        report = AnnualReport.objects.select_related("job").get(pk=report.pk)
        with open(log_path, "a") as log:
            worker = start_worker(queue, env, log)
            try:
                annual.rerun_report(report, by=office)
                wait_for(lambda: Job.objects.filter(pk=report.job_id, status__in=[Job.Status.DONE, Job.Status.FAILED]).exists(),
                         120, "the report to be made again")
            finally:
                worker.terminate()
                worker.wait(timeout=30)
    finally:
        app.conf.task_default_queue = old_queue
        forget_queue(dj.CELERY_BROKER_URL, queue)
    job = Job.objects.get(pk=report.job_id)
    assert job.status == Job.Status.DONE, log_path.read_text()[-3000:]
    report.refresh_from_db()
    assert files_under(media) == sorted([report.pdf.name, report.xlsx.name])
    assert pdfcheck.has_embedded_cjk_font(media / report.pdf.name)
