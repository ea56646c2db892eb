"""The bureau's batch nomination import: the template, a good file, a bad file (nothing changes), the task."""

import io
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enterprises.domain import import_nominations as imp
from enterprises.models import Enterprise, EnterpriseNomination, EnterpriseYear, Registration, Verdict
from pojian.domain.jobs import JobFailed, start_job
from pojian.models import Job
from tests.enterprises import factories as ef

HEADERS = [c.header for c in imp.COLUMNS]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded letters and import files go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def regions(transactional_db):
    """The regions come from a data migration; an earlier transactional test's flush may have emptied the table."""
    from importlib import import_module

    from django.apps import apps

    import_module("pojian.migrations.0002_regions").load(apps, None)


def row(n, **overrides):
    values = {
        "企业名称": f"长春新锐光电科技有限公司{n}", "统一社会信用代码": ef.make_uscc(50000 + n), "通讯地址": "长春市高新区",
        "所属行业": "电子信息", "联系人": "王明", "联系电话": "0431-85000000", "成立日期": "2015-05-01",
        "是否高新技术企业": "否", "高企证书编号": None, "高企证书有效期至": None, "入库登记编号": f"2026220101A{n:07d}",
        "销售收入(元)": 56000000, "研发费用(元)": "4800000.50", "资产总额(元)": 90000000.25, "员工总数(人)": 120,
        "科技人员数(人)": 80, "推荐意见": "研发投入强度高。",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def workbook(rows, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def snapshot():
    return (Enterprise.objects.count(), EnterpriseYear.objects.count(), Registration.objects.count(),
            EnterpriseNomination.objects.count(), Verdict.objects.count())


@pytest.mark.django_db
def test_template_has_chinese_headers_help_sheet_and_validation_lists(bureau, client_for):
    response = client_for(bureau).get(reverse("enterprises:bureau_import_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [imp.DATA_SHEET, imp.HELP_SHEET]
    ws = wb[imp.DATA_SHEET]
    assert [c.value for c in ws[1]] == HEADERS
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"是,否"' in lists
    assert any("电子信息" in f and "生物医药" in f for f in lists)
    help_rows = [r[0].value for r in wb[imp.HELP_SHEET].iter_rows(min_row=2, max_row=len(HEADERS) + 1)]
    assert help_rows == HEADERS


@pytest.mark.django_db
def test_good_file_creates_enterprises_figures_registrations_and_draft_nominations(cycle, bureau):
    existing = ef.EnterpriseFactory(region=bureau.region, uscc=ef.make_uscc(50003), name="旧名称")
    source = workbook([row(1), row(2, **{"是否高新技术企业": "是", "高企证书编号": "GR2023220001",
                                         "高企证书有效期至": "2026-12-31", "所属行业": "software"}),
                       row(3, **{"入库登记编号": None})])
    created = imp.import_nominations(source, region=bureau.region, cycle=cycle, by=bureau)
    assert len(created) == 3 and {n.state for n in created} == {"draft"}
    assert Enterprise.objects.filter(region=bureau.region).count() == 3
    existing.refresh_from_db()
    assert existing.name == "长春新锐光电科技有限公司3"
    second = Enterprise.objects.get(uscc=ef.make_uscc(50002))
    assert second.is_high_tech and second.industry == "software" and str(second.high_tech_cert_expires) == "2026-12-31"
    figures = EnterpriseYear.objects.get(enterprise__uscc=ef.make_uscc(50001), year=cycle.year - 1)  # figures year
    assert figures.rd_expense == Decimal("4800000.50") and figures.total_assets == Decimal("90000000.25")
    assert Registration.objects.filter(year=cycle.year).count() == 2
    assert Verdict.objects.filter(nomination__in=created).count() == 3  # checked in the same pass
    assert EnterpriseNomination.history.filter(history_change_reason="import", history_user=bureau).count() == 3


@pytest.mark.django_db
def test_bad_file_lists_every_bad_row_and_column_and_changes_nothing(cycle, bureau, other_bureau):
    foreign = ef.EnterpriseFactory(region=other_bureau.region)
    nominated = ef.EnterpriseNominationFactory(
        enterprise=ef.EnterpriseFactory(region=bureau.region), cycle=cycle, created_by=bureau)
    before = snapshot()
    source = workbook([
        row(1),  # good
        row(2, **{"统一社会信用代码": "91220101MA0Y2K8H1X"}),  # bad check character
        row(3, **{"统一社会信用代码": foreign.uscc}),  # another region's enterprise
        row(4, **{"销售收入(元)": None}),  # missing figure
        row(5, **{"研发费用(元)": "约五百万"}),  # not a number
        row(6, **{"资产总额(元)": -1}),  # negative
        row(1),  # duplicate of the first row
        row(8, **{"统一社会信用代码": nominated.enterprise.uscc}),  # already nominated this year
        row(9, **{"所属行业": "餐饮", "员工总数(人)": 10.5, "是否高新技术企业": "是"}),
    ])
    with pytest.raises(JobFailed) as failed:
        imp.import_nominations(source, region=bureau.region, cycle=cycle, by=bureau)
    errors = {(e["row"], e["column"]): e["message"] for e in failed.value.errors}
    assert errors[(3, "统一社会信用代码")].startswith("“91220101MA0Y2K8H1X”不是有效的统一社会信用代码")
    assert errors[(4, "统一社会信用代码")] == "该企业已登记在吉林市，不属于本地区"
    assert errors[(5, "销售收入(元)")] == "未填写（必填）"
    assert errors[(6, "研发费用(元)")].startswith("无法识别金额“约五百万”")
    assert errors[(7, "资产总额(元)")] == "金额不能为负数。"
    assert errors[(8, "统一社会信用代码")] == "与本文件第2行是同一企业（重复）"
    assert errors[(9, "统一社会信用代码")] == f"该企业{cycle.year}年度已被推荐"
    assert errors[(10, "所属行业")] == "“餐饮”不在行业下拉列表中"
    assert errors[(10, "员工总数(人)")] == "必须是整数"
    assert errors[(10, "高企证书编号")] == "高新技术企业必须填写此项"
    assert (2, "统一社会信用代码") not in errors
    assert "未导入任何数据" in failed.value.message
    assert snapshot() == before


@pytest.mark.django_db
def test_file_without_the_template_columns_is_refused(cycle, bureau):
    with pytest.raises(JobFailed) as failed:
        imp.import_nominations(workbook([["x"]], headers=["名称"]), region=bureau.region, cycle=cycle, by=bureau)
    assert {e["column"] for e in failed.value.errors} == set(HEADERS)


@pytest.mark.django_db
def test_import_page_refuses_a_file_that_is_not_xlsx(cycle, bureau, client_for):
    fake = SimpleUploadedFile("nominations.xlsx", b"%PDF-1.4 not a workbook", content_type="application/vnd.ms-excel")
    response = client_for(bureau).post(reverse("enterprises:bureau_import"), {"file": fake})
    assert response.status_code == 200
    assert "文件必须是Excel (.xlsx)文件" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_import_page_starts_a_job_for_the_region(cycle, bureau, client_for, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("enterprises.tasks.import_nominations.delay", sent.append)
    upload = SimpleUploadedFile("nominations.xlsx", workbook([row(1)]).getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bureau).post(reverse("enterprises:bureau_import"), {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.region == bureau.region and job.kind == "enterprises.import_nominations" and sent == [job.pk]
    assert job.params["cycle"] == cycle.pk


@pytest.mark.django_db
def test_import_job_fails_with_errors_and_changes_nothing(cycle, bureau):
    from enterprises.tasks import import_nominations

    job = Job.objects.create(kind="enterprises.import_nominations", title="t", created_by=bureau, region=bureau.region,
                             params={"cycle": cycle.pk, "language": "zh-hans"})
    job.input_file.save("bad.xlsx", io.BytesIO(workbook([row(1), row(2, **{"员工总数(人)": "很多"})]).getvalue()))
    before = snapshot()
    import_nominations.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.errors == [{"row": 3, "column": "员工总数(人)", "message": "“很多”不是数字"}]
    assert snapshot() == before


@pytest.mark.worker
def test_import_task_runs_on_a_real_worker(regions, celery_worker_on_broker, cycle, bureau):
    from enterprises.tasks import import_nominations

    with transaction.atomic():
        job, _ = start_job(kind="enterprises.import_nominations", title="导入", by=bureau, task=import_nominations,
                           params={"cycle": cycle.pk, "language": "zh-hans"}, region=bureau.region,
                           input_file=SimpleUploadedFile("n.xlsx", workbook([row(1), row(2)]).getvalue()))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.2)
    assert job.status == Job.Status.DONE, (job.message, job.errors)
    assert "已导入" in job.message
    assert EnterpriseNomination.objects.filter(region=bureau.region, cycle=cycle).count() == 2


@pytest.mark.django_db
def test_template_example_row_passes_the_import(cycle, bureau, client_for):
    """The help sheet's examples, typed into the data sheet as a bureau would, are accepted as they are."""
    from pojian.domain.uscc import is_valid

    response = client_for(bureau).get(reverse("enterprises:bureau_import_template"))
    help_ws = load_workbook(io.BytesIO(response.content))[imp.HELP_SHEET]
    examples = {r[0].value: r[3].value for r in help_ws.iter_rows(min_row=2, max_row=len(HEADERS) + 1)}
    assert is_valid(examples["统一社会信用代码"])
    created = imp.import_nominations(workbook([[examples[h] for h in HEADERS]]), region=bureau.region, cycle=cycle,
                                     by=bureau)
    assert len(created) == 1 and created[0].enterprise.uscc == examples["统一社会信用代码"]


def test_template_money_columns_accept_wan_in_excel(tmp_path):
    """Excel must not refuse “12万元” in a money column: the import reads it."""
    path = tmp_path / "t.xlsx"
    imp.template_workbook(path)
    ws = load_workbook(path)[imp.DATA_SHEET]
    money_letters = {chr(ord("A") + i) for i, c in enumerate(imp.COLUMNS) if c.kind == "money"}
    for dv in ws.data_validations.dataValidation:
        if {str(r).rstrip("0123456789:")[:1] for r in dv.sqref.ranges} & money_letters:
            assert dv.type in (None, "any"), dv.type
