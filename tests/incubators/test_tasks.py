"""The export task crosses a real broker and worker (skipped without one, as in the shared fixture)."""

import time

import pytest
from openpyxl import load_workbook

from incubators import tasks
from pojian.domain.jobs import start_job
from pojian.models import Job
from pojian.models import NominationState as S

from .factories import complete_nomination, ensure_regions


@pytest.fixture
def regions(transactional_db):
    ensure_regions()


def test_export_job_done_by_a_real_worker(celery_worker_on_broker, regions, office, cycle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complete_nomination(cycle=cycle, state=S.ACCEPTED, results="=1+1")
    complete_nomination(cycle=cycle, state=S.SUBMITTED)
    from django.db import transaction

    with transaction.atomic():
        job, _ = start_job(kind="incubators.export", title="export", by=office, task=tasks.export_nominations,
                           params={"filters": {"state": "accepted"}, "language": "zh-hans"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.1)
    assert job.status == Job.Status.DONE, job.message
    ws = load_workbook(job.result_file.path).active
    assert ws.max_row == 2
    results = [c for c in ws[2] if c.value == "=1+1"]
    assert results and results[0].quotePrefix
