"""双千 matching pages in real Chromium: each role's pages (accounts, 推介, 意向, 对接记录, 对接会,
statistics) meet WCAG 2.1 AA as axe-core judges them, and a stranger's account request reaches the office."""

import datetime

import pytest
from django.urls import reverse

from techtransfer.domain import matching
from techtransfer.models import AccountRequest, MatchEvent
from tests import factories as core
from tests.browser.test_accessibility_browser import check_pages
from tests.browsing import log_in
from tests.enterprises.factories import EnterpriseFactory, ensure_regions

from .factories import DemandFactory, InstitutionFactory, ResultFactory, results_manager

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGES = ["account_requests", "recommendations", "matching", "interest_create", "record_create", "events",
         "event_create", "statistics"]


@pytest.fixture
def data(live_server):
    ensure_regions()
    office = core.OfficeFactory(username="office-tt")
    bureau = core.BureauFactory(username="bureau-tt", region=core.region("220100"))
    institution = InstitutionFactory(name="吉林大学")
    manager = results_manager(institution, "results-tt")
    result = ResultFactory(institution=institution, title="稀土催化剂制备技术")
    enterprise = EnterpriseFactory(name="长春某新材料公司")
    DemandFactory(enterprise=enterprise, title="稀土催化需求")
    matching.recommend(result, enterprises=[enterprise], by=office, note="<b>适合</b>")
    matching.record_interest(result=result, enterprise=enterprise, side="enterprise", by=bureau)
    event = matching.save_event(MatchEvent(title="长春成果对接会", held_on=datetime.date(2026, 6, 18), place="长春"),
                                by=office, enterprises=[enterprise], institutions=[institution])
    matching.create_record(by=bureau, result=result, enterprise=enterprise, event=event,
                           met_on=datetime.date(2026, 6, 18), notes="洽谈")
    return {"office": office, "bureau": bureau, "manager": manager, "result": result}


def test_a_stranger_asks_for_an_account_and_the_office_approves_it(live_server, page, data):
    page.goto(f"{live_server.url}{reverse('techtransfer:public_catalogue')}")
    page.click(f"a[href='{reverse('techtransfer:public_account_request')}']")
    page.check("input[name=kind][value=results_manager]")
    page.fill("#id_full_name", "李老师")
    page.fill("#id_email", "li@jlu.edu.cn")
    page.fill("#id_phone", "0431-85166000")
    page.fill("#id_position", "成果转化中心")
    page.select_option("#id_institution", label="吉林大学")
    page.click("[data-testid=account-request-form] button[type=submit]")
    assert "省科技厅办公室" in page.inner_text(".alert-success, .alert")
    log_in(page, live_server.url, "office-tt")
    page.goto(f"{live_server.url}{reverse('techtransfer:account_requests')}")
    assert "李老师" in page.inner_text("[data-testid=account-requests]")
    page.click("[data-testid=account-requests] form[action$='/approve/'] button")
    page.wait_for_selector("text=李老师：已完成。")
    assert AccountRequest.objects.get(email="li@jlu.edu.cn").state == "approved"


@pytest.mark.parametrize("role", ["office", "bureau", "manager"])
def test_the_matching_pages_meet_wcag_aa(live_server, page, data, role):
    user = data[role]
    log_in(page, live_server.url, user.username)
    urls = [reverse(f"techtransfer:{name}") for name in PAGES if user.has_perm(
        {"account_requests": "techtransfer.decide_account_requests",
         "recommendations": "techtransfer.list_recommendations", "event_create": "techtransfer.create_event",
         "statistics": "techtransfer.view_matching_statistics", "record_create": "techtransfer.create_match_record",
         }.get(name, "techtransfer.list_matching"))]
    urls.append(reverse("techtransfer:public_result", args=[data["result"].pk]))
    if role != "manager":
        urls.append(reverse("techtransfer:recommend", args=[data["result"].pk]))
    checked, failures = check_pages(page, live_server.url, urls)
    assert checked >= len(urls)
    assert not failures, "\n".join(failures)


def test_the_account_request_page_meets_wcag_aa(live_server, page, data):
    checked, failures = check_pages(page, live_server.url, [reverse("techtransfer:public_account_request")])
    assert checked >= 1 and not failures, "\n".join(failures)
