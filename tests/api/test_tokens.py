"""Personal tokens: named, hashed, expiring, shown once, revocable by their owner and by the office."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.domain import tokens
from api.models import ApiToken
from tests import factories as core

pytestmark = pytest.mark.django_db
NOMINATIONS = "/api/v1/enterprises/nominations/"


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client, bureau):
    client.force_login(bureau)
    response = client.post("/api/v1/tokens/", {"name": "我的报表工具", "days": 30}, content_type="application/json")
    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get()
    assert key.startswith(f"pj_{token.prefix}_") and key not in token.key_hash and token.key_hash == tokens.hash_key(key)
    assert token.expires_at - timezone.now() > timedelta(days=29)
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["我的报表工具"] and "key" not in listed[0]


def test_a_token_signs_in_until_it_expires_or_is_revoked(client, bureau, cycle, bearer):
    headers = bearer(bureau)
    assert client.get(NOMINATIONS, **headers).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(NOMINATIONS, **headers).status_code == 401
    ApiToken.objects.update(expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now())
    assert client.get(NOMINATIONS, **headers).status_code == 401
    assert client.get(NOMINATIONS, HTTP_AUTHORIZATION="Bearer pj_nothing_here").status_code == 401


def test_owner_and_office_revoke_another_bureau_may_not(client, bureau, other_bureau, office, bearer):
    token, _key = tokens.issue(user=bureau, name="t", by=bureau)
    url = reverse("api:token-revoke", args=[token.pk])
    assert client.post(url, **bearer(other_bureau)).status_code in (403, 404)
    assert client.post(url, **bearer(office)).status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == office
    own, _ = tokens.issue(user=bureau, name="t2", by=bureau)
    assert client.post(reverse("api:token-revoke", args=[own.pk]), **bearer(bureau)).status_code == 200


def test_only_the_office_makes_system_client_tokens(bureau, office, tax_client):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        tokens.issue(user=tax_client, name="税务", by=bureau, scope=ApiToken.Scope.TAX_PUSH)
    with pytest.raises(PermissionDenied):
        tokens.issue(user=office, name="冒名", by=bureau)
    token, _key = tokens.issue(user=tax_client, name="税务", by=office, scope=ApiToken.Scope.TAX_PUSH)
    assert token.scope == "tax_push"


def test_a_system_token_opens_nothing_but_its_push_even_when_its_owner_is_office(client, office, cycle, bearer):
    headers = bearer(core.OfficeFactory(username="office-owner"), scope=ApiToken.Scope.TAX_PUSH, issuer=office)
    for url in (NOMINATIONS, "/api/v1/enterprises/", "/api/v1/tokens/", "/api/v1/finance/investments/"):
        assert client.get(url, **headers).status_code == 403, url


# --- accounts that sign in with a second factor ------------------------------------------------


def test_an_office_token_needs_a_session_that_passed_the_second_factor(client, office):
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    from tests.otp import mark_verified

    translation.activate("zh-hans")

    client.force_login(office, otp_verified=False)
    refused = client.post("/api/v1/tokens/", {"name": "报表"}, content_type="application/json")
    assert refused.status_code in (302, 403)  # the portal sends an unverified session to the second step
    assert not ApiToken.objects.exists()
    with pytest.raises(PermissionDenied, match="双因素登录"):
        tokens.issue(user=office, name="报表", by=office)
    assert not ApiToken.objects.exists()

    mark_verified(client, office)
    made = client.post("/api/v1/tokens/", {"name": "报表"}, content_type="application/json")
    assert made.status_code == 201
    token = ApiToken.objects.get()
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    too_long = client.post("/api/v1/tokens/", {"name": "长期", "days": 90}, content_type="application/json")
    assert too_long.status_code == 400 and ApiToken.objects.count() == 1


def test_a_token_cannot_make_a_token_for_an_account_with_a_second_factor(client, office, bearer):
    headers = bearer(office)  # made from a verified session
    response = client.post("/api/v1/tokens/", {"name": "再来一个"}, content_type="application/json", **headers)
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("role", ["office", "approver", "staff"])
def test_the_rule_in_the_domain_for_each_role_that_needs_a_second_factor(role, settings):
    from django.core.exceptions import PermissionDenied, ValidationError

    settings.API_TOKEN_MAX_DAYS_TWO_FACTOR = 7
    user = {"office": lambda: core.OfficeFactory(username="o"),
            "approver": lambda: core.UserFactory(username="a", role="approver"),
            "staff": lambda: core.BureauFactory(username="s", is_staff=True)}[role]()
    with pytest.raises(PermissionDenied):
        tokens.issue(user=user, name="t", by=user)
    with pytest.raises(ValidationError):
        tokens.issue(user=user, name="t", by=user, days=8, second_factor_verified=True)
    token, _key = tokens.issue(user=user, name="t", by=user, second_factor_verified=True)
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_other_roles_keep_the_default_and_the_longer_limit(bureau):
    token, _key = tokens.issue(user=bureau, name="t", by=bureau)
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    token, _key = tokens.issue(user=bureau, name="t2", by=bureau, days=366)
    assert token.expires_at - timezone.now() > timedelta(days=365)


def test_system_client_tokens_are_not_personal_and_keep_their_rule(office, tax_client):
    token, _key = tokens.issue(user=tax_client, name="税务", by=office, scope=ApiToken.Scope.TAX_PUSH, days=366)
    assert token.expires_at - timezone.now() > timedelta(days=365)
