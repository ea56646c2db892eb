"""Sign-in in a real browser: the office's second step, the idle warning and its "stay signed in"."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browsing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_signs_in_with_an_authenticator_code(live_server, page):
    office = factories.OfficeFactory(username="office-2fa")
    log_in(page, live_server.url, office.username)  # password, then the code on the verify page
    assert page.url.endswith("/home/")


def test_idle_warning_shows_and_stay_signed_in_pings_the_server(live_server, page, settings):
    settings.POJIAN_SESSION_IDLE_MINUTES = 1
    settings.POJIAN_SESSION_WARN_MINUTES = 1  # the warning is due at once
    bureau = factories.BureauFactory(username="bureau-idle")
    log_in(page, live_server.url, bureau.username)
    box = page.locator("#session-timeout")
    expect(box).to_be_visible(timeout=5000)
    assert "即将自动退出登录" in box.inner_text()
    with page.expect_response("**/accounts/session/ping/") as response:
        page.click("[data-action=stay-signed-in]")
    assert response.value.status == 200


def test_office_without_an_authenticator_sets_one_up_and_gets_backup_codes(live_server, page):
    from base64 import b32decode

    from django_otp.oath import TOTP

    from pojian.domain.twofactor import has_two_factor
    from tests.browsing import TEST_PASSWORD

    office = factories.OfficeFactory(username="office-new")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", office.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    assert page.locator("[data-testid=otp-qr] svg").count() == 1
    secret = page.inner_text("[data-testid=otp-secret]").replace(" ", "")
    page.fill("input[name=code]", f"{TOTP(b32decode(secret)).token():06d}")  # what the phone app would show
    page.click("form:has(input[name=code]) button[type=submit]")
    expect(page.locator("[data-testid=backup-codes] li")).to_have_count(10)
    assert has_two_factor(office)
    page.click("text=继续")
    page.wait_for_url("**/home/")
