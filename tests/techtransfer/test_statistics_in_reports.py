"""双千 in the office's statistics dashboard and the annual report (PDF and workbook): results published,
demands, matching records, contracts (cancelled ones left out) and the amounts paid in the year, by
region and by institution; a bureau may not see the dashboard."""

import datetime
import io
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.domain import render
from reports.domain.figures import report_data
from reports.domain.matching import matching_figures
from techtransfer.domain import contract_changes, contracts
from techtransfer.models import Demand, MatchRecord, Result
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory

from .factories import DemandFactory, InstitutionFactory, ResultFactory, TechContractFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


def at(month, day, year=YEAR):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


@pytest.fixture
def year_data(office, bureau, other_bureau):
    core.CycleFactory(year=YEAR)
    cc, jl = bureau.region, other_bureau.region  # 长春 and another city
    jlu = InstitutionFactory(name="吉林大学", region=cc)
    cust = InstitutionFactory(name="长春理工大学", region=jl)
    published = [ResultFactory(institution=jlu, published_at=at(3, 1)), ResultFactory(institution=jlu, published_at=at(4, 1)),
                 ResultFactory(institution=cust, published_at=at(5, 1))]
    ResultFactory(institution=cust, published_at=at(5, 1, year=YEAR - 1))  # an earlier year's
    ResultFactory(institution=cust, state=Result.State.SUBMITTED, published_at=None)
    e_cc, e_jl = EnterpriseFactory(region=cc), EnterpriseFactory(region=jl)
    for enterprise in (e_cc, e_cc, e_jl):
        DemandFactory(enterprise=enterprise)
    Demand.objects.update(created_at=at(6, 1))
    for result, enterprise, met_on in ((published[0], e_cc, datetime.date(YEAR, 6, 2)),
                                       (published[2], e_cc, datetime.date(YEAR, 7, 2)),
                                       (published[2], e_jl, datetime.date(YEAR - 1, 7, 2))):
        MatchRecord.objects.create(result=result, enterprise=enterprise, region=enterprise.region, met_on=met_on,
                                   created_by=office)
    signed = TechContractFactory(enterprise=e_cc, institution=jlu, registered_on=datetime.date(YEAR, 8, 1),
                                 contract_amount=Decimal("1000000"), tech_amount=Decimal("800000"))
    contracts.add_payment(signed, by=office, paid_on=datetime.date(YEAR, 9, 1), amount=Decimal("400000"),
                          invoice_number="FP1")
    contracts.add_payment(signed, by=office, paid_on=datetime.date(YEAR + 1, 1, 5), amount=Decimal("100000"),
                          invoice_number="FP2")  # next year's
    cancelled = TechContractFactory(enterprise=e_jl, institution=cust, registered_on=datetime.date(YEAR, 8, 1))
    contracts.add_payment(cancelled, by=office, paid_on=datetime.date(YEAR, 9, 1), amount=Decimal("50000"),
                          invoice_number="FP3")
    contract_changes.cancel_contract(cancelled, by=office, reason="合同解除")
    return {"cc": cc, "jl": jl, "jlu": jlu, "cust": cust}


def by_pk(rows):
    return {r["pk"]: r for r in rows}


def test_the_figures_by_region_and_by_institution(year_data):
    figures = matching_figures(year=YEAR)
    regions, institutions = by_pk(figures["regions"]), by_pk(figures["institutions"])
    cc, jl = regions[year_data["cc"].pk], regions[year_data["jl"].pk]
    assert (cc["results"], cc["demands"], cc["matches"], cc["contracts"], cc["value"], cc["paid"]) == (
        2, 2, 2, 1, Decimal("1000000"), Decimal("400000"))
    assert (jl["results"], jl["demands"], jl["matches"], jl["contracts"], jl["value"], jl["paid"]) == (
        1, 1, 0, 0, Decimal("0"), Decimal("0"))
    assert figures["total"]["results"] == 3 and figures["total"]["paid"] == Decimal("400000")
    jlu, cust = institutions[year_data["jlu"].pk], institutions[year_data["cust"].pk]
    assert (jlu["results"], jlu["matches"], jlu["contracts"], jlu["paid"]) == (2, 1, 1, Decimal("400000"))
    assert (cust["results"], cust["matches"], cust["contracts"], cust["paid"]) == (1, 1, 0, Decimal("0"))
    assert [r["pk"] for r in figures["institutions"]][0] == year_data["jlu"].pk  # by contract value
    # One region's report counts that region only.
    own = matching_figures(year=YEAR, region=year_data["jl"])
    assert [r["pk"] for r in own["regions"]] == [year_data["jl"].pk] and own["total"]["demands"] == 1


def test_the_dashboard_shows_the_section_and_its_workbook(client_for, office, bureau, year_data):
    page = client_for(office).get(reverse("reports:dashboard"), {"year": YEAR}).content.decode()
    assert 'data-testid="section-matching"' in page and 'data-testid="matching-by-institution"' in page
    assert "吉林大学" in page and "长春理工大学" in page
    response = client_for(office).get(reverse("reports:dashboard_xlsx", args=["matching"]), {"year": YEAR})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_name = {r[0]: r for r in rows if r and r[0]}
    assert by_name[year_data["cc"].name][1:5] == (2, 2, 2, 1) and by_name["吉林大学"][4] == 1
    assert client_for(bureau).get(reverse("reports:dashboard_xlsx", args=["matching"]), {"year": YEAR}).status_code == 403
    assert client_for(bureau).get(reverse("reports:dashboard"), {"year": YEAR}).status_code == 403


def test_the_annual_report_has_the_section_in_the_pdf_and_the_workbook(year_data):
    data = report_data(year=YEAR, with_annex=False)
    assert data["matching"]["total"]["contracts"] == 1
    main = render.pdf_contexts(data)[0]
    html = render_to_string(render.TEMPLATE, {**main, "page_start": 1})
    assert 'data-testid="matching-regions"' in html and 'data-testid="matching-institutions"' in html
    assert "吉林大学" in html
    sheets = {title: rows for title, _headers, rows, _w in render.workbook_sheets(data)}
    matching_sheets = [t for t in sheets if "双千" in str(t)]
    assert len(matching_sheets) == 2
    region_rows = {r[0]: r for r in sheets[matching_sheets[0]]}
    assert region_rows[year_data["cc"].name][4] == 1 and region_rows[year_data["cc"].name][6] == Decimal("400000")
