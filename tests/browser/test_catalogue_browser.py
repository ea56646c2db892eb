"""The public results catalogue (成果库) in real Chromium on a phone-sized screen (390 px): a Chinese
substring search (a piece from the middle of a word), a filter that narrows it, a detail page; nothing
is wider than the screen. And the results manager's 推介 page and a contract's cancellation, with axe-core."""

import pytest
from django.urls import reverse

from tests.enterprises.factories import ensure_regions
from tests.techtransfer.factories import InstitutionFactory, ResultFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture
def catalogue(live_server):
    ensure_regions()
    jlu = InstitutionFactory(name="吉林大学")
    ResultFactory(institution=jlu, title="寒地玉米秸秆生物降解菌剂", field="agriculture", maturity="industrial",
                  summary="低温条件下快速降解秸秆，适用于东北黑土地保护性耕作。", contact_name="王老师")
    ResultFactory(institution=jlu, title="秸秆纤维素乙醇发酵工艺", field="energy", maturity="pilot",
                  summary="以玉米秸秆为原料的二代燃料乙醇。")
    ResultFactory(title="工业机器人视觉定位软件", field="software", summary="基于深度学习的工件定位。")
    ResultFactory(title="未发布的秸秆成果", field="agriculture", state="submitted")


def test_the_public_searches_filters_and_reads_a_result_on_a_phone(live_server, page, catalogue):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{reverse('techtransfer:public_catalogue')}")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    items = page.locator("[data-testid=catalogue-results] a")
    assert items.count() == 3  # published only

    # Chinese has no spaces: “秸秆” is found inside “寒地玉米秸秆生物降解菌剂” as well as at a title's start.
    page.fill("#q", "秸秆")
    page.click("[data-testid=catalogue-search] button[type=submit]")
    page.wait_for_url("**q=*")
    texts = items.all_inner_texts()
    assert len(texts) == 2 and all("秸秆" in t for t in texts)
    assert "未发布的秸秆成果" not in page.inner_text("main")

    # The field filter keeps the words searched and narrows to one.
    page.select_option("#field", "agriculture")
    page.click("[data-testid=catalogue-search] button[type=submit]")
    page.wait_for_url("**field=agriculture*")
    assert page.input_value("#q") == "秸秆"
    assert items.count() == 1 and "寒地玉米秸秆生物降解菌剂" in items.first.inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # The detail page, readable on the phone.
    items.first.click()
    page.wait_for_selector("[data-testid=result]")
    main = page.inner_text("main")
    assert "寒地玉米秸秆生物降解菌剂" in main and "东北黑土地" in main and "吉林大学" in main and "王老师" in main
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.locator("h1").bounding_box()["width"] <= 390


def test_a_search_with_no_match_says_so(live_server, page, catalogue):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{reverse('techtransfer:public_catalogue')}?q=量子计算")
    assert page.locator("[data-testid=catalogue-results] a").count() == 0
    assert page.locator("[data-testid=catalogue-results]").inner_text().strip()


def test_the_institutions_recommendations_and_a_cancelled_contract_meet_wcag_aa(live_server, page, catalogue):
    from techtransfer.domain import contract_changes, matching
    from techtransfer.models import Institution, Result
    from tests import factories as core
    from tests.browser.test_accessibility_browser import violations
    from tests.browsing import log_in
    from tests.enterprises.factories import EnterpriseFactory
    from tests.techtransfer.factories import TechContractFactory, results_manager

    office = core.OfficeFactory(username="office-cat")
    bureau = core.BureauFactory(username="bureau-cat", region=core.region("220100"))
    jlu = Institution.objects.get(name="吉林大学")
    manager = results_manager(jlu, "results-cat")
    enterprise = EnterpriseFactory(region=bureau.region, name="长春某农业公司")
    result = Result.objects.get(title="寒地玉米秸秆生物降解菌剂")
    matching.recommend(result, enterprises=[enterprise], by=bureau, note="适合寒地")
    matching.record_interest(result=result, enterprise=enterprise, side="enterprise", by=bureau, note="希望洽谈")
    contract = TechContractFactory(enterprise=enterprise, institution=jlu, result=result)
    contract_changes.cancel_contract(contract, by=office, reason="重复登记")
    other = TechContractFactory(enterprise=enterprise, institution=jlu)

    log_in(page, live_server.url, manager.username)
    page.goto(f"{live_server.url}{reverse('techtransfer:own_recommendations')}")
    assert "长春某农业公司" in page.inner_text("[data-testid=own-recommendations]") and "希望洽谈" in page.content()
    found = violations(page)
    log_in(page, live_server.url, bureau.username)
    for c in (contract, other):
        page.goto(f"{live_server.url}{reverse('techtransfer:contract', args=[c.pk])}")
        found += violations(page)
    page.click("[data-testid=cancel-form] >> xpath=ancestor::details/summary")
    page.fill("[data-testid=cancel-form] textarea", "双方解除")
    page.click("[data-testid=cancel-form] button[type=submit]")
    page.wait_for_selector("[data-testid=cancelled]")
    assert "双方解除" in page.inner_text("[data-testid=cancelled]")
    assert not found, "\n".join(map(str, found))
