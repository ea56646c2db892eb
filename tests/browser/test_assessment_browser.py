"""In Chromium: the office publishes the year's assessment and the public page shows the ranking."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.domain import compute
from pojian.models import Region
from tests import factories as core
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory
from tests.browsing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_publishes_and_the_public_page_shows_the_ranking(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = core.CycleFactory()
    office = core.OfficeFactory(username="office-browser")
    Region.objects.exclude(code__in=["220100", "220200", "220300"]).update(active=False)
    opinion = IndicatorFactory(cycle=cycle, code="opinion", name="处室意见")
    for code, value in (("220100", 70), ("220200", 95), ("220300", 40)):
        OfficeEntryFactory(indicator=opinion, region=core.region(code), value=Decimal(value), entered_by=office)
    compute.compute_assessment(cycle=cycle, by=office)
    public_url = f"{live_server.url}{reverse('public_assessment', args=[cycle.year])}"

    # Before publication the public page shows nothing.
    response = page.goto(public_url)
    assert response.status == 404

    log_in(page, live_server.url, "office-browser")
    page.goto(f"{live_server.url}{reverse('assessment:table', args=[cycle.year])}")
    page.click("[data-testid=commend-220200]")
    page.fill("textarea[name=reason]", "职能处室评价最高")
    page.click("[data-testid=save-commend]")
    page.wait_for_selector("[data-testid=commended]")
    page.fill("#publish-note", f"{cycle.year}年度考核结果通报")
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=published-badge]")

    anonymous = page.context.browser.new_context()
    public = anonymous.new_page()
    assert public.goto(public_url).status == 200
    ranking = public.inner_text("[data-testid=public-ranking]")
    assert ranking.index("吉林市") < ranking.index("长春市") < ranking.index("四平市")
    assert "职能处室评价最高" in public.inner_text("[data-testid=commended-list]")
    assert "吉林市科学技术局" in public.inner_text("[data-testid=commended-list]")
    anonymous.close()
