"""Helpers for the browser tests (Playwright in Debian's Chromium)."""

TEST_PASSWORD = "pw-for-tests-1"  # tests/factories.py's UserFactory password


def log_in(page, base_url, username, password=TEST_PASSWORD):
    """Sign in through the login form as `username` (signed out first) and wait for the home page.

    A user who signs in with two-factor (office staff must) is given an authenticator first, and
    the helper types its current code on the verify page, as the person would.
    """
    from pojian.domain.twofactor import has_two_factor, otp_required_for
    from pojian.models import User
    from tests.otp import authenticator, current_code

    user = User.objects.get(username=username)
    device = authenticator(user) if otp_required_for(user) or has_two_factor(user) else None
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if device is not None:
        page.wait_for_url("**/accounts/verify/**")
        page.fill("input[name=code]", current_code(device))
        page.click("form:has(input[name=code]) button[type=submit]")
    page.wait_for_url("**/home/")
