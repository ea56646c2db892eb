"""双千 accounts: anyone asks for a results manager's account; the office approves (the account is made
and tied to the institution) or refuses with a reason (e-mailed); three requests a day per address."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.uscc import numbered
from pojian.models import Notification, User
from techtransfer.domain import accounts
from techtransfer.models import AccountRequest, Institution, ResultsManager
from techtransfer.tasks import email_account_decision
from tests import factories as core

from .factories import InstitutionFactory, results_manager

pytestmark = pytest.mark.django_db
URL = "techtransfer:public_account_request"


def form(institution, **over):
    return {"kind": "results_manager", "full_name": "李老师", "email": "li@jlu.edu.cn", "phone": "0431-85166000",
            "position": "科技成果转化中心 主任", "institution": institution.pk, "message": "请开通账号", **over}


def test_a_request_reaches_the_office_and_approval_makes_a_results_manager(client, client_for, office):
    institution = InstitutionFactory(name="吉林大学")
    response = client.post(reverse(URL), form(institution), REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    req = AccountRequest.objects.get()
    assert req.state == "pending" and req.submitted_from == "10.1.1.1" and req.institution == institution
    assert Notification.objects.filter(user=office, url=reverse("techtransfer:account_requests")).exists()
    page = client_for(office).get(reverse("techtransfer:account_requests"))
    assert "李老师" in page.content.decode()
    assert client_for(office).post(reverse("techtransfer:account_decide", args=[req.pk, "approve"])).status_code == 302
    req.refresh_from_db()
    user = User.objects.get(email="li@jlu.edu.cn")
    assert req.state == "approved" and req.user == user and req.decided_by == office
    assert not user.has_usable_password() and user.role == ""
    assert ResultsManager.objects.get(user=user, institution=institution).approved_at
    assert user.has_perm("techtransfer.create_result")
    note = Notification.objects.get(user=user)
    assert note.url == reverse("password_reset") and "li@jlu.edu.cn" in note.body
    # Decided once: a second approval is refused with a message.
    with pytest.raises(ValidationError):
        accounts.approve_request(req, by=office)


def test_refusal_needs_a_reason_and_is_emailed(client, client_for, office, django_capture_on_commit_callbacks):
    req = accounts.request_account(kind="results_manager", full_name="王", email="w@x.cn", phone="13800000000",
                                   position="科研处", institution=InstitutionFactory())
    c = client_for(office)
    c.post(reverse("techtransfer:account_decide", args=[req.pk, "refuse"]), {"reason": "  "})
    assert AccountRequest.objects.get(pk=req.pk).state == "pending"
    with django_capture_on_commit_callbacks() as callbacks:
        c.post(reverse("techtransfer:account_decide", args=[req.pk, "refuse"]), {"reason": "请用单位邮箱申请"})
    assert len(callbacks) == 1  # the e-mail task, sent on commit
    email_account_decision(req.pk)  # what the worker runs
    req.refresh_from_db()
    assert req.state == "refused" and req.decision_reason == "请用单位邮箱申请" and req.user is None
    sent = [m for m in mail.outbox if m.to == ["w@x.cn"]]
    assert len(sent) == 1 and "请用单位邮箱申请" in sent[0].body
    assert not User.objects.filter(email="w@x.cn").exists()


def test_an_unlisted_institution_is_created_on_approval(office):
    req = accounts.request_account(kind="new_institution", full_name="赵", email="z@nenu.edu.cn", phone="0431-8000000",
                                   position="科技处", institution_name="东北师范大学",
                                   institution_uscc=numbered("12220000", 4127), institution_kind="university",
                                   institution_region=core.region("220100"))
    accounts.approve_request(req, by=office, reason="欢迎")
    institution = Institution.objects.get(uscc=numbered("12220000", 4127))
    assert institution.name == "东北师范大学" and ResultsManager.objects.filter(institution=institution).exists()


def test_bad_requests_are_answered_in_chinese_without_a_500(client):
    response = client.post(reverse(URL), {"kind": "new_institution", "full_name": "赵", "email": "z@x.cn",
                                          "phone": "12", "position": "x", "institution_uscc": "123"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "电话" in text or "telephone" in text
    assert not AccountRequest.objects.exists()


def test_three_requests_a_day_per_address(client):
    institution = InstitutionFactory()
    today = datetime.date(2026, 3, 2)
    for i in range(3):
        accounts.request_account(kind="results_manager", full_name=f"人{i}", email=f"p{i}@x.cn", phone="0431-8000000",
                                 position="科研处", institution=institution, address="10.9.9.9", today=today)
    with pytest.raises(ValidationError) as e:
        accounts.request_account(kind="results_manager", full_name="多", email="m@x.cn", phone="0431-8000000",
                                 position="科研处", institution=institution, address="10.9.9.9", today=today)
    assert e.value.code == "rate_limited"
    # Another address, or the next day, is fine.
    accounts.request_account(kind="results_manager", full_name="另", email="o@x.cn", phone="0431-8000000",
                             position="科研处", institution=institution, address="10.9.9.8", today=today)
    accounts.request_account(kind="results_manager", full_name="次日", email="n@x.cn", phone="0431-8000000",
                             position="科研处", institution=institution, address="10.9.9.9",
                             today=today + datetime.timedelta(days=1))
    assert AccountRequest.objects.count() == 5
    # Through the page the fourth is refused with the message, not a 500.
    for i in range(4):
        response = client.post(reverse(URL), form(institution, email=f"q{i}@x.cn"), REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 400 and AccountRequest.objects.filter(submitted_from="10.7.7.7").count() == 3


def test_only_the_office_decides(client_for, bureau, other_bureau, expert, office):
    institution = InstitutionFactory()
    req = accounts.request_account(kind="results_manager", full_name="王", email="w@x.cn", phone="13800000000",
                                   position="科研处", institution=institution)
    manager = results_manager(institution, "jlu-m")
    for user in (bureau, other_bureau, expert, manager):
        assert client_for(user).get(reverse("techtransfer:account_requests")).status_code == 403
        assert client_for(user).post(reverse("techtransfer:account_decide", args=[req.pk, "approve"])).status_code == 403
        with pytest.raises(PermissionDenied):
            accounts.approve_request(req, by=user)
    anonymous = client_for(None)
    assert anonymous.get(reverse("techtransfer:account_requests")).status_code == 302
    assert anonymous.post(reverse("techtransfer:account_decide", args=[req.pk, "approve"])).status_code == 302
    assert AccountRequest.objects.get(pk=req.pk).state == "pending"
    assert client_for(office).post(reverse("techtransfer:account_decide", args=[req.pk, "delete"])).status_code == 404


def test_an_existing_account_of_another_role_is_not_taken_over(office, bureau):
    bureau.email = "b@x.cn"
    bureau.save()
    req = accounts.request_account(kind="results_manager", full_name="王", email="b@x.cn", phone="13800000000",
                                   position="科研处", institution=InstitutionFactory())
    with pytest.raises(ValidationError):
        accounts.approve_request(req, by=office)
    assert not ResultsManager.objects.filter(user=bureau).exists()
