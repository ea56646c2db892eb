"""In Chromium on a phone (390 px): a city bureau verifies its R&D post-subsidy candidates — disputes one
(refused without a reason, then with one), confirms another — and never sees another city's; the
page does not scroll sideways."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browsing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_bureau_confirms_and_disputes_on_a_phone(live_server, page):
    from funding.domain import rd_subsidy
    from funding.models import RdCandidate, RdSubsidyRule
    from tests import factories as core
    from tests.funding.test_rd_subsidy import YEAR, firm

    cycle = core.CycleFactory(year=YEAR)
    office = core.OfficeFactory(username="office-rd")
    core.BureauFactory(username="bureau-rd", region=core.region("220100"))
    moved = firm(expense="2000000", region="220100", name="长春迁出企业")
    kept = firm(expense="3000000", region="220100", name="长春研发企业")
    other = firm(expense="3000000", region="220200", name="吉林研发企业")
    rule = rd_subsidy.rule_for_year(cycle=cycle, by=office)
    rule = rd_subsidy.update_rule(rule=rule, values={"min_intensity": Decimal("0")}, version=rule.version, by=office)
    rd_subsidy.compute_candidates(rule=rule, by=office)
    # In verification, its deadline a month from whatever day the test runs.
    today = timezone.localdate()
    RdSubsidyRule.objects.filter(pk=rule.pk).update(state="verification", verification_opens=today,
                                                   verification_due=today + timedelta(days=30))

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "bureau-rd")
    page.goto(f"{live_server.url}/funding/rd/?year={YEAR}")
    table = page.locator("[data-testid=rd-candidates]")
    assert moved.name in table.inner_text() and kept.name in table.inner_text()
    assert other.name not in page.content()
    assert no_sideways_scroll(page)

    page.click(f"text={moved.name}")
    dispute = page.locator("[data-testid=rd-dispute]")
    assert dispute.is_visible() and dispute.bounding_box()["x"] + dispute.bounding_box()["width"] <= 390
    assert no_sideways_scroll(page)
    dispute.click()  # no reason: refused, nothing changes
    page.wait_for_load_state()
    assert RdCandidate.objects.get(enterprise=moved).verification == "pending"
    assert page.locator(".alert-danger, .alert-error, [role=alert]").count() > 0
    page.fill("input[name=reason]", "企业已迁出本省")
    page.locator("[data-testid=rd-dispute]").click()
    page.wait_for_load_state()
    assert "企业已迁出本省" in page.locator("[data-testid=rd-verification]").inner_text()
    c = RdCandidate.objects.get(enterprise=moved)
    assert c.verification == "disputed" and c.verification_reason == "企业已迁出本省"

    page.goto(f"{live_server.url}/funding/rd/?year={YEAR}")
    page.click(f"text={kept.name}")
    page.locator("[data-testid=rd-confirm]").click()
    page.wait_for_load_state()
    assert RdCandidate.objects.get(enterprise=kept).verification == "confirmed"
    assert RdCandidate.objects.get(enterprise=other).verification == "pending"
    # Another city's candidate: refused.
    response = page.goto(f"{live_server.url}/funding/rd/candidates/{RdCandidate.objects.get(enterprise=other).pk}/")
    assert response.status == 403
