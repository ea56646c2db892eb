"""Sessions end after the idle time; the page warns before; each user sees their recent sign-ins."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.browsing import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def idle_for(client, minutes):
    session = client.session
    session["last_activity"] = time.time() - minutes * 60
    session.save()


def test_session_ends_after_thirty_idle_minutes(client_for, bureau):
    c = client_for(bureau)
    idle_for(c, 31)
    response = c.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fhome%2F"
    assert "_auth_user_id" not in c.session
    page = c.get(response["Location"])
    assert "30 分钟未操作" in page.content.decode()


def test_session_stays_while_the_user_is_active(client_for, bureau):
    c = client_for(bureau)
    idle_for(c, 29)
    assert c.get(reverse("home")).status_code == 200
    assert time.time() - c.session["last_activity"] < 60  # the request counted as activity


def test_idle_time_is_a_setting(settings, client_for, bureau):
    settings.POJIAN_SESSION_IDLE_MINUTES = 5
    c = client_for(bureau)
    idle_for(c, 6)
    assert c.get(reverse("home")).status_code == 302


def test_htmx_request_after_expiry_redirects_the_whole_page(client_for, bureau):
    c = client_for(bureau)
    idle_for(c, 31)
    response = c.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))


def test_pages_carry_the_warning_with_a_static_script_and_no_inline_script(client_for, bureau):
    html = client_for(bureau).get(reverse("home")).content.decode()
    assert 'id="session-timeout"' in html and 'data-idle-seconds="1800"' in html and 'data-warn-seconds="120"' in html
    assert "/static/js/session.js" in html
    assert "<script>" not in html  # every script has a src (a site-wide CSP forbids inline ones)


def test_ping_keeps_the_session(client_for, bureau):
    c = client_for(bureau)
    idle_for(c, 28)
    assert c.get(reverse("session_ping")).json() == {"idle_seconds": 1800}
    assert time.time() - c.session["last_activity"] < 60


def test_account_page_lists_own_successful_and_failed_sign_ins(bureau, other_bureau):
    Client(REMOTE_ADDR="10.7.7.7").post(reverse("login"), {"username": bureau.username, "password": "wrong"})
    c = Client(REMOTE_ADDR="10.8.8.8")
    c.post(reverse("login"), {"username": bureau.username, "password": TEST_PASSWORD})
    Client(REMOTE_ADDR="10.9.9.9").post(reverse("login"), {"username": other_bureau.username, "password": "wrong"})
    response = c.get(reverse("account"))
    assert response.status_code == 200
    rows = response.context["signins"]
    assert [(r["address"], r["ok"]) for r in rows] == [("10.8.8.8", True), ("10.7.7.7", False)]
    html = response.content.decode()
    assert "10.7.7.7" in html and "登录失败" in html and "10.9.9.9" not in html  # not another user's


def test_account_page_is_only_the_users_own(client_for, bureau, other_bureau, expert):
    for user in (other_bureau, expert):
        response = client_for(user).get(reverse("account"))
        assert response.context["user"] == user
        assert bureau.username not in response.content.decode()


def test_the_idle_clock_starts_at_sign_in(bureau):
    c = Client()
    before = time.time()
    c.post(reverse("login"), {"username": bureau.username, "password": TEST_PASSWORD})
    assert c.session["last_activity"] >= before
