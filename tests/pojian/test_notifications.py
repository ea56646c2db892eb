"""Notifications and e-mails say what happened, to what, by whom and what next, with an absolute link."""

import pytest
from django.core import mail
from django.urls import reverse

from pojian.domain.notifications import absolute_url, email_text, notify, send_daily_digests
from pojian.models import Notification


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.SITE_URL = "https://pojian.kjt.jl.gov.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path)


def test_absolute_url_uses_the_site_address(settings):
    assert absolute_url("/assessment/summaries/22/") == "https://pojian.kjt.jl.gov.cn/assessment/summaries/22/"
    assert absolute_url("") == "https://pojian.kjt.jl.gov.cn" + reverse("home")
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"


@pytest.mark.django_db
def test_email_text_has_subject_details_actor_next_step_and_absolute_link(bureau, office):
    office.full_name = "李处长"
    office.save()
    [n] = notify([bureau], subject="推荐已受理", body="材料齐全。", url="/enterprises/bureau/nominations/1/", by=office,
                 next_step="等待专家评审。")
    text = email_text(n)
    assert "推荐已受理" in text and "材料齐全。" in text
    assert "李处长" in text and "等待专家评审。" in text
    assert "https://pojian.kjt.jl.gov.cn/enterprises/bureau/nominations/1/" in text
    assert "\n/enterprises" not in text  # no relative link


@pytest.mark.django_db
def test_decision_notification_names_the_nomination_the_outcome_the_office_and_the_next_step(cycle, bureau, office):
    from enterprises.domain import workflow
    from enterprises.models import EnterpriseNomination
    from tests.enterprises import factories as ef

    n = ef.EnterpriseNominationFactory(enterprise=ef.EnterpriseFactory(region=bureau.region, name="长春光谷科技有限公司"),
                                       cycle=cycle, created_by=bureau)
    EnterpriseNomination.objects.filter(pk=n.pk).update(letter="letters/enterprises/x.pdf")
    n.refresh_from_db()
    workflow.submit(n, by=bureau)
    workflow.return_for_changes(n, by=office, reason="请补充证明材料")
    note = Notification.objects.get(user=bureau)
    assert "长春光谷科技有限公司" in note.subject and "退回" in note.subject
    assert "请补充证明材料" in note.body and office.username in note.body
    assert "下一步" in note.body
    assert note.url == reverse("enterprises:bureau_nomination", args=[n.pk])


def demo_notifications_all_have_a_body_and_absolute_links():
    """Checked on the seeded demo by tests/pojian/test_seed_demo.py (seed_demo is the suite's slowest
    set-up, so it is run there once for all its checks), with the site address set as in this module."""
    notes = list(Notification.objects.select_related("user"))
    assert notes, "the demo should notify someone"
    empty = sorted({n.subject for n in notes if not n.body.strip()})
    assert not empty, empty
    for n in notes:
        text = email_text(n)
        assert "https://pojian.kjt.jl.gov.cn/" in text
        assert not any(line.startswith("/") for line in text.splitlines())


@pytest.mark.django_db
def test_digest_users_get_no_single_emails_but_one_daily_list(bureau, office):
    from pojian.tasks import send_notification_emails

    bureau.email, bureau.email_digest = "cc@example.cn", True
    bureau.save()
    office.email = "office@example.cn"
    office.save()
    first = notify([bureau, office], subject="第一件事", body="说明一", url="/a/")
    second = notify([bureau], subject="第二件事", body="说明二", url="/b/")
    send_notification_emails([n.pk for n in first + second])
    assert [m.to for m in mail.outbox] == [["office@example.cn"]]
    assert send_daily_digests() == 1
    digest = mail.outbox[-1]
    assert digest.to == ["cc@example.cn"]
    assert "第一件事" in digest.body and "第二件事" in digest.body and "https://pojian.kjt.jl.gov.cn/b/" in digest.body
    assert send_daily_digests() == 0  # each notification is e-mailed once


def test_daily_digest_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pojian.send_daily_digests"]
    assert entry["task"] == "pojian.tasks.send_daily_digests"
    from pojian.celery import app

    assert "pojian.tasks.send_daily_digests" in app.tasks or __import__("pojian.tasks")


@pytest.mark.django_db
def test_user_chooses_the_daily_digest(bureau, client_for):
    client = client_for(bureau)
    url = reverse("notification_settings")
    assert client.get(url).status_code == 200
    response = client.post(url, {"email_digest": "on"})
    assert response.status_code == 302
    bureau.refresh_from_db()
    assert bureau.email_digest


@pytest.mark.django_db
def test_notification_settings_refuses_anonymous(client):
    response = client.get(reverse("notification_settings"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
