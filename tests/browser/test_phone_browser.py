"""On a phone (390 px): charts fit their box, wide tables say they scroll, the icon is served."""

import pytest

from pojian import demo
from tests.browsing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_charts_fit_and_wide_tables_show_a_scroll_hint(live_server, page):
    from tests import factories

    demo.seed()
    factories.OfficeFactory(username="office-phone")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "office-phone")
    page.goto(f"{live_server.url}/reports/dashboard/")
    charts = page.locator(".chart-box svg.chart")
    assert charts.count() > 0
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.evaluate("svg => svg.parentElement.getBoundingClientRect().width")
        assert chart.bounding_box()["width"] <= box + 1
    page.goto(f"{live_server.url}/enterprises/office/nominations/")
    wide = page.evaluate("""() => [...document.querySelectorAll('.table-responsive')]
        .filter(b => b.scrollWidth > b.clientWidth + 2).length""")
    assert wide > 0, "the office's list is wider than a phone"
    hint = page.locator("[data-testid=scroll-hint]").first
    assert hint.is_visible() and "左右滑动" in hint.inner_text()


def test_favicon_is_served(live_server, page):
    response = page.goto(f"{live_server.url}/favicon.ico")
    assert response.ok and "svg" in response.headers["content-type"]
