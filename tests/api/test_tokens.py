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
