"""The tax-data import: good files, every kind of bad row, all or nothing, the command and the task."""

import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from enterprises import tasks
from enterprises.domain import import_tax as tax
from enterprises.models import EnterpriseYear, Verdict
from pojian.domain.jobs import JobFailed, start_job
from pojian.models import Job, NominationState
from tests.enterprises.factories import (
    EnterpriseFactory,
    EnterpriseNominationFactory,
    EnterpriseYearFactory,
    eligible_enterprise,
    ensure_regions,
    make_uscc,
)

HEADERS = ["统一社会信用代码", "年度", "销售收入(元)", "研发费用(元)", "资产总额(元)", "从业人数"]


def workbook(rows, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def run(rows, *, year, headers=HEADERS):
    with translation.override("zh-hans"):
        return tax.import_tax(workbook(rows, headers), year=year)


@pytest.mark.django_db
def test_import_tax_writes_tax_figures_and_keeps_declared(cycle):
    year = cycle.year - 1  # the fiscal year of the figures (the rulebook's figures year)
    declared = eligible_enterprise(year=cycle.year)  # revenue 50,000,000 declared
    fresh = EnterpriseFactory()
    result = run([
        [declared.uscc, year, 60000000, "6100000.50", 90000000, 120],
        [fresh.uscc.lower(), f"{year}年", 1000.5, 0, 10, 3],
    ], year=year)
    assert (result.rows, result.updated, result.created) == (2, 1, 1)
    ey = EnterpriseYear.objects.get(enterprise=declared, year=year)
    assert ey.revenue == Decimal("50000000.00") and ey.revenue_tax == Decimal("60000000.00")
    assert ey.rd_expense_tax == Decimal("6100000.50") and ey.employees_tax == 120 and ey.employees == 100
    assert ey.tax_imported_at == result.imported_at
    assert ey.effective("revenue") == (Decimal("60000000.00"), "tax")
    new = EnterpriseYear.objects.get(enterprise=fresh, year=year)
    assert new.revenue is None and new.revenue_tax == Decimal("1000.50") and new.employees_tax == 3


@pytest.mark.django_db
def test_import_tax_records_history_with_reason(cycle):
    e = eligible_enterprise(year=cycle.year)
    run([[e.uscc, cycle.year - 1, 1, 1, 1, 1]], year=cycle.year - 1)
    ey = EnterpriseYear.objects.get(enterprise=e)
    latest = ey.history.first()
    assert latest.revenue_tax == Decimal("1.00")
    assert latest.history_change_reason == "税务数据导入"


@pytest.mark.django_db
def test_import_tax_rechecks_affected_nominations_only(cycle):
    year = cycle.year - 1  # the fiscal year of the figures (the rulebook's figures year)
    affected = EnterpriseNominationFactory(enterprise=eligible_enterprise(year=cycle.year), cycle=cycle,
                                           state=NominationState.SUBMITTED)
    untouched = EnterpriseNominationFactory(enterprise=eligible_enterprise(year=cycle.year), cycle=cycle,
                                            state=NominationState.SUBMITTED)
    # Tax revenue of 300,000,000: over the 2亿 limit, and R&D intensity falls to 1.67 %.
    result = run([[affected.enterprise.uscc, year, 300000000, 5000000, 1, 100]], year=year)
    assert result.checked == 1 and result.eligible == 0
    verdict = Verdict.objects.get(nomination=affected)
    assert verdict.failed == ["revenue", "rd_intensity"]
    assert verdict.figures["revenue"] == {"value": "300000000.00", "source": "tax"}
    assert not Verdict.objects.filter(nomination=untouched).exists()


@pytest.mark.django_db
def test_import_tax_progress_runs_through_reading_writing_and_rechecking(cycle):
    year = cycle.year - 1  # the fiscal year of the figures (the rulebook's figures year)
    nominations = [
        EnterpriseNominationFactory(enterprise=eligible_enterprise(year=cycle.year), cycle=cycle, state=NominationState.SUBMITTED)
        for _ in range(3)
    ]
    seen = []

    def progress(done, total=None, message=None, force=False):
        seen.append((done, total))

    rows = [[n.enterprise.uscc, year, 300000000, 5000000, 1, 100] for n in nominations]
    with translation.override("zh-hans"):
        tax.import_tax(workbook(rows), year=year, progress=progress)
    totals = {total for _, total in seen if total is not None}
    assert totals == {3 * len(rows)}  # three parts of one bar: read, write, re-check
    dones = [done for done, _ in seen]
    assert dones == sorted(dones) and dones[-1] == 3 * len(rows)
    assert 2 * len(rows) in dones  # written, with the re-check still to come


@pytest.mark.django_db
def test_import_tax_accepts_english_headers(cycle):
    e = EnterpriseFactory()
    run([[e.uscc, cycle.year, 5, 1, 2, 3]], year=cycle.year,
        headers=["USCC", "year", "revenue", "rd_expense", "total_assets", "employees"])
    assert EnterpriseYear.objects.get(enterprise=e).total_assets_tax == Decimal("2.00")


@pytest.mark.django_db
def test_import_tax_bad_file_lists_every_bad_row_in_chinese_and_changes_nothing(cycle):
    year = cycle.year
    a, b, c = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    EnterpriseYearFactory(enterprise=a, year=year)
    bad_check = make_uscc(900000999)[:17] + ("0" if make_uscc(900000999)[17] != "0" else "1")
    unknown = make_uscc(900123456)
    rows = [
        [a.uscc, year, 1, 1, 1, 1],  # row 2: fine
        [bad_check, year, 1, 1, 1, 1],  # 3: check character wrong
        [unknown, year, 1, 1, 1, 1],  # 4: no such enterprise
        [b.uscc, year - 1, 1, 1, 1, 1],  # 5: another year
        [c.uscc, year, "十万", 1, 1, 1],  # 6: not a number
        [a.uscc, year, 1, 1, 1, 1],  # 7: duplicate of row 2
        [make_uscc(900000007), year, 1, -5, 1, 1],  # 8: negative (and unknown)
        [make_uscc(900000008), year, 1, 1, None, 1],  # 9: missing value (and unknown)
        [make_uscc(900000009), year, 1, 1, 1, 2.5],  # 10: not a whole number (and unknown)
        [None, year, 1, 1, 1, 1],  # 11: missing code
    ]
    with pytest.raises(JobFailed) as failed:
        run(rows, year=year)
    errors = failed.value.errors
    by_row = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(e)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert by_row[3][0]["column"] == "统一社会信用代码" and "校验" in by_row[3][0]["message"]
    assert "没有" in by_row[4][0]["message"] and unknown in by_row[4][0]["message"]
    assert by_row[5][0]["column"] == "年度" and str(year - 1) in by_row[5][0]["message"]
    assert by_row[6][0]["column"] == "销售收入(元)" and "无法识别金额" in by_row[6][0]["message"]
    assert "重复" in by_row[7][0]["message"] and "2" in by_row[7][0]["message"]
    assert any(e["column"] == "研发费用(元)" and "负" in e["message"] for e in by_row[8])
    assert any(e["column"] == "资产总额(元)" and "缺少" in e["message"] for e in by_row[9])
    assert any(e["column"] == "从业人数" and "整数" in e["message"] for e in by_row[10])
    assert by_row[11][0]["column"] == "统一社会信用代码" and "缺少" in by_row[11][0]["message"]
    assert "没有导入" in failed.value.message
    # Nothing changed, not even the good row.
    assert not EnterpriseYear.objects.filter(revenue_tax__isnull=False).exists()
    assert EnterpriseYear.objects.count() == 1


@pytest.mark.django_db
def test_import_tax_missing_column_is_refused(cycle):
    e = EnterpriseFactory()
    with pytest.raises(JobFailed) as failed:
        run([[e.uscc, cycle.year, 1, 1, 1]], year=cycle.year, headers=HEADERS[:5])
    assert "从业人数" in failed.value.message
    assert failed.value.errors[0]["column"] == "从业人数"


@pytest.mark.django_db
def test_import_tax_not_a_workbook_is_refused(cycle):
    with pytest.raises(JobFailed) as failed, translation.override("zh-hans"):
        tax.import_tax(io.BytesIO(b"%PDF-1.4 not a workbook"), year=cycle.year)
    assert "Excel" in failed.value.message


@pytest.mark.django_db
def test_import_tax_empty_file_is_refused(cycle):
    with pytest.raises(JobFailed):
        run([], year=cycle.year)


@pytest.mark.django_db
def test_import_tax_money_with_more_than_two_decimals_is_refused(cycle):
    e = EnterpriseFactory()
    with pytest.raises(JobFailed) as failed:
        run([[e.uscc, cycle.year, "1.001", 1, 1, 1]], year=cycle.year)
    assert "两位小数" in failed.value.errors[0]["message"]


def test_parse_money_reads_excel_numbers_exactly():
    assert tax.parse_money(0.1) == Decimal("0.10")
    assert tax.parse_money(1234567.89) == Decimal("1234567.89")
    assert tax.parse_money("1,000.5") == Decimal("1000.50")
    with pytest.raises(ValueError):
        tax.parse_money(True)


@pytest.mark.django_db
def test_template_workbook_has_chinese_headers_help_and_validation(cycle):
    with translation.override("zh-hans"):
        content = tax.template_workbook(year=cycle.year)
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == HEADERS
    assert len(ws.data_validations.dataValidation) == 4
    assert len(wb.worksheets) == 2 and wb.worksheets[1].max_row >= 7
    # The template with one filled row imports.
    e = EnterpriseFactory()
    ws["A2"], ws["B2"], ws["C2"], ws["D2"], ws["E2"], ws["F2"] = e.uscc, cycle.year, 10, 1, 5, 2
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    assert tax.import_tax(out, year=cycle.year).rows == 1


# --- the management command ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_tax_data_command_imports(cycle, tmp_path):
    e = EnterpriseFactory()
    path = tmp_path / "tax.xlsx"
    path.write_bytes(workbook([[e.uscc, cycle.year, 100, 10, 50, 4]]).getvalue())
    out = io.StringIO()
    call_command("import_tax_data", str(path), "--year", str(cycle.year), stdout=out)
    assert EnterpriseYear.objects.get(enterprise=e).revenue_tax == Decimal("100.00")
    assert "1" in out.getvalue()


@pytest.mark.django_db
def test_import_tax_data_command_bad_file_exits_non_zero_and_changes_nothing(cycle, tmp_path):
    e = EnterpriseFactory()
    path = tmp_path / "tax.xlsx"
    path.write_bytes(workbook([[e.uscc, cycle.year, 100, 10, 50, 4], [e.uscc, cycle.year, -1, 10, 50, 4]]).getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_tax_data", str(path), "--year", str(cycle.year), stderr=err)
    assert "第" in err.getvalue() or "row" in err.getvalue()
    assert "3" in err.getvalue() and "重复" in err.getvalue()
    assert not EnterpriseYear.objects.exists()


@pytest.mark.django_db
def test_import_tax_data_command_exit_status_is_non_zero(cycle, tmp_path):
    from django.core.management import ManagementUtility

    path = tmp_path / "tax.xlsx"
    path.write_bytes(workbook([[make_uscc(900000005), cycle.year, 1, 1, 1, 1]]).getvalue())
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_tax_data", str(path), "--year", str(cycle.year)]).execute()
    assert exited.value.code != 0


@pytest.mark.django_db
def test_import_tax_data_command_exit_status_and_row_errors_in_chinese_and_nothing_changed(cycle, tmp_path, capsys,
                                                                                            monkeypatch):
    """As run from a shell: a non-zero exit, every bad row on stderr in Chinese, the database untouched."""
    from django.core.management import ManagementUtility
    from django.db import connections

    # run_from_argv closes the connections when it ends; the test's transaction must outlive it to be looked at.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    year = cycle.year
    good, other = eligible_enterprise(year=year), EnterpriseFactory()
    before = list(EnterpriseYear.objects.values_list("pk", "revenue", "revenue_tax", "employees_tax"))
    path = tmp_path / "tax.xlsx"
    path.write_bytes(workbook([
        [good.uscc, year, 60000000, 1, 1, 120],  # row 2: fine, and still not written
        [other.uscc, year, "一百", 1, 1, 3],  # row 3: not a number
        [make_uscc(900000321), year, 1, 1, 1, 1],  # row 4: no such enterprise
        [other.uscc, year, 1, 1, 1, 1],  # row 5: duplicate of row 3
    ]).getvalue())
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_tax_data", str(path), "--year", str(year)]).execute()
    assert exited.value.code != 0
    err = capsys.readouterr().err
    for row in (3, 4, 5):
        assert f"第 {row} 行" in err, err
    assert "第 2 行" not in err
    assert "销售收入(元)" in err and "无法识别金额" in err and "重复" in err and "没有导入" in err
    assert list(EnterpriseYear.objects.values_list("pk", "revenue", "revenue_tax", "employees_tax")) == before
    assert not EnterpriseYear.objects.filter(tax_imported_at__isnull=False).exists()


@pytest.mark.django_db
def test_import_tax_then_the_nomination_page_shows_the_differences_and_the_new_verdict(cycle, client_for, office,
                                                                                        bureau):
    from django.urls import reverse

    year = cycle.year - 1  # the fiscal year of the figures (the rulebook's figures year)
    nomination = EnterpriseNominationFactory(enterprise=eligible_enterprise(year=cycle.year, region=bureau.region),
                                             cycle=cycle, state=NominationState.SUBMITTED)
    from enterprises.domain import checks

    assert checks.check_nomination(nomination).eligible
    # The tax department counts 520 employees (declared 100): over 500, and the S&T share falls below 60 %.
    run([[nomination.enterprise.uscc, year, 50000000, 5000000, 90000000, 520]], year=year)
    verdict = Verdict.objects.get(nomination=nomination)
    assert verdict.failed == ["employees", "tech_staff_ratio"]
    assert verdict.figures["employees"] == {"value": "520", "source": "tax"}
    for user, url in ((office, reverse("enterprises:office_nomination", args=[nomination.pk])),
                      (bureau, reverse("enterprises:bureau_nomination", args=[nomination.pk]))):
        page = client_for(user).get(url).content.decode()
        assert 'data-testid="figure-employees" data-differs="1"' in page, user
        assert 'data-testid="figure-revenue" data-differs' not in page  # the same figure: no difference shown
        assert "+420" in page


# --- the Celery task, through a real worker --------------------------------------------------------------


@pytest.fixture
def regions(transactional_db):
    ensure_regions()


def _job(office, year, content):
    job, _ = start_job(kind="enterprises.import_tax", title="tax", by=office, task=tasks.import_tax,
                       params={"year": year, "language": "zh-hans"},
                       input_file=ContentFile(content, name="tax.xlsx"), dedupe_key=tax.tax_import_dedupe_key(year))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.1)
    raise AssertionError("the import job did not finish")


@pytest.mark.worker
def test_import_tax_task_imports_with_progress(celery_worker_on_broker, regions, cycle, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    e = EnterpriseFactory()
    job = _job(office, cycle.year, workbook([[e.uscc, cycle.year, 100, 10, 50, 4]]).getvalue())
    assert job.status == Job.Status.DONE, job.message
    assert job.percent == 100 and "1" in job.message
    assert EnterpriseYear.objects.get(enterprise=e).employees_tax == 4


@pytest.mark.worker
def test_import_tax_task_bad_file_fails_with_rows_and_changes_nothing(celery_worker_on_broker, regions, cycle, office,
                                                                       settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    e = EnterpriseFactory()
    job = _job(office, cycle.year, workbook([[e.uscc, cycle.year, 100, 10, 50, 4], [e.uscc, cycle.year, "x", 1, 1, 1]]).getvalue())
    assert job.status == Job.Status.FAILED
    assert {err["row"] for err in job.errors} == {3}
    assert all(err["message"] for err in job.errors)
    assert not EnterpriseYear.objects.exists()


# The numbers a spreadsheet holds take a fast path; it must read them as parse_money and parse_count do, and
# leave everything else (text, and every value they refuse) to them, so the messages stay theirs.
SPREADSHEET_NUMBERS = [
    0, 1, 12, 99999999999999, 100000000000000, -1, -0.0, 0.0, 0.1, 0.5, 1000.5, 1234567.89, 1.001, 0.005,
    2.5, 12.0, 99999999999999.98, 1e14, 1e20, float("nan"), float("inf"), -3.5, True, False,
    2_147_483_647, 2_147_483_648, 2_147_483_647.0, "12万", " 7 ", None,
]


def _outcome(parse, value):
    try:
        result = parse(value)
    except ValueError as e:
        return ("refused", str(e))
    return ("read", result, str(result))


@pytest.mark.parametrize("value", SPREADSHEET_NUMBERS, ids=repr)
def test_fast_money_reads_what_parse_money_reads_and_leaves_the_rest_to_it(value):
    fast = tax._fast_money(value)
    if fast is not None:
        assert _outcome(tax.parse_money, value) == ("read", fast, str(fast))
    elif type(value) in (int, float):  # a number the fast path leaves is one parse_money refuses
        assert _outcome(tax.parse_money, value)[0] == "refused"


@pytest.mark.parametrize("value", SPREADSHEET_NUMBERS, ids=repr)
def test_fast_count_reads_what_parse_count_reads_and_leaves_the_rest_to_it(value):
    fast = tax._fast_count(value)
    if fast is not None:
        assert _outcome(tax.parse_count, value) == ("read", fast, str(fast))
        assert type(fast) is int


@pytest.mark.django_db
def test_import_tax_numbers_and_text_give_the_same_figures_and_messages(cycle):
    year = cycle.year - 1
    a, b = EnterpriseFactory(), EnterpriseFactory()
    run([[a.uscc, year, 120000, 0.1, 2.0, 7.0], [b.uscc, f"{year}", "12万", "0.10", "2", "7"]], year=year)
    ya, yb = (EnterpriseYear.objects.get(enterprise=e, year=year) for e in (a, b))
    for field in ("revenue_tax", "rd_expense_tax", "total_assets_tax", "employees_tax"):
        assert getattr(ya, field) == getattr(yb, field)
    assert ya.revenue_tax == Decimal("120000.00") and ya.employees_tax == 7
    with pytest.raises(JobFailed) as failed:
        run([[a.uscc, year, 1.001, 1e20, -5, 2.5], [b.uscc, 2000.0, True, 1, 1, 2_147_483_648]], year=year)
    got = {(e["row"], e["column"]): e["message"] for e in failed.value.errors}
    with translation.override("zh-hans"):
        expected = {
            (2, "销售收入(元)"): _outcome(tax.parse_money, 1.001)[1],
            (2, "研发费用(元)"): _outcome(tax.parse_money, 1e20)[1],
            (2, "资产总额(元)"): _outcome(tax.parse_money, -5)[1],
            (2, "从业人数"): _outcome(tax.parse_count, 2.5)[1],
            (3, "年度"): gettext("the year %(row_year)s is not the year being imported (%(year)s)") % {
                "row_year": 2000, "year": year},
            (3, "销售收入(元)"): _outcome(tax.parse_money, True)[1],
            (3, "从业人数"): _outcome(tax.parse_count, 2_147_483_648)[1],
        }
    assert got == expected


@pytest.mark.django_db
def test_import_tax_audit_entry_for_each_figure_set_written_created_or_updated(cycle, office):
    year = cycle.year - 1
    had, fresh, other = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    EnterpriseYearFactory(enterprise=had, year=year)
    EnterpriseYearFactory(enterprise=other, year=year)  # not in the file: no entry
    before = EnterpriseYear.history.count()
    with translation.override("zh-hans"):
        result = tax.import_tax(workbook([[had.uscc, year, 5, 1, 2, 3], [fresh.uscc, year, 6, 1, 2, 3]]), year=year,
                                by=office)
    assert (result.created, result.updated) == (1, 1)
    entries = EnterpriseYear.history.filter(history_date=result.imported_at)
    assert EnterpriseYear.history.count() - before == 2 == entries.count()
    assert {(h.enterprise_id, h.revenue_tax, h.history_user_id, h.history_type, h.history_change_reason)
            for h in entries} == {(had.pk, Decimal("5.00"), office.pk, "~", "税务数据导入"),
                                  (fresh.pk, Decimal("6.00"), office.pk, "~", "税务数据导入")}
    assert {h.id for h in entries} == set(EnterpriseYear.objects.filter(enterprise__in=[had, fresh]).values_list("pk", flat=True))


@pytest.mark.django_db
def test_import_tax_reads_short_rows_gaps_and_a_sheet_without_its_size(cycle, tmp_path):
    """Rows shorter than the header, blank rows between, and a sheet that declares no <dimension>
    (as write-only exporters write it): the same rows, the same row numbers in the messages."""
    from pojian.domain.xlsx import write_workbook

    year = cycle.year - 1
    a = EnterpriseFactory()
    path = tmp_path / "nodim.xlsx"
    write_workbook(path, [("s", HEADERS, [[a.uscc, year, 1, 1, 1, 1], [None] * 6, ["  "], [a.uscc, year, 1, 1]],
                           [20] * 6)])
    assert b"<dimension" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    with pytest.raises(JobFailed) as failed, open(path, "rb") as f, translation.override("zh-hans"):
        tax.import_tax(f, year=year)
    assert {(e["row"], e["column"]) for e in failed.value.errors} == {
        (5, "统一社会信用代码"), (5, "资产总额(元)"), (5, "从业人数")}
