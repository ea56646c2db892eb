"""Post-subsidies in the dashboard and the annual report: the R&D post-subsidy by region, industry and
band, how many enterprises' R&D grew, incubator post-subsidies over the years; the dashboard refused
to another city's bureau, an expert and an anonymous visitor."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from enterprises.models import EnterpriseYear, Registration
from funding.domain import rd_subsidy
from funding.models import RdCandidate
from incubators.models import PostSubsidy
from reports.domain import post_subsidies, render
from reports.domain.dashboard import Dashboard
from reports.domain.figures import report_data
from tests import factories as core
from tests import pdfcheck
from tests.enterprises.factories import EnterpriseFactory
from tests.incubators.factories import IncubatorFactory

pytestmark = pytest.mark.django_db
D = Decimal


def firm(cycle, *, expense, previous, region, industry):
    e = EnterpriseFactory(region=core.region(region), industry=industry)
    year = cycle.year
    EnterpriseYear.objects.create(enterprise=e, year=year - 1, rd_expense_tax=D(expense), revenue_tax=D("50000000"))
    EnterpriseYear.objects.create(enterprise=e, year=year - 2, rd_expense_tax=D(previous), revenue_tax=D("50000000"))
    Registration.objects.create(enterprise=e, year=year, number=f"{year}220100A{e.pk:07d}")
    return e


@pytest.fixture
def subsidised(cycle, office):
    a = firm(cycle, expense="3000000", previous="2000000", region="220100", industry="electronics")
    b = firm(cycle, expense="2000000", previous="2500000", region="220100", industry="biomedicine")
    c = firm(cycle, expense="8000000", previous="7000000", region="220200", industry="electronics")
    rule = rd_subsidy.rule_for_year(cycle=cycle, by=office)
    rule = rd_subsidy.update_rule(rule=rule, values={"min_intensity": D("3"), "cap": None,
                                                     "bands": [["5000000", "0.10"], [None, "0.05"]]},
                                  version=rule.version, by=office)
    rd_subsidy.compute_candidates(rule=rule, by=office)
    # The office's adjustment counts, not the computed amount.
    RdCandidate.objects.filter(enterprise=b).update(adjusted_amount=D("150000"))
    inc = IncubatorFactory(region=core.region("220100"))
    for year, amount in ((cycle.year - 2, "300000"), (cycle.year - 1, "400000"), (cycle.year, "500000")):
        PostSubsidy.objects.create(incubator=inc, year=year, amount=D(amount), decided_by=office)
    return a, b, c


def test_figures_by_region_industry_band_and_growth(cycle, subsidised):
    with translation.override("en"):
        f = post_subsidies.figures(cycle=cycle)
    rd = f["rd"]
    # 300,000 + 150,000 (adjusted) in 长春; 500,000 + 150,000 = 650,000 in 吉林.
    assert {r["label"]: (r["n"], r["total"]) for r in rd["by_region"]} == {
        "长春市": (2, D("450000")), "吉林市": (1, D("650000"))}
    assert {r["label"]: r["n"] for r in rd["by_band"]} == {"band 1": 2, "band 2": 1}
    assert sum(r["total"] for r in rd["by_industry"]) == rd["total"] == D("1100000")
    assert (rd["grew"], rd["with_previous"]) == (2, 3)
    assert [(r["year"], r["total"]) for r in f["incubators"]] == [
        (cycle.year - 4, 0), (cycle.year - 3, 0), (cycle.year - 2, D("300000")), (cycle.year - 1, D("400000")),
        (cycle.year, D("500000"))]
    regional = post_subsidies.figures(cycle=cycle, region=core.region("220200"))
    assert regional["rd"]["n"] == 1 and not regional["any_incubators"]
    assert [r["n"] for r in regional["incubators"]] == [0] * 5


def test_dashboard_section(cycle, subsidised):
    with translation.override("en"):
        s = Dashboard(cycle).section("post_subsidies")
    assert s["available"] and len(s["charts"]) == 2 and str(s["charts"][0]).startswith("<svg")
    assert ["R&D post-subsidy", "Total", 3, D("1100000")] in s["rows"]
    assert ["Incubator post-subsidies", cycle.year, 1, D("500000")] in s["rows"]
    assert "2 of 3" in s["notes"][0]


def test_dashboard_without_rd_round_says_so(cycle):
    with translation.override("en"):
        s = Dashboard(cycle).section("post_subsidies")
    assert "not computed" in s["notes"][0] and len(s["charts"]) == 1  # the incubators' years, all 0
    assert [r[2] for r in s["rows"]] == [0] * 5


def test_annual_report_pdf_and_workbook(cycle, subsidised, tmp_path):
    with translation.override("zh-hans"):
        data = report_data(year=cycle.year)
        pdf, _pages = render.render_report_pdf(data)
        title = translation.gettext("Post-subsidies")
    text = pdfcheck.text(pdf)
    assert re.search(r"吉林市\s+1\s+65\.00", text) and re.search(r"长春市\s+2\s+45\.00", text)
    path = tmp_path / "r.xlsx"
    render.write_report_workbook(path, data)
    rows = list(load_workbook(path)[title].iter_rows(min_row=2, values_only=True))
    assert [r[2:] for r in rows if r[1] == "吉林市"] == [(1, 650000)]
    assert (cycle.year - 1, 1, 400000) in [r[1:] for r in rows]


def test_regional_report_shows_only_the_region(cycle, subsidised):
    with translation.override("zh-hans"):
        data = report_data(year=cycle.year, region=core.region("220200"))
    assert [r["label"] for r in data["post_subsidies"]["rd"]["by_region"]] == ["吉林市"]


def test_dashboard_page_office_sees_the_section(client_for, office, cycle, subsidised):
    html = client_for(office).get(reverse("reports:dashboard")).content.decode()
    assert 'data-testid="section-post_subsidies"' in html


@pytest.mark.parametrize("who", ["other_bureau", "expert"])
def test_dashboard_refused(client_for, request, who, cycle):
    c = client_for(request.getfixturevalue(who))
    assert c.get(reverse("reports:dashboard")).status_code == 403
    assert c.get(reverse("reports:dashboard_xlsx", args=["post_subsidies"])).status_code == 403


def test_dashboard_anonymous_sent_to_login(client, cycle):
    r = client.get(reverse("reports:dashboard_xlsx", args=["post_subsidies"]))
    assert r.status_code == 302 and "login" in r["Location"]
