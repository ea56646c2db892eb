import pytest
from django.conf import settings

from pojian import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bureau_logs_in_sees_chinese_and_switches_to_english(live_server, page):
    demo.seed()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "bureau-220100")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "长春市" in page.inner_text("h1")
    assert "首页" in page.inner_text("nav")  # "Home"
    page.select_option("[data-testid=language-switcher]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "the year at a glance" in page.inner_text("h1")
    assert "Home" in page.inner_text("nav")
