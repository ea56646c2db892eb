"""Issuing, checking and revoking API tokens.

A key reads `pj_<prefix>_<secret>`: the prefix finds the row and shows in lists, the secret is
32 random bytes. Only the SHA-256 of the whole key is stored (a random key of that length needs no
slow hash: it cannot be guessed from a dictionary).

A personal token of someone who must sign in with a second factor (office staff, approvers, admin
users: `pojian.domain.twofactor.otp_required_for`) is a way in without that factor, so it may be made
only from a session that passed it, and lasts at most `API_TOKEN_MAX_DAYS_TWO_FACTOR` days.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.twofactor import otp_required_for

from ..models import ApiToken

MAX_DAYS = 366
DEFAULT_DAYS = 90


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def max_days(user, scope=ApiToken.Scope.PERSONAL):
    """How long a new token of `user` may last: shorter for accounts that need a second factor."""
    if scope == ApiToken.Scope.PERSONAL and otp_required_for(user):
        return min(MAX_DAYS, settings.API_TOKEN_MAX_DAYS_TWO_FACTOR)
    return MAX_DAYS


def issue(*, user, name, by, scope=ApiToken.Scope.PERSONAL, days=None, second_factor_verified=False):
    """A new token for `user`; returns (token, key). The key is not kept and cannot be shown again.

    `second_factor_verified`: the request that asks for it comes from a session that passed the second
    factor (not from another token). `days` left out: the default, or the most allowed if shorter.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name, so that you can tell it from others."))
    longest = max_days(user, scope)
    days = min(DEFAULT_DAYS, longest) if days is None else days
    if not 1 <= int(days) <= longest:
        raise ValidationError(_("A token lasts from 1 to %(max)s days.") % {"max": longest})
    if scope == ApiToken.Scope.PERSONAL and otp_required_for(user) and not second_factor_verified:
        raise PermissionDenied(_("Your account uses two-factor sign-in: sign in in the browser with the code of your "
                                 "authenticator, then make the token there."))
    if scope != ApiToken.Scope.PERSONAL and not by.has_perm("api.manage_clients"):
        raise PermissionDenied(_("Only the provincial office may make tokens for system clients."))
    if by != user and not by.has_perm("api.manage_clients"):
        raise PermissionDenied(_("You may make tokens only for yourself."))
    prefix = secrets.token_hex(4)
    key = f"pj_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], scope=scope, prefix=prefix, key_hash=hash_key(key), created_by=by,
            expires_at=timezone.now() + timedelta(days=int(days)),
        )
    return token, key


def authenticate(key):
    """The active token with this key, or None."""
    if not key or not key.startswith("pj_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute: cheap
    return token


def revoke(*, token, by):
    if not by.has_perm("api.revoke_token", token):
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token
