"""The incubator post-subsidy rule page for the office: bands of rank or score, cap, unit, the year's
quota and the line's budget, with an optimistic lock and history; amounts on the list explained;
refusals for another city's bureau, an expert and an anonymous visitor."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Budget
from incubators.domain import post_subsidies, subsidy_rule
from incubators.models import PostSubsidy, SubsidyRule
from pojian.models import Cycle
from tests.funding.factories import line

from .test_subsidy_rule import confirmed_round, set_rule, year  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
D = Decimal


def url(cycle):
    return f"{reverse('incubators:subsidy_rule')}?year={cycle.year}"


def form(rule, **values):
    return {"version": rule.version, "by": "rank", "bands": '[[2, "800000"], [null, "400000"]]', "cap": "",
            "unit": "100", "quota": 3, "budget": "", "document_no": ""} | values


def test_office_edits_rule_quota_and_budget_with_history(client_for, office, year):  # noqa: F811
    line("incubator_post")
    c = client_for(office)
    assert c.get(url(year)).status_code == 200
    rule = SubsidyRule.objects.get(cycle=year)
    r = c.post(url(year), form(rule, quota=5, budget="2,000,000", document_no="吉科发〔2026〕9号", cap="700000"))
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.bands == [[2, "800000"], [None, "400000"]] and rule.cap == D("700000")
    assert Cycle.objects.get(pk=year.pk).incubator_quota == 5
    assert Budget.objects.get(cycle=year, line__code="incubator_post").amount == D("2000000")
    html = c.get(url(year)).content.decode()
    assert 'data-testid="subsidy-rule-history"' in html and html.count("<li>") >= 2 and "office-t" in html


def test_stale_and_bad_bands_refused(client_for, office, year):  # noqa: F811
    c = client_for(office)
    c.get(url(year))
    rule = SubsidyRule.objects.get(cycle=year)
    stale = form(rule)
    assert c.post(url(year), form(rule, cap="1000")).status_code == 302
    r = c.post(url(year), {**stale, "cap": "2000"})
    assert r.status_code == 400 and SubsidyRule.objects.get(pk=rule.pk).cap == D("1000")
    rule.refresh_from_db()
    r = c.post(url(year), form(rule, bands='[[null, "1"], [3, "1"]]'))
    assert r.status_code == 400 and SubsidyRule.objects.get(pk=rule.pk).bands == [[2, "800000"], [None, "400000"]]


def test_budget_needs_its_document_number(client_for, office, year):  # noqa: F811
    line("incubator_post")
    c = client_for(office)
    c.get(url(year))
    rule = SubsidyRule.objects.get(cycle=year)
    assert c.post(url(year), form(rule, budget="100000")).status_code == 400
    assert not Budget.objects.filter(cycle=year).exists()


@pytest.mark.parametrize("who", ["other_bureau", "bureau", "expert"])
def test_rule_page_refused(client_for, request, who, year):  # noqa: F811
    c = client_for(request.getfixturevalue(who))
    assert c.get(url(year)).status_code == 403
    assert c.post(url(year), {"version": 1, "by": "rank", "bands": "[]"}).status_code == 403
    assert not SubsidyRule.objects.exists()


def test_rule_page_anonymous_sent_to_login(client, year):  # noqa: F811
    r = client.get(url(year))
    assert r.status_code == 302 and "login" in r["Location"]


def test_list_explains_amounts_and_shows_rolling_years(client_for, office, bureau, year):  # noqa: F811
    nominations = confirmed_round(year, ["95", "90", "85"], bureau)
    set_rule(year, office, by="rank", bands=[[1, "900000"], [None, "500000"]], cap=D("800000"))
    Budget.objects.create(cycle=year, line=line("incubator_post"), amount=D("1200000"), document_no="x")
    first = nominations[0].incubator
    for y in (2024, 2025):
        PostSubsidy.objects.create(incubator=first, year=y, amount=D("300000"), decided_by=office)
    subsidy_rule.list_from_round(cycle=year, by=office)
    notes = PostSubsidy.objects.get(incubator=first, year=2026).notes
    assert "900,000.00" in notes and "800,000.00" in notes and "1,200,000.00" in notes
    html = client_for(office).get(reverse("incubators:post_subsidies"), {"year": 2026}).content.decode()
    assert "900,000.00" in html and 'data-testid="subsidy-rule-link"' in html
    rows = {r["subsidy"].incubator_id: r for r in post_subsidies.year_list(year=2026)[1]}
    assert rows[first.pk]["consecutive_years"] == 3
