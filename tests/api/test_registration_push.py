"""The registry's system pushes the province's registration list: the same all-or-nothing import as the
office's upload, idempotent under retry, through a real Celery worker; a revocation re-checks."""

import time

import pytest

from api.models import ApiToken, Push
from enterprises.models import Enterprise, Registration
from pojian.domain.uscc import numbered
from pojian.models import Job
from tests.enterprises.factories import eligible_enterprise

PUSH = "/api/v1/registrations/pushes/"


def number(year, n):
    return f"{year}220101A{n:07d}"


def wait_for(job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {Job.objects.get(pk=job_id).status}")


@pytest.fixture
def registry_headers(bearer, tax_client, office):
    return bearer(tax_client, scope=ApiToken.Scope.REGISTRY_PUSH, issuer=office)


def test_a_pushed_list_registers_revokes_and_creates_once(celery_worker_on_broker, client, cycle, registry_headers):
    year = cycle.year
    known = eligible_enterprise(year=year)
    new_code = numbered("91220201", 881)
    rows = [
        {"name": known.name, "uscc": known.uscc, "number": number(year, 11), "year": year, "status": "撤销",
         "date": f"{year}-06-01"},
        {"name": "吉林推送科技有限公司", "uscc": new_code, "number": number(year, 12), "year": year, "status": "入库",
         "date": f"{year}-06-02"},
    ]
    first = client.post(PUSH, {"rows": rows}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="list-0602",
                        **registry_headers)
    assert first.status_code == 202, first.content
    job = wait_for(first.json()["id"])
    assert job.status == Job.Status.DONE, (job.message, job.errors)
    assert Registration.all_objects.get(enterprise=known, year=year).status == Registration.Status.REVOKED
    created = Enterprise.objects.get(uscc=new_code)
    assert created.region.code == "220200" and Registration.objects.get(enterprise=created).number == number(year, 12)
    retry = client.post(PUSH, {"rows": rows}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="list-0602",
                        **registry_headers)
    assert retry.status_code == 200 and retry.json()["id"] == job.pk
    assert Push.objects.count() == 1 and Enterprise.objects.filter(uscc=new_code).count() == 1


def test_a_list_with_bad_rows_changes_nothing(celery_worker_on_broker, client, cycle, registry_headers):
    year = cycle.year
    rows = [
        {"name": "甲", "uscc": numbered("91220201", 901), "number": number(year, 21), "year": year, "status": "入库",
         "date": f"{year}-06-02"},
        {"name": "乙", "uscc": numbered("91220201", 902), "number": number(year - 1, 22), "year": year,
         "status": "入库", "date": f"{year}-06-02"},  # the number's year is not its year
        {"name": "丙", "uscc": "not-a-code", "number": number(year, 23), "year": year, "status": "作废", "date": "x"},
    ]
    response = client.post(PUSH, {"rows": rows}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bad",
                           **registry_headers)
    job = wait_for(response.json()["id"])
    assert job.status == Job.Status.FAILED and sorted({e["row"] for e in job.errors}) == [2, 3]
    assert not Enterprise.objects.filter(name__in=["甲", "乙", "丙"]).exists()


@pytest.mark.django_db
def test_each_system_client_pushes_only_its_own_list(client, cycle, bearer, office, bureau, tax_client):
    body = {"rows": [{"name": "甲", "uscc": numbered("91220201", 903), "number": number(cycle.year, 31),
                      "year": cycle.year, "status": "入库", "date": f"{cycle.year}-06-02"}]}
    tax = bearer(tax_client, scope=ApiToken.Scope.TAX_PUSH, issuer=office)
    for headers in (tax, bearer(bureau), {}):
        assert client.post(PUSH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k",
                           **headers).status_code in (401, 403)
    registry = bearer(tax_client, scope=ApiToken.Scope.REGISTRY_PUSH, issuer=office)
    tax_body = {"year": cycle.year - 1, "rows": [{"uscc": numbered("91220201", 903)}]}
    assert client.post("/api/v1/tax/pushes/", tax_body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k",
                       **registry).status_code == 403
    assert not Job.objects.exists()
