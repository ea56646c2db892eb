"""The contract registration list (技术合同登记): a good file (xlsx, GBK CSV), every bad row listed and
nothing written, the page starting a job, and its refusals."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from pojian.domain.jobs import JobFailed
from pojian.domain.uscc import numbered
from pojian.models import Job
from techtransfer import tasks
from techtransfer.domain import import_contracts
from techtransfer.models import TechContract
from tests.enterprises.factories import EnterpriseFactory

from .factories import InstitutionFactory, TechContractFactory

pytestmark = pytest.mark.django_db
HEADER = [zh for _k, zh, _en in import_contracts.COLUMNS]


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def csv_bytes(rows, encoding="gbk"):
    return ("\n".join([",".join(HEADER)] + [",".join(str(c) for c in r) for r in rows]) + "\n").encode(encoding)


@pytest.fixture
def parties(bureau):
    enterprise = EnterpriseFactory(region=bureau.region)
    institution = InstitutionFactory()
    return enterprise, institution


def row(number, enterprise, institution, *, buyer_first=True, kind="技术开发", amount="100万", tech="80万"):
    buyer = (enterprise.name, enterprise.uscc) if buyer_first else (institution.name, institution.uscc)
    seller = (institution.name, institution.uscc) if buyer_first else (enterprise.name, enterprise.uscc)
    return [number, "2025-06-01", kind, "联合研发", *buyer, *seller, amount, tech]


def test_a_good_file_adds_updates_and_skips(parties, office):
    enterprise, institution = parties
    existing = TechContractFactory(registration_number="20252201000001", enterprise=enterprise,
                                   institution=institution, title="旧名称")
    stranger = (numbered("91220101", 901), numbered("91220101", 902))
    rows = [row(20252201000001, enterprise, institution),  # a number as Excel stores it
            row("20252201000002", enterprise, institution, buyer_first=False, kind="技术转让合同"),
            ["20252201000003", "2025/7/1", "技术服务", "无关合同", "甲公司", stranger[0], "乙公司", stranger[1], "10", "10"]]
    result = import_contracts.import_file(xlsx(rows), by=office)
    assert (result.created, result.updated, result.skipped) == (1, 1, 1)
    existing.refresh_from_db()
    assert existing.title == "联合研发" and existing.contract_amount == Decimal("1000000") and existing.imported_at
    new = TechContract.objects.get(registration_number="20252201000002")
    assert new.enterprise_role == "seller" and new.kind == "transfer" and new.institution == institution


def test_a_gbk_csv_is_read(parties, office):
    enterprise, institution = parties
    result = import_contracts.import_file(io.BytesIO(csv_bytes([row("202522010000011", enterprise, institution)])),
                                          by=office)
    assert result.created == 1 and TechContract.objects.get().title == "联合研发"


def test_every_bad_row_is_listed_and_nothing_is_written(parties, office):
    enterprise, institution = parties
    unknown_institution = numbered("12220000", 555)
    rows = [row("20252201000001", enterprise, institution),
            row("2025-1", enterprise, institution),  # row 3: the number's format
            row("20252201000001", enterprise, institution),  # row 4: twice in the file
            row("20252201000004", enterprise, institution, kind="技术入股", tech="200万"),  # row 5: two problems
            [*row("20252201000005", enterprise, institution)[:6], "外省研究所", unknown_institution, "10", "10"],  # 6
            ["20252201000006", "二〇二五年", "技术开发", "", "甲", "X", "乙", enterprise.uscc, "abc", "1"]]  # 7
    with pytest.raises(JobFailed) as failed:
        import_contracts.import_file(xlsx(rows), by=office)
    by_row = {}
    for e in failed.value.errors:
        by_row.setdefault(e["row"], []).append(e["column"])
    assert set(by_row) == {3, 4, 5, 6, 7}
    assert set(by_row[5]) == {"合同类型", "技术交易额"}
    assert {"登记日期", "项目名称", "买方统一社会信用代码", "合同金额"} <= set(by_row[7])
    assert not TechContract.objects.exists()
    with pytest.raises(JobFailed):
        import_contracts.import_file(io.BytesIO(b"a,b\n1,2\n"), by=office)


def test_the_page_starts_a_job_the_worker_runs(client_for, office, bureau, other_bureau, expert, parties):
    enterprise, institution = parties
    upload = SimpleUploadedFile("contracts.xlsx", xlsx([row("20252201000001", enterprise, institution)]).read())
    response = client_for(office).post(reverse("techtransfer:contract_import"), {"file": upload})
    job = Job.objects.get(kind=import_contracts.KIND)
    assert response.status_code == 302 and response.url == reverse("job", args=[job.pk])
    tasks.import_contracts(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and TechContract.objects.count() == 1, job.message
    for user in (bureau, other_bureau, expert):
        assert client_for(user).post(reverse("techtransfer:contract_import"), {}).status_code == 403
    assert client_for(None).get(reverse("techtransfer:contract_import")).status_code == 302
