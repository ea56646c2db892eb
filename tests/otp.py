"""Two-factor helpers for tests: an authenticator for a user, its current code, a verified session."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator(user):
    """The user's confirmed authenticator (TOTP device), made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def current_code(device):
    """A code the device accepts now: the current one, or the next if the current was used already."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now_t = totp.t()
    t = now_t if device.last_t is None else max(now_t, device.last_t + 1)
    if t > now_t + device.tolerance:
        time.sleep(device.step)  # this step's and the next step's codes are used: wait for a new one
        return current_code(device)
    totp.time = device.t0 + (t - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def mark_verified(client, user):
    """Mark a test client's session as having passed the second factor, as the verify page does."""
    from pojian.domain.twofactor import otp_required_for

    if not otp_required_for(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
