"""Password reset by e-mail: in Chinese, the link on SITE_URL, single use, no account disclosed."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://pojian.kjt.jl.gov.cn/"


def ask_reset(email, host="testserver"):
    return Client().post(reverse("password_reset"), {"email": email}, HTTP_HOST=host)


def reset_link(message):
    return re.search(r"https://pojian\.kjt\.jl\.gov\.cn(/accounts/reset/\S+/)", message.body).group(1)


def test_reset_mail_is_in_chinese_with_a_link_on_the_site_url(bureau):
    response = ask_reset(bureau.email)
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [bureau.email]
    assert "重设" in message.subject and "破茧成蝶" in message.subject
    assert "设置新密码" in message.body and "3小时内有效" in message.body and bureau.username in message.body
    assert reset_link(message).startswith("/accounts/reset/")


def test_reset_link_ignores_the_host_the_visitor_sent(settings, bureau):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    ask_reset(bureau.email, host="evil.example")
    assert "evil.example" not in mail.outbox[0].body
    assert "https://pojian.kjt.jl.gov.cn/accounts/reset/" in mail.outbox[0].body


def test_reset_link_sets_a_new_password_once(bureau):
    ask_reset(bureau.email)
    link = reset_link(mail.outbox[0])
    c = Client()
    form_page = c.get(link, follow=True)  # Django moves the token into the session first
    assert form_page.status_code == 200 and form_page.context["validlink"]
    response = c.post(form_page.redirect_chain[-1][0], {"new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"})
    assert response["Location"] == reverse("password_reset_complete")
    bureau.refresh_from_db()
    assert bureau.check_password("Xin-mima-2026!")
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
    assert "链接已失效" in again.content.decode()


def test_unknown_address_sends_nothing_and_says_the_same(db):
    factories.BureauFactory(email="someone@example.gov.cn")
    response = ask_reset("nobody@example.gov.cn")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_reset_pages_are_chinese(client):
    html = client.get(reverse("password_reset")).content.decode()
    assert "忘记密码" in html
    assert "忘记密码" in client.get(reverse("login")).content.decode()
