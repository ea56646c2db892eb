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


def _seen_from_outside(job_pk):
    """The job row as another session sees it (the user's browser polling the job page)."""
    from django.db import connection

    observer = connection.copy()
    try:
        with observer.cursor() as cursor:
            cursor.execute(f"SELECT progress, total, message FROM {Job._meta.db_table} WHERE id = %s", [job_pk])
            return cursor.fetchone()
    finally:
        observer.close()


@pytest.mark.django_db(transaction=True)
def test_progress_of_an_all_or_nothing_job_shows_while_its_transaction_runs(office):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second session on the same data needs PostgreSQL; CI runs this")
    job = make_job(office)
    seen_during = []

    def work(job, progress):  # run_job(atomic=True): everything here is one transaction
        progress(2, total=4, message="halfway", force=True)
        seen_during.append(_seen_from_outside(job.pk))
        return ""

    job = jobs.run_job(job.pk, work, atomic=True)
    assert seen_during == [(2, 4, "halfway")]
    # The end: the last total and message reported, though written aside, are the job's.
    assert (job.status, job.progress, job.total, job.message) == (Job.Status.DONE, 4, 4, "halfway")


@pytest.mark.django_db(transaction=True)
def test_progress_never_waits_for_a_job_row_the_work_has_locked(office):
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("a second session on the same data needs PostgreSQL; CI runs this")
    job = make_job(office)
    progress = jobs.Progress(job.pk)
    try:
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(message="the work holds this row")
            progress(1, total=2, force=True)  # returns at once (SKIP LOCKED) instead of waiting for the commit
            assert _seen_from_outside(job.pk) == (0, 0, "")
    finally:
        progress.close()
    assert progress.seen == {"progress": 1, "total": 2}


@pytest.mark.django_db(transaction=True)
def test_a_failing_progress_connection_never_fails_the_job(office, monkeypatch):
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        pytest.skip("the second connection is used on PostgreSQL only")
    job = make_job(office)

    def refuse(*args, **kwargs):
        raise OperationalError("too many connections")

    from django.db import connections

    monkeypatch.setattr(type(connections["default"]), "copy", refuse)

    def work(job, progress):
        progress(1, total=2, force=True)
        progress(2, total=2, force=True)  # not tried again after the first failure
        return "done anyway"

    job = jobs.run_job(job.pk, work, atomic=True)
    assert (job.status, job.progress, job.message) == (Job.Status.DONE, 2, "done anyway")
