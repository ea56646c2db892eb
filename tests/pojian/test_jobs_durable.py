"""Background work that cannot be lost: the job row commits with the change, a broker that is away
is no 500 (the job stays queued and the beat task sends it later), identical requests join one job."""

import contextlib
import time

import pytest
from django.urls import reverse

from enterprises.models import EnterpriseNomination, Verdict
from pojian.domain import jobs
from pojian.models import Job, NominationState
from tests.enterprises import factories as ef


@contextlib.contextmanager
def broker_away():
    """Point the Celery app at a closed port (nothing listens on port 9) for what is sent meanwhile."""
    from pojian.celery import app

    def reset():  # new connections from now on; the worker keeps the ones it has
        app._pool = None
        app.amqp._producer_pool = None

    closed = "redis://127.0.0.1:9/0"
    old = app.conf.broker_url
    app.conf.broker_url = closed
    # Celery reads CELERY_BROKER_URL from the environment first.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CELERY_BROKER_URL", closed)
        reset()
        assert ":9/0" in app.connection_for_write().as_uri()
        try:
            yield
        finally:
            app.conf.broker_url = old
    reset()


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_submit_with_the_broker_away_is_no_500_and_the_check_runs_once_it_is_back(
    celery_worker_on_broker, client_for, cycle, bureau
):
    enterprise = ef.eligible_enterprise(region=bureau.region, year=cycle.year)
    nomination = ef.EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, created_by=bureau)
    EnterpriseNomination.objects.filter(pk=nomination.pk).update(letter="letters/enterprises/stamped.pdf")
    client = client_for(bureau)
    client.raise_request_exception = False
    url = reverse("enterprises:nomination_transition", args=[nomination.pk])

    with broker_away():
        response = client.post(url, {"action": "submit", "version": nomination.version})

    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.state == NominationState.SUBMITTED  # the submission is kept
    job = Job.objects.get(kind="enterprises.check_nomination")
    assert job.params["nomination"] == nomination.pk and job.status == Job.Status.QUEUED  # and so is its check
    Verdict.objects.filter(nomination=nomination).delete()  # one the factory's save made; the check makes it anew
    assert not wait_for(lambda: Verdict.objects.filter(nomination=nomination).exists(), timeout=2)

    # The broker is back: the beat task sends what was never started, and the check runs.
    assert jobs.resend_queued_jobs(older_than=0) == 1
    assert wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.Status.DONE).exists())
    assert Verdict.objects.filter(nomination=nomination).count() == 1


def test_an_import_with_the_broker_away_stays_queued_and_is_no_500(celery_worker_on_broker, client_for, cycle, bureau):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.enterprises.test_import_nominations import row, workbook

    client = client_for(bureau)
    client.raise_request_exception = False
    upload = SimpleUploadedFile("nominations.xlsx", workbook([row(1)]).getvalue())
    with broker_away():
        started = time.monotonic()
        response = client.post(reverse("enterprises:bureau_import"), {"file": upload})
        took = time.monotonic() - started
    job = Job.objects.get(kind="enterprises.import_nominations")
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.status == Job.Status.QUEUED
    print(f"request with the broker away: {took:.1f} s")
    assert jobs.resend_queued_jobs(older_than=0) == 1
    assert wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=[Job.Status.DONE, Job.Status.FAILED]).exists())
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    assert EnterpriseNomination.objects.filter(cycle=cycle).count() == 1


@pytest.mark.django_db
def test_the_resend_skips_jobs_started_finished_or_recent(office, settings):
    settings.JOB_RESEND_AFTER = 300
    sent = []
    from pojian.tasks import ping

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "send_job", lambda job_id, name: sent.append(job_id) or True)
        fresh = Job.objects.create(kind="t", title="t", created_by=office, params={jobs.TASK_KEY: ping.name})
        old = Job.objects.create(kind="t", title="t", created_by=office, params={jobs.TASK_KEY: ping.name})
        running = Job.objects.create(kind="t", title="t", created_by=office, params={jobs.TASK_KEY: ping.name},
                                     status=Job.Status.RUNNING)
        done = Job.objects.create(kind="t", title="t", created_by=office, params={jobs.TASK_KEY: ping.name},
                                  status=Job.Status.DONE)
        from datetime import timedelta

        from django.utils import timezone

        Job.objects.filter(pk__in=[old.pk, running.pk, done.pk]).update(created_at=timezone.now() - timedelta(hours=1))
        jobs.resend_queued_jobs()
    assert sent == [old.pk]
    assert fresh.pk not in sent


@pytest.mark.django_db
def test_three_quick_clicks_on_an_export_make_one_job(client_for, office, cycle, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    from incubators.domain import export

    sent = []
    monkeypatch.setattr(export, "EXPORT_INLINE_LIMIT", -1)  # every export is a job
    monkeypatch.setattr("incubators.tasks.export_nominations.delay", sent.append)
    client = client_for(office)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.get(reverse("incubators:office_export"), {"state": "submitted"}) for _ in range(3)]
    job = Job.objects.get(kind="incubators.export")
    assert [a["Location"] for a in answers] == [reverse("job", args=[job.pk])] * 3
    assert sent == [job.pk]
    # Another filter is another export.
    client.get(reverse("incubators:office_export"), {"state": "accepted"})
    assert Job.objects.filter(kind="incubators.export").count() == 2


@pytest.mark.django_db
def test_two_uploads_are_never_joined(office):
    from django.core.files.base import ContentFile

    from pojian.tasks import ping

    first, _ = jobs.start_job(kind="t", title="t", by=office, task=ping, input_file=ContentFile(b"a", name="a.xlsx"))
    second, created = jobs.start_job(kind="t", title="t", by=office, task=ping, input_file=ContentFile(b"b", name="a.xlsx"))
    assert created and first.pk != second.pk


@pytest.mark.django_db
def test_an_atomic_job_writes_its_status_with_its_data_and_a_second_delivery_does_nothing(office, bureau):
    job = Job.objects.create(kind="t", title="t", created_by=office)
    calls = []

    def work(job, progress):
        calls.append(1)
        bureau.full_name = "imported"
        bureau.save()
        # Inside the work's transaction the job is not yet done for anyone else.
        return "1 row"

    jobs.run_job(job.pk, work, atomic=True)
    jobs.run_job(job.pk, work, atomic=True)  # a redelivery
    job.refresh_from_db()
    assert calls == [1] and job.status == Job.Status.DONE and job.message == "1 row"
