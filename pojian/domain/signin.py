"""Signing in: the client's address behind the proxy, lock-outs (django-axes), recent sign-ins.

Lock-outs: five failures for one user name from one address lock that pair (AXES_FAILURE_LIMIT);
twenty failures from one address over all user names lock the address
(POJIAN_ADDRESS_FAILURE_LIMIT), so guessing across many accounts is throttled too. Both lift
after the cool-off (AXES_COOLOFF_TIME), counted from the last failure before the lock: attempts
made while locked out are refused without being counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
is off), so hammering the form does not keep an account locked for ever.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _meta_name(header: str) -> str:
    """'X-Forwarded-For' or 'HTTP_X_FORWARDED_FOR' -> 'HTTP_X_FORWARDED_FOR' (request.META's key)."""
    name = header.strip().upper().replace("-", "_")
    return name if name.startswith("HTTP_") or name == "REMOTE_ADDR" else f"HTTP_{name}"


def client_ip(request) -> str | None:
    """The client's address: from the header the TLS proxy sets, or the connection's own address.

    settings.POJIAN_CLIENT_IP_HEADER names the header (for example X-Forwarded-For or X-Real-IP);
    empty means the portal is reached directly. A header with a list (X-Forwarded-For) is read
    from the right: POJIAN_TRUSTED_PROXY_COUNT proxies each appended the address they saw, so the
    entry that many places from the end was written by our own proxy and cannot be forged by the
    client. Anything that is not an IP address falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    header = settings.POJIAN_CLIENT_IP_HEADER
    if not header:
        return remote
    entries = [e.strip() for e in request.META.get(_meta_name(header), "").split(",") if e.strip()]
    count = max(1, settings.POJIAN_TRUSTED_PROXY_COUNT)
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def address_failures(request) -> int:
    """Failed sign-ins from the request's address within the cool-off, over all user names."""
    return (
        AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(n=Sum("failures_since_start"))["n"]
        or 0
    )


class PortalAxesHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-address limit over all user names."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.POJIAN_ADDRESS_FAILURE_LIMIT:
            # The address is locked whatever the user name: report it as at the limit.
            return max(failures, get_failure_limit(request, credentials))
        return failures


def recent_signins(user, *, limit=20) -> list[dict]:
    """The user's latest sign-ins, successful and failed, newest first: time, address, outcome.

    Failures are those typed with this user name, whoever typed them: that is what the user
    needs to see. Successes are password sign-ins (the second step follows them).
    """
    from axes.models import AccessFailureLog, AccessLog

    ok = AccessLog.objects.filter(username=user.get_username()).order_by("-attempt_time")[:limit]
    failed = AccessFailureLog.objects.filter(username=user.get_username()).order_by("-attempt_time")[:limit]
    rows = [{"time": a.attempt_time, "address": a.ip_address, "ok": True, "locked_out": False,
             "user_agent": a.user_agent} for a in ok]
    rows += [{"time": f.attempt_time, "address": f.ip_address, "ok": False, "locked_out": f.locked_out,
              "user_agent": f.user_agent} for f in failed]
    return sorted(rows, key=lambda r: r["time"], reverse=True)[:limit]
