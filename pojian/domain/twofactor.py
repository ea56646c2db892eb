"""Two-factor sign-in (django-otp): who must use it, enrolling an authenticator, backup codes.

A user "has two-factor" once they confirmed a TOTP device (an authenticator app). Whoever has it
is asked for a code after the password, on every sign-in. Office staff, approvers and anyone who
can open the admin must have it (settings.POJIAN_OTP_REQUIRED, on unless a demo turns it off);
the other roles may turn it on. Backup codes are django-otp static tokens: each works once.
"""

import logging
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ..models import User
from .errors import ValidationError

log = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup"
# Roles whose accounts approve money or run the programme: a stolen password is not enough.
REQUIRED_ROLES = (User.Role.OFFICE, User.Role.APPROVER)


def otp_required_for(user) -> bool:
    """Must this user sign in with a second factor? Office staff, approvers and admin users must."""
    if not settings.POJIAN_OTP_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return user.role in REQUIRED_ROLES or user.is_staff or user.is_superuser


def has_two_factor(user) -> bool:
    """The user has a confirmed authenticator, so every sign-in asks for a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    """This session passed the second step (OTPMiddleware installs user.is_verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def new_secret() -> str:
    """A fresh TOTP key (hex), kept in the session until the user confirms it with a code."""
    return random_hex(20)


def unsaved_device(*, user, key: str) -> TOTPDevice:
    return TOTPDevice(user=user, key=key, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key as authenticator apps accept it when typed in (base32, in groups of four)."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn on the server (no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def confirm_authenticator(*, user, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Turn on two-factor with the authenticator the user just scanned: the device and new backup codes.

    The code must come from that authenticator, so a mistyped key never locks the user out.
    A previous authenticator is replaced.
    """
    device = unsaved_device(user=user, key=key)
    if not (token or "").strip().isdigit() or not device.verify_token(token.strip()):
        raise ValidationError(_("That code is not right. Check the time on your phone and enter the current code."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.save()
        codes = _new_backup_codes(user)
        _tell(user, _("Two-factor sign-in was turned on for your account."))
    log.info("two-factor turned on for %s", user.username)
    return device, codes


def regenerate_backup_codes(*, user) -> list[str]:
    """Replace the user's backup codes with fresh ones (the old ones stop working)."""
    if not has_two_factor(user):
        raise ValidationError(_("Turn on two-factor sign-in first."))
    with transaction.atomic():
        codes = _new_backup_codes(user)
        _tell(user, _("New backup codes were made for your account; the old ones no longer work."))
    log.info("backup codes regenerated for %s", user.username)
    return codes


def _new_backup_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def disable(*, user):
    """Turn two-factor off, for a user whose role does not require it."""
    if otp_required_for(user):
        raise ValidationError(_("Your role requires two-factor sign-in; it cannot be turned off."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _tell(user, _("Two-factor sign-in was turned off for your account."))
    log.info("two-factor turned off for %s", user.username)


def verify(*, user, token: str):
    """The device that accepts this code (authenticator code or an unused backup code), or None.

    A backup code is deleted as it is used. Devices throttle repeated wrong codes themselves.
    """
    token = "".join((token or "").split()).lower()
    if not token or len(token) > 16:
        return None
    device = match_token(user, token)
    if isinstance(device, StaticDevice):
        _tell(user, _("A backup code was used to sign in to your account. %(left)s backup codes are left.")
              % {"left": backup_codes_left(user)})
    return device


def _tell(user, subject):
    """Every change to a user's second factor is recorded as a notification and e-mailed to them:
    if it was not them, they learn of it."""
    from django.urls import reverse

    from .notifications import notify

    notify([user], subject=subject, body=_("If this was not you, change your password and tell the provincial office."),
           url=reverse("account"))


def device_kind(device) -> str:
    return "backup" if isinstance(device, StaticDevice) else "authenticator"

