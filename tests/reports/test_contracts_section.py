"""The annual report's section on technology contracts and the contract subsidy: PDF and workbook, for
the province and for one region (another city's enterprise is not in a region's report)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from funding.domain import grants as ledger
from funding.domain import payments
from funding.models import FundingLine
from pojian.domain.xlsx import write_workbook
from reports.domain import render
from reports.domain.figures import report_data
from techtransfer.domain import subsidy_workflow as wf
from tests import factories as core
from tests import pdfcheck
from tests.funding.factories import ApproverFactory, BudgetFactory, line
from tests.techtransfer.test_subsidy_workflow import AFTER, YEAR, apply_for, contract, firm, pay

pytestmark = pytest.mark.django_db


def zh(text):
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.fixture
def paid_subsidy(office, bureau, other_bureau):
    cycle = core.CycleFactory(year=YEAR)
    BudgetFactory(cycle=cycle, line=line(FundingLine.TECH_CONTRACT), amount=Decimal("1000000"))
    rule = wf.rule_for_year(year=YEAR, by=office)
    rule = wf.update_rule(rule=rule, version=rule.version, by=office, values={
        "bands": [["100000", "0.05"], ["1000000", "0.02"], [None, "0.01"]], "cap": Decimal("50000"),
        "min_paid": Decimal("10000"), "applications_open": datetime.date(2026, 3, 2),
        "applications_close": datetime.date(2026, 3, 31)})
    for user, name, amount in ((bureau, "长春合同企业", "300000"), (other_bureau, "吉林合同企业", "100000")):
        enterprise = firm(user, name)
        c = contract(enterprise)
        wf.check_receipt(payment=pay(c, amount), accept=True, by=office)
        apply_for(rule, user, enterprise, c)
    wf.compute_amounts(rule=rule, by=office, today=AFTER)
    rule = wf.publish_notice(rule=rule, by=office, starts=datetime.date(2026, 4, 3), today=AFTER)
    wf.propose_grants(rule=rule, by=office, today=datetime.date(2026, 4, 13))
    approver = ApproverFactory(username="approver-r")
    for a in wf.listed(rule):
        ledger.approve_grant(grant=a.grant, by=approver)
        ledger.start_notice(grant=a.grant, by=approver)
        ledger.commit_grant(grant=a.grant, by=approver)
    first = wf.listed(rule).get(enterprise__name="长春合同企业").grant
    p = payments.record_payment(grant=first, amount=first.amount, paid_on=datetime.date(2026, 5, 1), tranche=1,
                                document_no="吉财拨〔2026〕1号", account="基本户", by=office)
    payments.confirm_payment(payment=p, by=approver)
    return cycle


def test_the_pdf_has_the_section(paid_subsidy):
    with translation.override("zh-hans"):
        data = report_data(year=YEAR, with_annex=False)
    s = data["contracts"]["subsidy"]
    # 长春: 5,000 + 4,000 = 9,000; 吉林: 5,000; 9,000 paid in the ledger.
    assert (s["applications"], s["listed"], s["granted"], s["committed"], s["paid"]) == (
        2, 2, Decimal("14000"), Decimal("14000"), Decimal("9000"))
    text = pdfcheck.text(render.render_report_pdf(data)[0])
    assert zh("10. 双千工程: technology contracts and the contract subsidy") in text
    assert "长春合同企业" in text and "吉林合同企业" in text and "0.90" in text  # 9,000 yuan = 0.90 万元


def test_the_workbook_has_the_sheets_and_a_region_sees_its_own(paid_subsidy, tmp_path):
    with translation.override("zh-hans"):
        data = report_data(year=YEAR, region=core.region("220100"), with_annex=False)
        path = tmp_path / "r.xlsx"
        write_workbook(path, render.workbook_sheets(data))
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = wb[zh("Contract subsidy")]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][:4] == ["长春合同企业", "长春市", 300000, 9000] and rows[-1][3] == 9000
    assert all("吉林合同企业" not in str(r) for r in rows)
    contracts = [[c.value for c in row] for row in wb[zh("Technology contracts")].iter_rows(min_row=2)]
    assert contracts[0][:5] == ["长春市", 1, 1000000, 300000, 9000]
