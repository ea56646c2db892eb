"""Two-factor sign-in: required for office staff, approvers and the admin; optional for the others."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pojian.domain import twofactor
from pojian.models import User
from tests import factories
from tests.browsing import TEST_PASSWORD
from tests.otp import authenticator, current_code

pytestmark = pytest.mark.django_db


def password_step(user):
    """A client that gave the right password and nothing else yet."""
    c = Client()
    response = c.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return c


def code_for_key(key_hex):
    from binascii import unhexlify

    return f"{TOTP(unhexlify(key_hex)).token():06d}"


def test_office_page_asks_for_the_code_after_the_password(office):
    authenticator(office)
    c = password_step(office)
    response = c.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("otp_verify") + "?next=%2Fhome%2F"


def test_office_without_authenticator_is_sent_to_set_one_up(office):
    c = password_step(office)
    response = c.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_setup"))
    # The verify page sends them on to set-up too, keeping where they were going.
    response = c.get(reverse("otp_verify") + "?next=/home/")
    assert response["Location"] == reverse("otp_setup") + "?next=%2Fhome%2F"


def test_approver_is_required_to_use_two_factor(db):
    approver = factories.UserFactory(role=User.Role.APPROVER)
    assert twofactor.otp_required_for(approver)
    c = password_step(approver)
    assert c.get(reverse("home"))["Location"].startswith(reverse("otp_setup"))


def test_bureau_without_two_factor_signs_in_with_the_password_alone(bureau):
    c = password_step(bureau)
    assert c.get(reverse("home")).status_code == 200


def test_right_code_opens_the_page_asked_for(office):
    device = authenticator(office)
    c = password_step(office)
    response = c.post(reverse("otp_verify"), {"code": current_code(device), "next": "/home/"})
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert c.get(reverse("home")).status_code == 200


def test_wrong_code_is_refused_and_the_pages_stay_closed(office):
    device = authenticator(office)
    c = password_step(office)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = c.post(reverse("otp_verify"), {"code": wrong, "next": "/home/"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert c.get(reverse("home")).status_code == 302


def test_verify_does_not_redirect_to_another_site(office):
    device = authenticator(office)
    c = password_step(office)
    response = c.post(reverse("otp_verify"), {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_admin_needs_the_second_factor_for_office(office):
    office.is_staff = office.is_superuser = True
    office.save()
    c = Client()
    c.force_login(office, otp_verified=False)
    response = c.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_setup"))
    authenticator(office)
    assert c.get(reverse("admin:index"))["Location"].startswith(reverse("otp_verify"))
    c.force_login(office)  # verified
    assert c.get(reverse("admin:index")).status_code == 200


def test_admin_site_refuses_an_unverified_session_itself(rf, office):
    """Even without the middleware (defence in depth), the admin site checks the second factor."""
    from django.contrib import admin

    office.is_staff = True
    office.save()
    authenticator(office)
    request = rf.get("/admin/")
    request.user = office
    office.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    office.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_admin_login_page_sends_to_the_portal_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/pojian/user/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fadmin%2Fpojian%2Fuser%2F"


def test_signed_in_user_who_is_not_staff_gets_403_from_the_admin_not_a_loop(client_for, bureau):
    response = client_for(bureau).get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_set_up_shows_a_qr_code_and_turns_on_with_the_right_code(bureau):
    c = password_step(bureau)
    page = c.get(reverse("otp_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "cdn" not in html.lower()
    key = c.session["otp_pending_key"]
    response = c.post(reverse("otp_setup"), {"action": "confirm", "code": code_for_key(key)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == twofactor.BACKUP_CODE_COUNT
    assert twofactor.has_two_factor(bureau)
    assert TOTPDevice.objects.get(user=bureau).key == key
    # This session proved the factor; a new sign-in is asked for a code.
    assert c.get(reverse("home")).status_code == 200
    assert password_step(bureau).get(reverse("home"))["Location"].startswith(reverse("otp_verify"))


def test_set_up_with_a_wrong_code_leaves_two_factor_off(bureau):
    c = password_step(bureau)
    c.get(reverse("otp_setup"))
    key = c.session["otp_pending_key"]
    wrong = "123456" if code_for_key(key) != "123456" else "654321"
    response = c.post(reverse("otp_setup"), {"action": "confirm", "code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not twofactor.has_two_factor(bureau)


def test_backup_code_signs_in_once_only(office):
    authenticator(office)
    codes = twofactor.regenerate_backup_codes(user=office)
    c = password_step(office)
    response = c.post(reverse("otp_verify"), {"code": codes[0], "next": "/home/"})
    assert response["Location"] == "/home/"
    assert StaticToken.objects.filter(device__user=office).count() == len(codes) - 1
    again = password_step(office)
    response = again.post(reverse("otp_verify"), {"code": codes[0], "next": "/home/"})
    assert response.status_code == 200
    assert again.get(reverse("home")).status_code == 302


def test_new_backup_codes_replace_the_old_ones(office):
    authenticator(office)
    old = twofactor.regenerate_backup_codes(user=office)
    c = Client()
    c.force_login(office)
    response = c.post(reverse("otp_setup"), {"action": "regenerate"})
    new = response.context["codes"]
    assert not set(old) & set(new)
    assert twofactor.verify(user=office, token=new[1]) is not None
    assert twofactor.verify(user=office, token=old[1]) is None


def test_bureau_may_turn_two_factor_off(bureau):
    authenticator(bureau)
    twofactor.regenerate_backup_codes(user=bureau)
    c = Client()
    c.force_login(bureau)
    c.post(reverse("otp_setup"), {"action": "disable"})
    assert not twofactor.has_two_factor(bureau)
    assert twofactor.backup_codes_left(bureau) == 0


def test_office_may_not_turn_two_factor_off(office):
    authenticator(office)
    c = Client()
    c.force_login(office)
    response = c.post(reverse("otp_setup"), {"action": "disable"}, follow=True)
    assert twofactor.has_two_factor(office)
    assert "不能关闭" in response.content.decode()


def test_requirement_can_be_turned_off_for_a_demo(settings, office):
    settings.POJIAN_OTP_REQUIRED = False
    c = password_step(office)
    assert c.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("name", ["otp_setup", "otp_verify", "account"])
def test_anonymous_is_sent_to_login_from_the_account_pages(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_production_check_warns_when_two_factor_is_off(settings):
    from pojian.checks import two_factor_required

    settings.POJIAN_OTP_REQUIRED = False
    assert [w.id for w in two_factor_required(None)] == ["pojian.W001"]
    settings.POJIAN_OTP_REQUIRED = True
    assert two_factor_required(None) == []


def test_each_change_to_the_second_factor_is_told_to_the_user(bureau):
    from pojian.models import Notification

    device = authenticator(bureau)
    codes = twofactor.regenerate_backup_codes(user=bureau)
    twofactor.verify(user=bureau, token=codes[0])
    twofactor.verify(user=bureau, token=current_code(device))  # an authenticator code is no news
    twofactor.disable(user=bureau)
    subjects = list(Notification.objects.filter(user=bureau).order_by("pk").values_list("subject", flat=True))
    assert subjects == ["已为您的账户生成新的备用码，原有备用码已失效。", "有人使用备用码登录了您的账户。还剩 9 个备用码。",
                        "您的账户已关闭双因素登录。"]
