"""Deployment checks of the portal's own (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning


def two_factor_required(app_configs, **kwargs):
    if settings.POJIAN_OTP_REQUIRED:
        return []
    return [Warning(
        "POJIAN_OTP_REQUIRED is off: office staff and approvers can sign in with a password alone.",
        hint="Leave POJIAN_OTP_REQUIRED unset (or true) outside a demo.",
        id="pojian.W001",
    )]
