"""Investments: 投早投小, typed entry, the all-or-nothing import, and who sees what."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from finance.domain import investments as domain
from finance.models import FinanceSettings, Investment
from pojian.domain.concurrency import edit_token
from pojian.domain.errors import PermissionDenied
from pojian.models import Job
from tests.enterprises.factories import EnterpriseFactory, EnterpriseYearFactory, ensure_regions

from .factories import InstitutionFactory, InvestmentFactory

pytestmark = pytest.mark.django_db
HEADERS = ["机构统一社会信用代码", "企业统一社会信用代码", "投资日期", "投资金额(元)", "轮次", "备注"]


def refused(response):
    return response.status_code == 403 or (response.status_code == 302 and "/accounts/login/" in response["Location"])


def workbook(rows, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("investments.xlsx", buf.getvalue())


# --- 投早投小 ---------------------------------------------------------------------------------


def test_young_enterprise_counts_as_early():
    e = EnterpriseFactory(founded_on=datetime.date(2023, 5, 1))
    flag, basis = domain.classify(e, datetime.date(2026, 4, 30))
    assert flag and basis["young"] is True and basis["small"] is None


def test_exactly_three_years_old_is_no_longer_early():
    e = EnterpriseFactory(founded_on=datetime.date(2023, 5, 1))
    flag, basis = domain.classify(e, datetime.date(2026, 5, 1))
    assert not flag and basis["young"] is False


def test_old_enterprise_with_revenue_below_the_limit_counts_as_small():
    e = EnterpriseFactory(founded_on=datetime.date(2010, 1, 1))
    EnterpriseYearFactory(enterprise=e, year=2025, revenue=Decimal("19999999.99"))
    flag, basis = domain.classify(e, datetime.date(2025, 8, 1))
    assert flag and basis["small"] is True and basis["revenue_year"] == 2025 and basis["young"] is False


def test_revenue_at_the_limit_is_not_small_and_the_tax_figure_wins():
    e = EnterpriseFactory(founded_on=datetime.date(2010, 1, 1))
    EnterpriseYearFactory(enterprise=e, year=2025, revenue=Decimal("100.00"), revenue_tax=Decimal("20000000.00"))
    flag, basis = domain.classify(e, datetime.date(2025, 8, 1))
    assert not flag and basis["revenue"] == "20000000.00"


def test_latest_figures_up_to_the_investment_year_are_used():
    e = EnterpriseFactory(founded_on=datetime.date(2010, 1, 1))
    EnterpriseYearFactory(enterprise=e, year=2023, revenue=Decimal("1000000.00"))
    EnterpriseYearFactory(enterprise=e, year=2026, revenue=Decimal("900000000.00"))
    flag, basis = domain.classify(e, datetime.date(2025, 8, 1))
    assert flag and basis["revenue_year"] == 2023


def test_the_office_limits_decide(settings):
    limits = FinanceSettings.load()
    limits.small_revenue_limit, limits.early_age_years = Decimal("1000000.00"), 5
    limits.save()
    e = EnterpriseFactory(founded_on=datetime.date(2021, 6, 1))
    EnterpriseYearFactory(enterprise=e, year=2025, revenue=Decimal("5000000.00"))
    flag, basis = domain.classify(e, datetime.date(2025, 8, 1))
    assert flag and basis["young"] is True and basis["small"] is False


def test_unknown_founding_date_and_no_figures_is_not_early_or_small():
    e = EnterpriseFactory(founded_on=None)
    flag, basis = domain.classify(e, datetime.date(2025, 8, 1))
    assert not flag and basis["young"] is None and basis["small"] is None
    assert domain.describe_basis(basis)


def test_recorded_investment_stores_flag_reason_and_audit(office):
    e = EnterpriseFactory(founded_on=datetime.date(2024, 1, 1))
    investment = domain.record_investment(institution=InstitutionFactory(), enterprise=e, date=datetime.date(2025, 1, 1),
                                          amount=Decimal("1000000.00"), round="angel", by=office)
    investment.refresh_from_db()
    assert investment.early_or_small and investment.basis["founded_on"] == "2024-01-01"
    assert investment.history.first().history_user == office and investment.reason


def test_partner_may_not_record_for_another_institution(partner, institution, other_institution):
    with pytest.raises(PermissionDenied):
        domain.record_investment(institution=other_institution, enterprise=EnterpriseFactory(), date=datetime.date(2025, 1, 1),
                                 amount=Decimal("1.00"), round="a", by=partner)
    assert not Investment.objects.exists()


# --- typed entry and lists ----------------------------------------------------------------------


def test_partner_records_an_investment_of_its_own_institution(client_for, partner, institution):
    e = EnterpriseFactory(founded_on=datetime.date(2010, 1, 1))
    response = client_for(partner).post(reverse("finance:investment_create"), {
        "institution": institution.pk, "enterprise_uscc": e.uscc.lower(), "date": "2025-03-01", "amount": "2500000.50",
        "round": "b", "note": "",
    })
    assert response.status_code == 302
    investment = Investment.objects.get()
    assert (investment.institution, investment.enterprise, investment.amount, investment.created_by) == (
        institution, e, Decimal("2500000.50"), partner)


def test_partner_cannot_choose_another_institution(client_for, partner, institution, other_institution):
    e = EnterpriseFactory()
    response = client_for(partner).post(reverse("finance:investment_create"), {
        "institution": other_institution.pk, "enterprise_uscc": e.uscc, "date": "2025-03-01", "amount": "1", "round": "a",
    })
    assert response.status_code == 200 and response.context["form"].errors["institution"]
    assert not Investment.objects.exists()


def test_typed_entry_refuses_unknown_enterprise_and_future_date(client_for, office, institution):
    response = client_for(office).post(reverse("finance:investment_create"), {
        "institution": institution.pk, "enterprise_uscc": "91220101MA0000000X", "date": "2999-01-01", "amount": "1", "round": "a",
    })
    form = response.context["form"]
    assert form.errors["enterprise_uscc"] and form.errors["date"]
    assert not Investment.objects.exists()


def test_partner_sees_only_its_institutions_investments(client_for, partner, institution, other_institution):
    mine = InvestmentFactory(institution=institution)
    InvestmentFactory(institution=other_institution)
    response = client_for(partner).get(reverse("finance:investment_list"))
    assert [row.record for row in response.context["table"].rows] == [mine]


def test_partner_cannot_open_another_institutions_investment(client_for, partner, institution, other_institution):
    theirs = InvestmentFactory(institution=other_institution)
    url = reverse("finance:investment_edit", args=[theirs.pk])
    assert client_for(partner).get(url).status_code == 403
    assert client_for(partner).post(url, {"institution": institution.pk, "enterprise_uscc": theirs.enterprise.uscc,
                                          "date": "2025-03-01", "amount": "9", "round": "a"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.amount == Decimal("2000000.00")


def test_editing_decides_early_or_small_again(client_for, office, institution):
    e = EnterpriseFactory(founded_on=datetime.date(2022, 1, 1))
    investment = domain.record_investment(institution=institution, enterprise=e, date=datetime.date(2023, 1, 1),
                                          amount=Decimal("1.00"), round="seed", by=office)
    assert investment.early_or_small
    client_for(office).post(reverse("finance:investment_edit", args=[investment.pk]), {
        "institution": institution.pk, "enterprise_uscc": e.uscc, "date": "2025-06-01", "amount": "1.00", "round": "seed",
        "edit_token": edit_token(Investment, investment.pk)})
    investment.refresh_from_db()
    assert investment.date == datetime.date(2025, 6, 1) and not investment.early_or_small


@pytest.mark.parametrize("name", ["finance:investment_list", "finance:investment_create", "finance:investment_import",
                                  "finance:investment_template"])
@pytest.mark.parametrize("who", ["bureau", "other_bureau", "expert", "anonymous"])
def test_investment_pages_refuse_bureaus_experts_and_anonymous(client_for, name, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert refused(client_for(user).get(reverse(name)))
    assert refused(client_for(user).post(reverse(name), {}))


def test_partner_without_an_institution_is_refused(client_for, partner):
    assert client_for(partner).get(reverse("finance:investment_list")).status_code == 403


# --- import ---------------------------------------------------------------------------------------


def run_import(client, upload, capture):
    """Start the import through the page; the task is queued on commit, then run here in-process."""
    from finance import tasks

    with capture(execute=False) as callbacks:
        response = client.post(reverse("finance:investment_import"), {"file": upload})
    assert response.status_code == 302 and len(callbacks) == 1
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    tasks.import_investments(job.pk)
    return job


def test_import_good_file_records_every_row(client_for, office, media, django_capture_on_commit_callbacks):
    inst = InstitutionFactory()
    young = EnterpriseFactory(founded_on=datetime.date(2024, 1, 1))
    old = EnterpriseFactory(founded_on=datetime.date(2005, 1, 1))
    EnterpriseYearFactory(enterprise=old, year=2025, revenue=Decimal("90000000.00"))
    upload = workbook([
        [inst.uscc, young.uscc, datetime.datetime(2025, 3, 1), 1500000, "天使轮", "首轮"],
        [inst.uscc.lower(), old.uscc, "2025/7/15", "3,000,000.00", "A", None],
    ])
    job = run_import(client_for(office), upload, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.errors
    rows = {i.enterprise_id: i for i in Investment.objects.all()}
    assert rows[young.pk].round == "angel" and rows[young.pk].early_or_small and rows[young.pk].amount == Decimal("1500000")
    assert rows[old.pk].round == "a" and not rows[old.pk].early_or_small and rows[old.pk].date == datetime.date(2025, 7, 15)
    assert rows[old.pk].history.first().history_user == office


def test_import_bad_file_changes_nothing_and_lists_every_bad_row(client_for, office, media, django_capture_on_commit_callbacks):
    inst = InstitutionFactory()
    e = EnterpriseFactory()
    InvestmentFactory(institution=inst, enterprise=e, date=datetime.date(2024, 1, 1), round="a")
    before = list(Investment.objects.values_list("pk", "amount"))
    bad_code = inst.uscc[:17] + ("0" if inst.uscc[17] != "0" else "1")
    upload = workbook([
        [inst.uscc, e.uscc, "2025-01-01", 100, "A", ""],                     # 2: good
        [bad_code, e.uscc, "2025-01-01", 100, "A", ""],                      # 3: bad institution code
        [inst.uscc, "91220101MA0000000X", "2025-01-01", 100, "A", ""],       # 4: unknown enterprise (or bad code)
        [inst.uscc, e.uscc, "2025-01-02", "一百万", "A", ""],                   # 5: not a number
        [inst.uscc, e.uscc, "2025-13-45", 100, "A", ""],                     # 6: bad date
        [inst.uscc, e.uscc, "2025-01-03", 100, "Z轮", ""],                    # 7: unknown round
        [inst.uscc, e.uscc, "2024-01-01", 100, "A", ""],                     # 8: already recorded
        [inst.uscc, e.uscc, "2025-01-01", 100, "A", ""],                     # 9: twice in the file
    ])
    job = run_import(client_for(office), upload, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert list(Investment.objects.values_list("pk", "amount")) == before
    by_row = {}
    for err in job.errors:
        by_row.setdefault(err["row"], []).append(err)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert by_row[3][0]["column"] == "机构统一社会信用代码" and "统一社会信用代码" in by_row[3][0]["message"]
    assert by_row[4][0]["column"] == "企业统一社会信用代码"
    assert by_row[5][0]["column"] == "投资金额（元）" and "无法识别金额" in by_row[5][0]["message"]
    assert by_row[6][0]["column"] == "投资日期" and "日期" in by_row[6][0]["message"]
    assert by_row[7][0]["column"] == "轮次" and "Z轮" in by_row[7][0]["message"]
    assert "已登记" in by_row[8][0]["message"] and "第2行" in by_row[9][0]["message"]
    assert "没有导入" in job.message


def test_import_unknown_enterprise_is_named(office, media):
    from pojian.domain.jobs import run_job

    inst, other = InstitutionFactory(), EnterpriseFactory.build()
    job = Job.objects.create(kind="t", title="t", created_by=office)
    job.input_file.save("x.xlsx", workbook([[inst.uscc, other.uscc, "2025-01-01", 1, "A", ""]]))
    job = run_job(job.pk, domain.import_investments, atomic=True)
    assert job.status == Job.Status.FAILED
    assert job.errors == [{"row": 2, "column": "企业统一社会信用代码", "message": f"平台中没有统一社会信用代码为{other.uscc}的企业。"}]


def test_import_missing_column_is_reported(office, media):
    from pojian.domain.jobs import run_job

    job = Job.objects.create(kind="t", title="t", created_by=office)
    job.input_file.save("x.xlsx", workbook([["a", "b"]], headers=["机构统一社会信用代码", "企业统一社会信用代码"]))
    job = run_job(job.pk, domain.import_investments, atomic=True)
    assert job.status == Job.Status.FAILED and {e["column"] for e in job.errors} == {"投资日期", "投资金额（元）", "轮次"}


def test_partner_import_refuses_rows_of_another_institution(client_for, partner, institution, other_institution, media,
                                                            django_capture_on_commit_callbacks):
    e = EnterpriseFactory()
    upload = workbook([[institution.uscc, e.uscc, "2025-01-01", 1, "A", ""], [other_institution.uscc, e.uscc, "2025-01-01", 1, "A", ""]])
    job = run_import(client_for(partner), upload, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and [err["row"] for err in job.errors] == [3]
    assert not Investment.objects.exists()


def test_import_page_refuses_a_file_that_is_not_a_workbook(client_for, office):
    response = client_for(office).post(reverse("finance:investment_import"), {"file": SimpleUploadedFile("x.xlsx", b"not excel")})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not Job.objects.exists()


def test_template_download_has_the_import_headers(client_for, office):
    from openpyxl import load_workbook

    response = client_for(office).get(reverse("finance:investment_template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    import unicodedata

    assert [unicodedata.normalize("NFKC", c.value) for c in ws[1]] == HEADERS  # 投资金额（元） reads as 投资金额(元)


def test_import_runs_on_a_real_worker(celery_worker_on_broker, office, tmp_path, settings):
    import time

    from finance import tasks
    from pojian.domain.jobs import start_job

    settings.MEDIA_ROOT = tmp_path
    ensure_regions()  # an earlier transactional test may have flushed the data migration's regions
    inst, e = InstitutionFactory(), EnterpriseFactory()
    from django.db import transaction

    with transaction.atomic():
        job, _ = start_job(kind="finance.import_investments", title="t", by=office, task=tasks.import_investments,
                           input_file=workbook([[inst.uscc, e.uscc, "2025-01-01", 100, "seed", ""]]))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.1)
    assert job.status == Job.Status.DONE and Investment.objects.get().round == "seed"


def test_template_example_credit_codes_are_valid(tmp_path):
    from openpyxl import load_workbook

    from finance.domain import investments
    from pojian.domain.uscc import is_valid

    path = tmp_path / "t.xlsx"
    investments.write_template(path)
    example = [c.value for c in load_workbook(path).active[2]]
    assert is_valid(example[0]) and is_valid(example[1])
