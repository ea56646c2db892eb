"""The funding section of the office's dashboard and of the annual report (PDF and workbook)."""

from datetime import date
from decimal import Decimal

import pytest

from funding.domain import ledger, payments
from reports.domain import figures, render
from reports.domain.dashboard import Dashboard
from tests import pdfcheck

from .factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(committed_grant, office, approver):
    p = payments.record_payment(grant=committed_grant, amount=Decimal("12000"), paid_on=date(2026, 6, 1),
                                document_no="吉财〔2026〕8号", account="6222", by=office)
    payments.confirm_payment(payment=p, by=approver)
    return committed_grant


def test_execution_per_line_and_region(paid, make_grant, other_bureau):
    make_grant("5000", enterprise=EnterpriseFactory(region=other_bureau.region))  # proposed: not committed
    result = ledger.execution(paid.cycle)
    row = next(r for r in result["lines"] if r["line"].code == "rd_post")
    assert (row["budgeted"], row["committed"], row["paid"], row["remaining"]) == (
        Decimal("100000.00"), Decimal("30000.00"), Decimal("12000.00"), Decimal("70000.00"))
    assert row["rate"] == Decimal("12.0")
    by_region = {r["region"].code: r for r in result["regions"]}
    assert by_region["220100"]["committed"] == Decimal("30000.00")
    assert by_region["220200"]["committed"] == Decimal("0")


def test_execution_for_one_region_has_no_budget(paid, bureau):
    result = ledger.execution(paid.cycle, region=bureau.region)
    row = result["lines"][0]
    assert row["budgeted"] is None and row["rate"] == Decimal("40.0")  # paid of committed


def test_dashboard_funding_section(paid):
    section = Dashboard(paid.cycle).section("funding")
    assert section["available"]
    assert ["研发投入后补助", Decimal("100000.00"), Decimal("30000.00"), Decimal("12000.00"), Decimal("70000.00"),
            Decimal("12.0")] in section["rows"]
    assert len(section["charts"]) == 2 and all("<svg" in c for c in section["charts"])


def test_annual_report_funding_sheet_and_pdf(paid):
    data = figures.report_data(year=paid.cycle.year, with_annex=False)
    sheets = {title: rows for title, _h, rows, _w in render.workbook_sheets(data)}
    funding = sheets["Funding"] if "Funding" in sheets else sheets["资助"]
    assert funding[0][:4] == ["研发投入后补助", Decimal("100000.00"), Decimal("30000.00"), Decimal("12000.00")]
    pdf, _pages = render.render_report_pdf(data)
    text = pdfcheck.text(pdf)
    assert "研发投入后补助" in text and pdfcheck.has_embedded_cjk_font(pdf)
