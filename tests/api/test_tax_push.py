"""The tax department's system pushes a year's figures: the same all-or-nothing import as the office's
upload, as a job with progress, idempotent under retry, through a real Celery worker on Redis."""

import time
from decimal import Decimal

import pytest

from api.models import ApiToken, Push
from enterprises.models import EnterpriseYear
from pojian.models import Job
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory, eligible_enterprise

PUSH = "/api/v1/tax/pushes/"


def wait_for(job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {Job.objects.get(pk=job_id).status}")


def row(enterprise, year, revenue="60000000", rd="6100000.50"):
    return {"uscc": enterprise.uscc, "year": year, "revenue": revenue, "rd_expense": rd,
            "total_assets": "90000000", "employees": 120}


@pytest.fixture
def tax_headers(bearer, tax_client, office):
    return bearer(tax_client, scope=ApiToken.Scope.TAX_PUSH, issuer=office)


def test_a_push_imports_once_and_a_retry_joins_it(celery_worker_on_broker, client, cycle, tax_headers):
    year = cycle.year - 1
    a, b = eligible_enterprise(year=year), EnterpriseFactory()
    body = {"year": year, "rows": [row(a, year), row(b, year, revenue=1000.5, rd=0)]}
    first = client.post(PUSH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="2025-batch-1", **tax_headers)
    assert first.status_code == 202, first.content
    job = wait_for(first.json()["id"])
    assert job.status == Job.Status.DONE, (job.message, job.errors)
    figures = EnterpriseYear.objects.get(enterprise=a, year=year)
    assert figures.revenue_tax == Decimal("60000000.00") and figures.rd_expense_tax == Decimal("6100000.50")
    assert EnterpriseYear.objects.get(enterprise=b, year=year).revenue_tax == Decimal("1000.50")
    # The audit trail names the caller: the tax system's account.
    assert figures.history.first().history_user.username == "tax-system"

    retry = client.post(PUSH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="2025-batch-1", **tax_headers)
    assert retry.status_code == 200 and retry.json()["id"] == job.pk
    assert Job.objects.filter(kind="api_tax_push").count() == 1 and Push.objects.count() == 1
    status = client.get(first.json()["url"], **tax_headers).json()
    assert status["status"] == "done" and status["progress"] == status["total"] > 0


def test_a_push_with_bad_rows_changes_nothing_and_lists_every_one(celery_worker_on_broker, client, cycle, tax_headers):
    year = cycle.year - 1
    good = eligible_enterprise(year=year)
    before = EnterpriseYear.objects.get(enterprise=good, year=year).revenue_tax
    rows = [row(good, year), {**row(good, year), "uscc": "91220101MA0Y2K8H1X"}, {**row(good, year), "revenue": "很多"},
            {**row(good, year), "uscc": EnterpriseFactory.build().uscc, "employees": -3}]
    response = client.post(PUSH, {"year": year, "rows": rows}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="bad-1", **tax_headers)
    job = wait_for(response.json()["id"])
    assert job.status == Job.Status.FAILED
    assert sorted({e["row"] for e in job.errors}) == [2, 3, 4]
    assert EnterpriseYear.objects.get(enterprise=good, year=year).revenue_tax == before


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(client, cycle, tax_headers, settings):
    year = cycle.year - 1
    e = EnterpriseFactory()
    body = {"year": year, "rows": [row(e, year)]}
    assert client.post(PUSH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **tax_headers).status_code == 202
    other = {"year": year, "rows": [row(e, year, revenue="1")]}
    response = client.post(PUSH, other, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **tax_headers)
    assert response.status_code == 409
    assert client.post(PUSH, body, content_type="application/json", **tax_headers).status_code == 400  # no key


@pytest.mark.django_db
def test_only_the_tax_client_and_the_office_may_push(client, cycle, bearer, bureau, office, tax_client):
    body = {"year": cycle.year - 1, "rows": [row(EnterpriseFactory(), cycle.year - 1)]}
    registry = bearer(tax_client, scope=ApiToken.Scope.REGISTRY_PUSH, issuer=office)
    for headers in (bearer(bureau), registry, {}):
        response = client.post(PUSH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="x", **headers)
        assert response.status_code in (401, 403), headers
    assert not Job.objects.exists()
    assert client.post(PUSH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="x",
                       **bearer(office)).status_code == 202


@pytest.mark.django_db
def test_the_tax_client_sees_its_jobs_only(client, cycle, bearer, office, tax_client):
    from pojian.domain.jobs import start_job  # noqa: F401 - the office's own job below
    from pojian.models import Job as J

    theirs = J.objects.create(kind="x", title="office's", created_by=office)
    headers = bearer(tax_client, scope=ApiToken.Scope.TAX_PUSH, issuer=office)
    assert client.get(f"/api/v1/jobs/{theirs.pk}/", **headers).status_code == 403
    EnterpriseNominationFactory(cycle=cycle)
    assert client.get("/api/v1/enterprises/nominations/", **headers).status_code == 403
