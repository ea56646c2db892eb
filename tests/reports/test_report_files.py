"""The report's PDF and workbook show the figures of a known data set, typed and safe."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import load_workbook

from pojian.models import NominationState
from reports.domain import render
from reports.domain.figures import report_data
from tests import factories as core
from tests import pdfcheck
from tests.enterprises.factories import EnterpriseFactory
from tests.reports.factories import known_year, nominate

pytestmark = pytest.mark.django_db


def zh(text):
    with translation.override("zh-hans"):
        return translation.gettext(text)


def with_data(cycle):
    n = known_year(cycle)
    decided = timezone.make_aware(datetime.datetime(cycle.year, 9, 1, 10, 0))
    type(n["jl_selected"]).objects.filter(pk=n["jl_selected"].pk).update(decided_at=decided)
    evil = EnterpriseFactory(name="=HYPERLINK(\"http://x\",\"y\")", region=core.region("220200"))
    nominate(cycle=cycle, region=core.region("220200"), state=NominationState.SUBMITTED, failed=(), enterprise=evil)
    with translation.override("zh-hans"):
        return n, report_data(year=cycle.year)


def test_report_pdf_shows_the_figures_in_chinese_with_the_font_embedded(cycle):
    n, data = with_data(cycle)
    pdf, pages = render.render_report_pdf(data)
    assert pdfcheck.has_embedded_cjk_font(pdf)
    assert pdfcheck.page_count(pdf) == pages >= 3
    text = pdfcheck.text(pdf)
    assert "吉林省科学技术厅" in text and str(cycle.year) in text
    # The pipeline table: 长春市 5 4 3 2 and 吉林市 4 4 1 1 (with the extra submitted nomination).
    assert re.search(r"长春市\s+5\s+4\s+3\s+2\b", text)
    assert re.search(r"吉林市\s+4\s+4\s+1\s+1\b", text)
    # 四科: 8 checked, 5 pass: 62.50 %.
    assert "62.50" in text
    # The selected enterprise with tax revenue 40,000,000 yuan = 4,000.00 万元, R&D intensity 12.50 %.
    assert "4,000.00" in text and "12.50" in text
    assert f"{cycle.year - 1}年度财务数据（{cycle.year}年度推荐）" in text  # the figures year, worded as everywhere
    for nomination in (*n["cc_selected"], n["cc_accepted"], n["jl_returned"]):
        assert nomination.enterprise.name in text
    assert n["cc_draft"].enterprise.name not in text  # drafts are the bureau's, not in the annex


def test_report_pdf_chunks_number_pages_continuously(cycle):
    _n, data = with_data(cycle)
    pdf, pages = render.render_report_pdf(data, annex_rows=3)  # 8 annex rows: three chunks
    text = pdfcheck.text(pdf)
    numbers = [int(m) for page in text.split("\f") for m in re.findall(r"—\s*(\d+)\s*—", page)[-1:]]
    assert numbers == list(range(2, pages + 1))  # the cover has no number; then 2, 3, … to the end


def test_report_workbook_cells_are_typed_frozen_sized_and_safe(cycle, tmp_path):
    n, data = with_data(cycle)
    path = tmp_path / "r.xlsx"
    render.write_report_workbook(path, data)
    wb = load_workbook(path)
    pipeline = wb[zh("Pipeline by region")]
    assert pipeline.freeze_panes == "A2"
    assert pipeline.column_dimensions["A"].width == 26
    rows = {r[0]: r for r in pipeline.iter_rows(min_row=2, values_only=True)}
    assert rows["长春市"] == ("长春市", "220100", 5, 4, 3, 2)
    assert rows[zh("Total")][2:] == (9, 8, 4, 3)

    selected = wb[zh("Selected enterprises")]
    header = [c.value for c in selected[1]]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in selected.iter_rows(min_row=2, values_only=True)}
    first = by_name[n["cc_selected"][0].enterprise.name]
    # The figures' columns say their fiscal year (the figures year, the one before the programme year).
    revenue, intensity = (f"{zh(label)}（{cycle.year - 1}年度）" for label in ("Sales revenue (yuan)", "R&D intensity (%)"))
    assert first[revenue] == 40000000 and isinstance(first[revenue], (int, float))
    assert first[intensity] == 12.5
    assert by_name[n["jl_selected"].enterprise.name][zh("Selected on")] == datetime.datetime(cycle.year, 9, 1)

    nominations = wb[zh("Nominations")]
    cells = {row[0].value: row for row in nominations.iter_rows(min_row=2)}
    evil = cells["=HYPERLINK(\"http://x\",\"y\")"][0]
    assert evil.data_type == "s" and evil.quotePrefix  # text, never a live formula
    submitted = cells[n["jl_returned"].enterprise.name][5]
    assert submitted.value is None or submitted.is_date

    summary = {r[0]: r[1] for r in wb[zh("Summary")].iter_rows(min_row=2, values_only=True)}
    assert summary[zh("Enterprises selected")] == 3
    assert summary[zh("四科 pass rate")] == 62.5

    figures = wb[zh("Enterprise figures")]
    assert [c.value for c in figures[1]][4] == f"{zh('Sales revenue (yuan)')}（{cycle.year - 1}年度）"
    assert figures.max_row - 1 == 3  # the three enterprises with figures for the year
    row = next(r for r in figures.iter_rows(min_row=2, values_only=True) if r[0] == n["cc_selected"][0].enterprise.name)
    assert row[4] == 40000000 and row[5] == zh("Tax data") and row[6] == 5000000


def test_report_workbook_money_stays_exact(cycle, tmp_path):
    from enterprises.models import EnterpriseYear

    known_year(cycle)
    EnterpriseYear.objects.filter(year=cycle.year - 1).update(revenue_tax=None, revenue=Decimal("12345678.91"))
    with translation.override("zh-hans"):
        data = report_data(year=cycle.year)
    render.write_report_workbook(tmp_path / "r.xlsx", data)
    figures = load_workbook(tmp_path / "r.xlsx")[zh("Enterprise figures")]
    assert {r[4] for r in figures.iter_rows(min_row=2, values_only=True)} == {12345678.91}


def test_report_pdf_and_workbook_show_incubators_partners_investments_and_assessment(cycle, office, tmp_path):
    from tests.reports.factories import other_apps_year

    n = known_year(cycle)
    other_apps_year(cycle, office=office, nominations=n)
    with translation.override("zh-hans"):
        data = report_data(year=cycle.year)
    pdf, _pages = render.render_report_pdf(data)
    text = pdfcheck.text(pdf)
    flat = re.sub(r"\s+", "", text)
    # Incubators supported: two post-subsidies, 50.00 + 30.00 = 80.00 (10,000 yuan); the summary in yuan.
    assert "长春创业孵化基地" in text and "吉林众创空间" in text
    assert re.search(r"长春创业孵化基地.*50\.00", text) and "800,000.00" in text
    # Finance: the cooperation list and this year's two investments, 3,500,000.50 yuan (350.00 万元), not last year's.
    assert "吉林天使投资基金" in text and "3,500,000.50" in text and "350.00" in text
    assert re.search(r"长春市\s+1\s+200\.00\s+1\b", text) and re.search(r"吉林市\s+1\s+150\.00\s+0\b", text)
    # The bureaus' assessment (computed, not yet published: the report says so) and the review's scores.
    assert re.search(r"1\s+吉林市\s+88\.50\s+✓\s*成绩突出", text) and re.search(r"2\s+长春市\s+80\.00", text)
    assert zh("Not yet published: for internal use.") in text
    assert "93.40" in text and "91.20" in text
    # The charts are the portal's SVG, drawn into the PDF: the pie's legend carries its shares
    # (4 of 7 pass: 57.1 %, the tables say 57.14), the bars their values.
    assert "57.1%" in flat and "42.9%" in flat
    main = render.pdf_contexts(data)[0]
    html = render_to_string(render.TEMPLATE, {**main, "page_start": 1})
    assert html.count("<svg") == len(main["charts"]) == 6

    path = tmp_path / "r.xlsx"
    render.write_report_workbook(path, data)
    wb = load_workbook(path)

    def sheet(title):
        ws = wb[zh(title)]
        assert ws.freeze_panes == "A2"
        header = [c.value for c in ws[1]]
        return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]

    incubators = {r[zh("Incubator")]: r for r in sheet("Incubators supported")}
    assert incubators["长春创业孵化基地"][zh("Post-subsidy (yuan)")] == 500000
    assert incubators["吉林众创空间"][zh("Post-subsidy (yuan)")] == 300000 and incubators["吉林众创空间"][zh("Selected")] == zh("no")
    assert [r[zh("Institution")] for r in sheet("Cooperation list")] == ["吉林天使投资基金"]
    investments = sheet("Investments")
    assert [(r[zh("Date")], r[zh("Amount (yuan)")]) for r in investments] == [
        (datetime.datetime(cycle.year, 3, 1), 2000000), (datetime.datetime(cycle.year, 6, 15), 1500000.5)]
    assessment = sheet("Bureau assessment")
    assert [(r[zh("Rank")], r[zh("Region")], r[zh("Weighted total")]) for r in assessment] == [(1, "吉林市", 88.5), (2, "长春市", 80)]
    summary = {r[0]: r[1] for r in wb[zh("Summary")].iter_rows(min_row=2, values_only=True)}
    assert summary[zh("Amount invested")] == 3500000.5 and summary[zh("Post-subsidies granted to incubators")] == 800000
    assert summary[zh("Finance institutions on the cooperation list")] == 1
