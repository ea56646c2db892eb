import io
import time

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from pojian.domain import jobs
from pojian.domain.notifications import notify
from pojian.domain.xlsx import write_workbook
from pojian.models import Job


def make_job(user, **kw):
    return Job.objects.create(kind="test", title="t", created_by=user, **kw)


@pytest.mark.django_db
def test_run_job_records_progress_and_done(office):
    job = make_job(office)

    def work(job, progress):
        for i in range(3):
            progress(i + 1, total=3, force=True)
        return "three rows"

    job = jobs.run_job(job.pk, work)
    assert job.status == Job.Status.DONE and job.progress == 3 and job.message == "three rows"
    assert job.percent == 100


@pytest.mark.django_db
def test_run_job_failure_lists_errors_and_rolls_back(office, bureau):
    job = make_job(office)

    def work(job, progress):
        bureau.full_name = "changed"
        bureau.save()
        raise jobs.JobFailed("bad file", [{"row": 2, "column": "USCC", "message": "bad"}])

    job = jobs.run_job(job.pk, work, atomic=True)
    bureau.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.errors[0]["row"] == 2
    assert bureau.full_name != "changed"


@pytest.mark.django_db
def test_run_job_twice_does_not_redo(office):
    calls = []
    job = make_job(office)
    jobs.run_job(job.pk, lambda j, p: calls.append(1))
    jobs.run_job(job.pk, lambda j, p: calls.append(1))
    assert calls == [1]


@pytest.mark.django_db
def test_start_job_with_dedupe_key_joins_the_running_one(office, django_capture_on_commit_callbacks):
    from pojian.tasks import ping

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created1 = jobs.start_job(kind="k", title="t", by=office, task=ping, dedupe_key="report-2026")
        second, created2 = jobs.start_job(kind="k", title="t", by=office, task=ping, dedupe_key="report-2026")
    assert created1 and not created2 and first.pk == second.pk
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_save_result_leaves_no_partial_file_when_writer_dies(office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = make_job(office)

    def dying(path):
        open(path, "wb").write(b"half")
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        jobs.save_result(job, "report.pdf", dying)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    job.refresh_from_db()
    assert not job.result_file


@pytest.mark.django_db
def test_job_page_only_for_requester_and_office(client_for, office, bureau, other_bureau, expert, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = make_job(bureau)
    jobs.save_result(job, "x.xlsx", lambda p: write_workbook(p, [("s", ["a"], [[1]], None)]))
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    for user, code in [(bureau, 200), (office, 200), (other_bureau, 403), (expert, 403)]:
        assert client_for(user).get(reverse("job", args=[job.pk])).status_code == code
        assert client_for(user).get(reverse("job_download", args=[job.pk])).status_code == code
    assert client_for(None).get(reverse("job_download", args=[job.pk])).status_code == 302
    body = b"".join(client_for(bureau).get(reverse("job_download", args=[job.pk])).streaming_content)
    assert load_workbook(io.BytesIO(body)).active["A2"].value == 1


def test_notification_email_sent_by_a_real_worker(celery_worker_on_broker, bureau):
    from django.db import transaction

    with transaction.atomic():
        [n] = notify([bureau], subject="退回通知", body="请补充材料")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not mail.outbox:
        time.sleep(0.1)
    assert [m.subject for m in mail.outbox] == ["退回通知"]
    n.refresh_from_db()
    assert n.emailed_at is not None
