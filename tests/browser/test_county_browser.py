"""In Chromium on a phone (390 px), the county path (enterprises.domain.county): the 双阳区 county bureau
prepares a nomination of one of its enterprises and forwards it to 长春; 长春's bureau finds it with the
county filter and returns it with a reason; the county reads the reason. No page scrolls sideways."""

import pytest
from django.urls import reverse

from enterprises.models import EnterpriseNomination
from tests import factories
from tests.browsing import log_in
from tests.enterprises.factories import eligible_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
REASON = "请补充近三年研发费用辅助账。"


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def on_screen(page, testid):
    box = page.locator(f"[data-testid={testid}]").bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_county_forwards_city_returns_on_a_phone(live_server, page, browser, on_a_working_day):
    factories.CycleFactory()
    county = factories.region("220112")
    factories.CountyFactory(username="county-sy", region=county)
    factories.BureauFactory(username="bureau-cc-county", region=factories.region("220100"))
    enterprise = eligible_enterprise(region=county)
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # the forward and return buttons ask first

    # The county prepares the nomination from its register and forwards it.
    page.set_viewport_size(PHONE)
    log_in(page, base, "county-sy")
    page.goto(base + reverse("enterprises:bureau_nominations"))
    assert page.locator("[data-testid=county-note]").is_visible()
    page.click("[data-testid=new-nomination]")
    page.select_option("[data-testid=choose-enterprise] select", str(enterprise.pk))
    page.click("[data-testid=choose-enterprise] button[type=submit]")
    page.wait_for_url(f"**enterprise={enterprise.pk}**")
    page.fill("#id_nom-recommendation", "双阳区重点培育的科技型中小企业，研发投入持续增长。")
    assert no_sideways_scroll(page)
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=forward]")
    nomination = EnterpriseNomination.objects.get(enterprise=enterprise)
    assert (nomination.county, nomination.region.code, nomination.with_county) == (county, "220100", True)
    assert on_screen(page, "forward") and no_sideways_scroll(page)
    page.click("[data-testid=forward]")
    page.wait_for_selector("[data-testid=forward]", state="detached")
    assert "双阳区" in page.inner_text("[data-testid=county-info]")
    nomination.refresh_from_db()
    assert not nomination.with_county

    # 长春's bureau filters its list by the county, opens the nomination and returns it with a reason.
    city_context = browser.new_context(viewport=PHONE)
    city = city_context.new_page()
    city.on("dialog", lambda dialog: dialog.accept())
    log_in(city, base, "bureau-cc-county")
    city.goto(base + reverse("enterprises:bureau_nominations"))
    city.select_option("[data-testid=filters] select[name=county]", str(county.pk))
    city.click("[data-testid=filters] button[type=submit]")
    city.wait_for_url(f"**county={county.pk}**")
    assert no_sideways_scroll(city)
    city.click(f"text={enterprise.name}")
    city.wait_for_selector("[data-testid=return-to-county]")
    assert on_screen(city, "return-to-county") and no_sideways_scroll(city)
    city.fill("#county-reason", REASON)
    city.click("[data-testid=return-to-county]")
    city.wait_for_selector("[data-testid=return-to-county]", state="detached")
    city_context.close()
    nomination.refresh_from_db()
    assert nomination.with_county and nomination.state_reason == REASON

    # The county sees the reason, and may forward again.
    page.reload()
    assert REASON in page.inner_text("[data-testid=county-return-reason]")
    assert page.locator("[data-testid=forward]").is_visible() and no_sideways_scroll(page)
