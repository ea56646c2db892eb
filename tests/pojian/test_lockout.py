"""Lock-outs: per (user name, address), per address over all user names, not extended while locked,
the address read from the proxy's header named in settings."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from pojian.domain.signin import client_ip
from tests import factories
from tests.browsing import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def attempt(username, password="wrong-password", address="10.1.1.1", **extra):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(username, times, address="10.1.1.1", **extra):
    """Wrong passwords; the one that reaches a limit is already answered with the lock-out page."""
    return [attempt(username, address=address, **extra).status_code for _ in range(times)]


def shift_attempts_back(minutes):
    for a in AccessAttempt.objects.all():
        a.attempt_time -= timedelta(minutes=minutes)
        a.save(update_fields=["attempt_time"])


def test_five_failures_lock_the_user_name_from_that_address(bureau):
    assert fail(bureau.username, 5) == [200, 200, 200, 200, 429]
    response = attempt(bureau.username, TEST_PASSWORD)
    assert response.status_code == 429
    # The same account from another address is not locked.
    assert attempt(bureau.username, TEST_PASSWORD, address="10.2.2.2").status_code == 302


def test_lock_out_page_is_chinese_in_the_site_layout(bureau):
    fail(bureau.username, 5)
    response = attempt(bureau.username)
    html = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多" in html and "30 分钟" in html
    assert 'class="navbar' in html  # the portal's layout, not a bare page


def test_guesses_spread_over_user_names_lock_the_address(db):
    users = [factories.BureauFactory() for _ in range(8)]
    statuses = []
    for user in users[:7]:
        statuses += fail(user.username, 3)  # 21 failures, none of the pairs at its limit of 5
    assert statuses.index(429) == 19  # the 20th failure from the address locks it
    assert attempt(users[7].username, TEST_PASSWORD).status_code == 429
    assert attempt(users[7].username, TEST_PASSWORD, address="10.2.2.2").status_code == 302


def test_address_limit_is_a_setting(settings, db):
    settings.POJIAN_ADDRESS_FAILURE_LIMIT = 4
    users = [factories.BureauFactory() for _ in range(3)]
    fail(users[0].username, 2)
    fail(users[1].username, 2)
    assert attempt(users[2].username, TEST_PASSWORD).status_code == 429


def test_attempts_during_a_lock_out_do_not_extend_it(bureau):
    fail(bureau.username, 5)
    shift_attempts_back(29)  # one minute of the 30-minute cool-off left
    before = list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start"))
    for _ in range(3):
        assert attempt(bureau.username).status_code == 429
    assert list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start")) == before
    shift_attempts_back(2)  # the cool-off is over, counted from the last failure before the lock
    assert attempt(bureau.username, TEST_PASSWORD).status_code == 302


def test_behind_the_proxy_each_client_is_locked_by_its_own_address(settings, bureau):
    settings.POJIAN_CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = "10.0.0.1"
    fail(bureau.username, 5, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert attempt(bureau.username, TEST_PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy signs in: the attacker cannot lock the account for all.
    assert attempt(bureau.username, TEST_PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize(("header", "count", "meta", "expected"), [
    ("", 1, {"HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.1"),  # no proxy configured: header ignored
    ("X-Forwarded-For", 1, {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, "1.2.3.4"),  # forged left part ignored
    ("X-Forwarded-For", 2, {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4, 10.9.9.9"}, "1.2.3.4"),
    ("X-Forwarded-For", 2, {"HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.1"),  # fewer hops than proxies
    ("HTTP_X_REAL_IP", 1, {"HTTP_X_REAL_IP": "2001:db8::1"}, "2001:db8::1"),
    ("X-Real-IP", 1, {"HTTP_X_REAL_IP": "not-an-address"}, "10.0.0.1"),
    ("X-Real-IP", 1, {}, "10.0.0.1"),
])
def test_client_address_from_the_configured_header(settings, header, count, meta, expected):
    settings.POJIAN_CLIENT_IP_HEADER = header
    settings.POJIAN_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta)
    assert client_ip(request) == expected
