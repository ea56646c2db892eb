"""Helpers for the browser tests (Playwright in Debian's Chromium)."""

TEST_PASSWORD = "pw-for-tests-1"  # tests/factories.py's UserFactory password


def log_in(page, base_url, username, password=TEST_PASSWORD):
    """Sign in through the login form as `username` (signed out first) and wait for the home page."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/home/")
