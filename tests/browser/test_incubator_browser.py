"""In Chromium: a bureau nominates an incubator through the form and submits it; the office accepts it."""

import pytest

from incubators.models import IncubatorNomination
from pojian import demo
from pojian.models import NominationState
from tests.browsing import log_in
from tests.incubators.factories import PDF_BYTES, ensure_regions, incubator_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




def test_bureau_nominates_and_submits_office_accepts(live_server, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_regions()  # an earlier transactional test may have flushed the migration's regions
    demo.seed()
    letter = tmp_path / "推荐函.pdf"
    letter.write_bytes(PDF_BYTES)
    base = live_server.url

    log_in(page, base, "bureau-220100", settings.DEMO_PASSWORD)
    page.click("text=推荐孵化器")  # the home card's button
    page.wait_for_url("**/incubators/nominations/new/")
    page.fill("#id_incubator-name", "长春北湖科技园孵化器")
    page.fill("#id_incubator-uscc", incubator_uscc(7001))
    page.select_option("#id_incubator-kind", "incubator")
    page.select_option("#id_incubator-level", "national")
    page.fill("#id_incubator-level_year", "2016")
    page.fill("#id_incubator-operator", "长春北湖科技开发有限公司")
    page.fill("#id_year-other_tenants", "25")
    page.select_option("#id_year-other_tenants_source", "torch")
    page.fill("#id_year-investment_raised", "12000000.00")
    page.fill("#id_year-mentors", "18")
    page.fill("#id_year-space_m2", "30000")
    page.fill("#id_nomination-results", "近三年累计孵化科技型中小企业45家,其中入库32家。")
    page.set_input_files("#id_nomination-letter", str(letter))
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=action-submit]")
    assert page.inner_text("[data-testid=state]") == "草稿"
    assert page.is_visible("[data-testid=letter-link]")
    page.click("[data-testid=action-submit]")
    page.wait_for_selector("[data-testid=state]:has-text('已提交')")
    nomination = IncubatorNomination.objects.get()
    assert nomination.state == NominationState.SUBMITTED
    assert nomination.incubator.region.code == "220100"

    log_in(page, base, "office", settings.DEMO_PASSWORD)
    page.goto(f"{base}/incubators/office/nominations/")
    page.click("[data-testid=nomination-link]:has-text('长春北湖科技园孵化器')")
    page.wait_for_selector("[data-testid=action-accept]")
    page.click("[data-testid=action-accept]")
    page.wait_for_selector("[data-testid=state]:has-text('已受理')")
    nomination.refresh_from_db()
    assert nomination.state == NominationState.ACCEPTED
    assert [h.history_change_reason for h in nomination.history.order_by("history_date")][-2:] == ["submit", "accept"]
