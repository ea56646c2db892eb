"""The shared nomination life cycle, tested row by row on a concrete kind (enterprise nominations)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseNomination, Verdict
from pojian.domain import workflow
from pojian.domain.errors import TransitionNotAllowed
from pojian.models import Cycle, Notification
from pojian.models import NominationState as S


@pytest.fixture
def nomination(db, cycle, bureau):
    enterprise = Enterprise.objects.create(name="长春光华微电子有限公司", uscc="91350100M000100Y43", region=bureau.region)
    n = EnterpriseNomination.objects.create(cycle=cycle, region=bureau.region, enterprise=enterprise, created_by=bureau)
    # Meets the 四科 standard: the gate before acceptance (tests/enterprises/test_gate.py) lets it through.
    Verdict.objects.create(nomination=n, eligible=True)
    return n


def in_state(nomination, state):
    EnterpriseNomination.objects.filter(pk=nomination.pk).update(state=state)
    nomination.refresh_from_db()
    return nomination


# (action, from state, who: "bureau"|"office", to state)
ALLOWED = [
    ("submit", S.DRAFT, "bureau", S.SUBMITTED),
    ("submit", S.RETURNED, "bureau", S.SUBMITTED),
    ("withdraw", S.DRAFT, "bureau", S.WITHDRAWN),
    ("withdraw", S.SUBMITTED, "bureau", S.WITHDRAWN),
    ("withdraw", S.RETURNED, "bureau", S.WITHDRAWN),
    ("return", S.SUBMITTED, "office", S.RETURNED),
    ("accept", S.SUBMITTED, "office", S.ACCEPTED),
    ("reject", S.SUBMITTED, "office", S.REJECTED),
    ("select", S.ACCEPTED, "office", S.SELECTED),
    ("not_select", S.ACCEPTED, "office", S.NOT_SELECTED),
]


@pytest.mark.django_db
@pytest.mark.parametrize("action,source,who,target", ALLOWED)
def test_allowed_transition_moves_state_and_is_audited(nomination, bureau, office, action, source, who, target):
    user = bureau if who == "bureau" else office
    in_state(nomination, source)
    workflow.transition(nomination, action, by=user, reason="材料不全" if action in ("return", "reject") else "")
    nomination.refresh_from_db()
    assert nomination.state == target
    last = nomination.history.first()
    assert last.history_user == user and last.history_change_reason.startswith(action)


@pytest.mark.django_db
@pytest.mark.parametrize("action,source,who,target", ALLOWED)
def test_wrong_role_refused(nomination, bureau, office, action, source, who, target):
    wrong = office if who == "bureau" else bureau
    in_state(nomination, source)
    with pytest.raises(PermissionDenied):
        workflow.transition(nomination, action, by=wrong, reason="x")
    nomination.refresh_from_db()
    assert nomination.state == source


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_other_city_expert_and_partner_refused_every_action(nomination, other_bureau, expert, partner, action):
    source = next(iter(workflow.TRANSITIONS[action].sources))
    in_state(nomination, source)
    for user in (other_bureau, expert, partner):
        with pytest.raises(PermissionDenied):
            workflow.transition(nomination, action, by=user, reason="x")
    nomination.refresh_from_db()
    assert nomination.state == source


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_every_action_refused_from_every_other_state(nomination, bureau, office, action):
    t = workflow.TRANSITIONS[action]
    for state in set(S.values) - set(t.sources):
        in_state(nomination, state)
        user = office if t.permission == "pojian.decide_nomination" else bureau
        with pytest.raises((TransitionNotAllowed, PermissionDenied)):
            workflow.transition(nomination, action, by=user, reason="x")
        nomination.refresh_from_db()
        assert nomination.state == state


@pytest.mark.django_db
def test_return_and_reject_need_a_reason(nomination, office):
    in_state(nomination, S.SUBMITTED)
    for action in ("return", "reject"):
        with pytest.raises(ValidationError) as e:
            workflow.transition(nomination, action, by=office, reason="  ")
        assert e.value.code == "reason_required"


@pytest.mark.django_db
def test_submit_refused_after_the_window_closes(nomination, bureau):
    Cycle.objects.filter(pk=nomination.cycle_id).update(
        nomination_opens=timezone.now() - timedelta(days=60), nomination_closes=timezone.now() - timedelta(days=1)
    )
    nomination.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        workflow.transition(nomination, "submit", by=bureau)
    assert e.value.code == "window_closed"
    assert workflow.available_actions(nomination, bureau) == [workflow.TRANSITIONS["withdraw"]]


@pytest.mark.django_db
def test_closed_year_refuses_everything(nomination, bureau, office):
    Cycle.objects.filter(pk=nomination.cycle_id).update(status=Cycle.Status.CLOSED)
    nomination.refresh_from_db()
    in_state(nomination, S.SUBMITTED)
    for user, action in ((bureau, "withdraw"), (office, "accept")):
        with pytest.raises(PermissionDenied):
            workflow.transition(nomination, action, by=user)


@pytest.mark.django_db
def test_return_notifies_the_region_bureau_only(nomination, bureau, other_bureau, office, django_capture_on_commit_callbacks):
    in_state(nomination, S.SUBMITTED)
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.transition(nomination, "return", by=office, reason="请补充研发费用明细")
    assert Notification.objects.filter(user=bureau, body__contains="请补充研发费用明细").exists()
    assert not Notification.objects.filter(user=other_bureau).exists()
    assert len(callbacks) == 1  # the e-mail task, sent on commit


@pytest.mark.django_db
def test_resubmit_clears_the_return_reason(nomination, bureau, office):
    in_state(nomination, S.SUBMITTED)
    workflow.transition(nomination, "return", by=office, reason="缺少盖章推荐函")
    assert nomination.state_reason == "缺少盖章推荐函"
    workflow.transition(nomination, "submit", by=bureau)
    assert nomination.state == S.SUBMITTED and nomination.state_reason == "" and nomination.version == 3


@pytest.mark.django_db
def test_available_actions_match_role(nomination, bureau, office, other_bureau):
    in_state(nomination, S.SUBMITTED)
    assert {t.action for t in workflow.available_actions(nomination, office)} == {"return", "accept", "reject"}
    assert {t.action for t in workflow.available_actions(nomination, bureau)} == {"withdraw"}
    assert workflow.available_actions(nomination, other_bureau) == []


@pytest.mark.django_db
def test_transition_view_refuses_other_city_and_expert(nomination, other_bureau, expert):
    in_state(nomination, S.SUBMITTED)
    # The generic view is wired by each app; exercise it here through a throw-away URLconf.
    from pojian.nomination_views import NominationTransitionView

    view = NominationTransitionView.as_view(model=EnterpriseNomination, permission_required="enterprises.view_nomination")
    from django.test import RequestFactory

    rf = RequestFactory()
    for user in (other_bureau, expert):
        request = rf.post("/", {"action": "accept"})
        request.user = user
        with pytest.raises(PermissionDenied):
            view(request, pk=nomination.pk)
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED


@pytest.mark.django_db
def test_stale_form_does_not_overwrite(nomination, bureau):
    from pojian.domain.concurrency import save_versioned
    from pojian.domain.errors import StaleEdit

    first = EnterpriseNomination.objects.get(pk=nomination.pk)
    second = EnterpriseNomination.objects.get(pk=nomination.pk)
    first.recommendation = "甲"
    save_versioned(first, expected_version=first.version)
    second.recommendation = "乙"
    with pytest.raises(StaleEdit):
        save_versioned(second, expected_version=second.version)
    nomination.refresh_from_db()
    assert nomination.recommendation == "甲"


@pytest.mark.django_db
@pytest.mark.parametrize("action,source", [("submit", S.DRAFT), ("withdraw", S.SUBMITTED)])
def test_an_office_superuser_may_not_act_for_a_bureau(nomination, action, source):
    # Django lets a superuser through every has_perm; the programme's rules must still hold.
    from tests import factories

    admin = factories.OfficeFactory(username="office-root", is_staff=True, is_superuser=True)
    in_state(nomination, source)
    assert action not in [t.action for t in workflow.available_actions(nomination, admin)]
    with pytest.raises(PermissionDenied):
        workflow.transition(nomination, action, by=admin)
    nomination.refresh_from_db()
    assert nomination.state == source
    # ...while the office's own actions stay open to it.
    in_state(nomination, S.SUBMITTED)
    workflow.transition(nomination, "accept", by=admin)
    nomination.refresh_from_db()
    assert nomination.state == S.ACCEPTED
