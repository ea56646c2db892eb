"""Enterprise nominations through the shared life cycle: the enterprise wrappers and the domain functions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from enterprises.domain import checks, nominations, workflow
from enterprises.models import EnterpriseNomination, EnterpriseYear
from pojian.domain.errors import StaleEdit
from pojian.models import Job
from pojian.models import NominationState as S
from tests.enterprises import factories as ef


@pytest.fixture
def queued(monkeypatch):
    """The nominations whose 四科 check job was sent."""
    calls = []
    monkeypatch.setattr("enterprises.tasks.check_nomination_job.delay",
                        lambda job_id: calls.append(Job.objects.get(pk=job_id).params["nomination"]))
    return calls


@pytest.fixture
def nomination(cycle, bureau):
    enterprise = ef.eligible_enterprise(region=bureau.region, year=cycle.year)
    n = ef.EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, created_by=bureau)
    EnterpriseNomination.objects.filter(pk=n.pk).update(letter="letters/enterprises/stamped.pdf")
    n.refresh_from_db()
    return n


@pytest.mark.django_db
def test_submit_queues_the_check_on_commit(nomination, bureau, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.submit(nomination, by=bureau)
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [nomination.pk]
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED and nomination.submitted_at is not None


@pytest.mark.django_db
def test_submit_without_letter_refused(nomination, bureau, queued):
    EnterpriseNomination.objects.filter(pk=nomination.pk).update(letter="")
    nomination.refresh_from_db()
    with pytest.raises(ValidationError, match="盖章的推荐函"):
        workflow.submit(nomination, by=bureau)
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT and queued == []


@pytest.mark.django_db
def test_submit_outside_window_refused_with_its_dates(nomination, bureau, cycle, queued):
    cycle.nomination_opens = timezone.now() - timedelta(days=60)
    cycle.nomination_closes = timezone.now() - timedelta(days=1)
    cycle.save()
    nomination.refresh_from_db()
    closes = timezone.localtime(cycle.nomination_closes)
    with pytest.raises(ValidationError) as refused:
        workflow.submit(nomination, by=bureau)
    message = refused.value.messages[0]
    assert f"{closes.year}年{closes.month}月{closes.day}日" in message and "推荐期" in message
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT and queued == []


@pytest.mark.django_db
def test_other_city_expert_and_office_cannot_submit_or_withdraw(nomination, other_bureau, expert, office, queued):
    for user in (other_bureau, expert, office):
        for action in ("submit", "withdraw"):
            with pytest.raises(PermissionDenied):
                workflow.transition(nomination, action, by=user)
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT and queued == []


@pytest.mark.django_db
def test_full_cycle_through_the_shared_transition_url(nomination, bureau, office, client_for, queued,
                                                      django_capture_on_commit_callbacks):
    url = reverse("enterprises:nomination_transition", args=[nomination.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bureau).post(url, {"action": "submit", "version": nomination.version})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED and queued == [nomination.pk]
    # Returning needs a reason.
    client_for(office).post(url, {"action": "return", "version": nomination.version})
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED
    client_for(office).post(url, {"action": "return", "reason": "请补充研发费用明细", "version": nomination.version})
    nomination.refresh_from_db()
    assert nomination.state == S.RETURNED and nomination.state_reason == "请补充研发费用明细"
    # The bureau may not accept its own nomination; it resubmits.
    client_for(bureau).post(url, {"action": "accept", "version": nomination.version})
    nomination.refresh_from_db()
    assert nomination.state == S.RETURNED
    with django_capture_on_commit_callbacks(execute=True):
        client_for(bureau).post(url, {"action": "submit", "version": nomination.version})
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED and nomination.state_reason == "" and queued == [nomination.pk] * 2
    checks.check_nomination(nomination)  # the check the queue would have run: the enterprise meets the standard
    client_for(office).post(url, {"action": "accept", "version": nomination.version})
    nomination.refresh_from_db()
    assert nomination.state == S.ACCEPTED
    # Accepted: the bureau can no longer withdraw.
    client_for(bureau).post(url, {"action": "withdraw", "version": nomination.version})
    nomination.refresh_from_db()
    assert nomination.state == S.ACCEPTED
    reasons = list(nomination.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[-4:] == ["submit", "return: 请补充研发费用明细", "submit", "accept"]


@pytest.mark.django_db
def test_transition_url_refuses_a_stale_version(nomination, bureau, client_for):
    url = reverse("enterprises:nomination_transition", args=[nomination.pk])
    client_for(bureau).post(url, {"action": "withdraw", "version": nomination.version + 1})
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT


def _figures(**overrides):
    return {"revenue": Decimal("30000000"), "rd_expense": Decimal("3000000"), "total_assets": Decimal("50000000"),
            "employees": 80, "tech_staff": 60, **overrides}


@pytest.mark.django_db
def test_create_nomination_refuses_duplicate_other_region_and_non_bureau(cycle, bureau, other_bureau, expert, queued):
    enterprise = ef.EnterpriseFactory(region=bureau.region)
    nominations.create_nomination(by=bureau, cycle=cycle, enterprise=enterprise, figures=_figures())
    with pytest.raises(ValidationError, match="已被推荐"):
        nominations.create_nomination(by=bureau, cycle=cycle, enterprise=enterprise, figures=_figures())
    with pytest.raises(PermissionDenied):
        nominations.create_nomination(by=other_bureau, cycle=cycle, enterprise=enterprise, figures=_figures())
    with pytest.raises(PermissionDenied):
        nominations.create_nomination(by=expert, cycle=cycle, enterprise=enterprise, figures=_figures())
    with pytest.raises(ValidationError, match="长春市"):
        nominations.create_nomination(by=other_bureau, cycle=cycle, figures=_figures(),
                                      enterprise_fields={"name": "冒名企业", "uscc": enterprise.uscc})
    assert EnterpriseNomination.objects.count() == 1


@pytest.mark.django_db
def test_withdrawn_nomination_can_be_made_again(cycle, bureau, queued):
    enterprise = ef.EnterpriseFactory(region=bureau.region)
    first = nominations.create_nomination(by=bureau, cycle=cycle, enterprise=enterprise, figures=_figures())
    workflow.withdraw(first, by=bureau)
    second = nominations.create_nomination(by=bureau, cycle=cycle, enterprise=enterprise, figures=_figures())
    assert second.pk != first.pk and second.state == S.DRAFT


@pytest.mark.django_db
def test_update_nomination_stale_version_changes_nothing(nomination, bureau, queued):
    nominations.update_nomination(nomination, by=bureau, expected_version=1, figures=_figures(revenue=Decimal("1")))
    with pytest.raises(StaleEdit):
        nominations.update_nomination(nomination, by=bureau, expected_version=1,
                                      figures=_figures(revenue=Decimal("2")), recommendation="过期")
    nomination.refresh_from_db()
    assert nomination.version == 2 and nomination.recommendation != "过期"
    assert EnterpriseYear.objects.get(enterprise=nomination.enterprise).revenue == Decimal("1")


@pytest.mark.django_db
def test_update_nomination_queues_check_only_when_check_inputs_change(nomination, bureau, queued,
                                                                      django_capture_on_commit_callbacks):
    year = EnterpriseYear.objects.get(enterprise=nomination.enterprise)
    same = {f: getattr(year, f) for f in nominations.FIGURE_FIELDS}
    registration = nomination.enterprise.registrations.get(year=nomination.cycle.year).number
    with django_capture_on_commit_callbacks(execute=True):
        nominations.update_nomination(nomination, by=bureau, expected_version=1, figures=same,
                                      registration_number=registration, recommendation="只改推荐意见")
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        nominations.update_nomination(nomination, by=bureau, expected_version=2, figures={**same, "employees": 90},
                                      registration_number=registration)
    assert queued == [nomination.pk]


@pytest.mark.django_db
def test_update_refused_after_submission_and_for_other_region(nomination, bureau, other_bureau, queued):
    with pytest.raises(PermissionDenied):
        nominations.update_nomination(nomination, by=other_bureau, expected_version=1, figures=_figures())
    workflow.submit(nomination, by=bureau)
    with pytest.raises(PermissionDenied, match="草稿或被退回"):
        nominations.update_nomination(nomination, by=bureau, expected_version=nomination.version, figures=_figures())


@pytest.mark.django_db
def test_return_e_mails_the_nominating_bureau_only_after_commit(nomination, bureau, other_bureau, office,
                                                                         queued, monkeypatch, mailoutbox,
                                                                         django_capture_on_commit_callbacks):
    from pojian import tasks as core_tasks

    sent = []
    monkeypatch.setattr(core_tasks.send_notification_emails, "delay", sent.append)
    workflow.transition(nomination, "submit", by=bureau)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.transition(nomination, "return", by=office, reason="请补充研发费用明细")
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(sent) == 1
    core_tasks.send_notification_emails(*sent)  # what the worker runs
    assert [m.to for m in mailoutbox] == [[bureau.email]]
    assert "请补充研发费用明细" in mailoutbox[0].body
    assert nomination.enterprise.name in mailoutbox[0].subject + mailoutbox[0].body
