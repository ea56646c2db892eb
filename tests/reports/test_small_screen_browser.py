"""In Chromium on a phone-sized screen: the office's dashboard and the public progress page fit the
screen (wide tables scroll inside their own box, charts shrink), and a table downloads as .xlsx."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.domain import public
from tests import factories as core
from tests.browsing import log_in
from tests.enterprises.factories import ensure_regions
from tests.reports.factories import known_year, other_apps_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The right edge of the widest chart box: a chart may be wider than a phone, its box scrolls and stays on screen.
WIDEST_CHART = "() => Math.max(...[...document.querySelectorAll('.chart-box')].map(b => b.getBoundingClientRect().right))"


def test_dashboard_and_public_page_fit_a_phone_and_a_table_downloads(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_regions()  # an earlier transactional test may have flushed the data migration's regions
    cycle = core.CycleFactory()
    office = core.OfficeFactory(username="office-phone")
    n = known_year(cycle)
    other_apps_year(cycle, office=office, nominations=n)
    public.release_progress(cycle=cycle, by=office)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "office-phone")

    page.goto(f"{live_server.url}{reverse('reports:dashboard')}")
    page.click("[data-testid=section-states] summary")
    wrapper = page.locator("[data-testid=section-states] .table-responsive")
    assert "长春市" in wrapper.inner_text()
    # The table of nominations by state is wider than the phone: it scrolls in its box, the page does not.
    assert wrapper.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate(OVERFLOW) <= 0
    assert page.locator(".chart-box svg.chart").count() >= 8 and page.evaluate(WIDEST_CHART) <= PHONE["width"]
    # A wide chart scales down to its box (viewBox, width 100 %): no sideways scrolling (issue 13).
    pipeline_chart = page.locator("[data-testid=section-states] svg.chart")
    assert pipeline_chart.evaluate("s => s.getBoundingClientRect().width <= s.parentElement.clientWidth + 1")
    assert not pipeline_chart.evaluate("s => s.parentElement.scrollWidth > s.parentElement.clientWidth + 1")

    with page.expect_download() as download:
        page.click("[data-testid=section-states] a[href*='.xlsx']")
    path = tmp_path / "states.xlsx"
    download.value.save_as(path)
    rows = {r[0]: r[-1] for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)}
    assert rows["长春市"] == 6 and rows["吉林市"] == 3

    anonymous = page.context.browser.new_context(viewport=PHONE)
    visitor = anonymous.new_page()
    visitor.goto(f"{live_server.url}{reverse('reports:public_progress')}")
    assert "长春市" in visitor.inner_text("[data-testid=progress]")
    assert visitor.evaluate(OVERFLOW) <= 0 and visitor.evaluate(WIDEST_CHART) <= PHONE["width"]
    anonymous.close()
