"""Assignment in the database: propose (constraints hold), adjust, confirm (experts notified)."""

import random

import pytest

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.models import Notification
from reviews.domain import assignment as domain
from reviews.domain.conflicts import record_conflict
from reviews.models import Assignment, Conflict, Round

from .factories import AssignmentFactory, ExpertFactory, ReviewItemFactory, RoundFactory

pytestmark = pytest.mark.django_db


def make_round(cycle, *, items, experts, n=3, max_load=10, industries=("software", "biomedicine", "materials")):
    rng = random.Random(items * 31 + experts)
    round_ = RoundFactory(cycle=cycle, experts_per_item=n, max_load=max_load)
    its = [ReviewItemFactory(round=round_, industry=rng.choice(industries)) for _ in range(items)]
    exps = [ExpertFactory(expertise=[rng.choice(industries)]) for _ in range(experts)]
    return round_, its, exps


def test_propose_assignment_holds_every_constraint(cycle, office):
    round_, items, experts = make_round(cycle, items=12, experts=8, n=3, max_load=5)
    record_conflict(expert=experts[0], kind=Conflict.Kind.OTHER, source=Conflict.Source.OFFICE, by=office,
                    reason="x", item=items[0])
    summary = domain.propose_assignment(round_=round_, by=office)
    assert summary["created"] == 36
    assert domain.check_assignment(round_) == {"count": [], "load": [], "conflict": [], "duplicate": []}
    assert not Assignment.objects.filter(item=items[0], expert=experts[0]).exists()
    for item in items:
        experts_on = list(item.assignments.values_list("expert_id", flat=True))
        assert len(experts_on) == len(set(experts_on)) == 3
    assert summary["max_load"] <= 5
    # matched is stored truthfully
    for a in Assignment.objects.select_related("item", "expert"):
        assert a.matched == (a.item.industry in a.expert.expertise)


def test_propose_assignment_skips_experts_without_an_account_or_inactive(cycle, office):
    round_, items, experts = make_round(cycle, items=2, experts=3, n=3)
    ExpertFactory(user=None)
    ExpertFactory(active=False)
    domain.propose_assignment(round_=round_, by=office)
    assert set(Assignment.objects.values_list("expert_id", flat=True)) == {e.pk for e in experts}


def test_propose_assignment_infeasible_names_the_items(cycle, office):
    round_, items, experts = make_round(cycle, items=2, experts=3, n=3)
    record_conflict(expert=experts[1], kind=Conflict.Kind.RELATIVE, source=Conflict.Source.OFFICE, by=office,
                    reason="亲属", item=items[1])
    with pytest.raises(domain.AssignmentInfeasible) as err:
        domain.propose_assignment(round_=round_, by=office)
    assert err.value.items == [items[1].pk]
    assert items[1].nominee_name in err.value.messages[0]
    assert not Assignment.objects.exists()  # nothing half-done


def test_propose_assignment_infeasible_capacity(cycle, office):
    round_, _items, _experts = make_round(cycle, items=5, experts=3, n=3, max_load=4)  # 12 < 15
    with pytest.raises(domain.AssignmentInfeasible, match="15"):
        domain.propose_assignment(round_=round_, by=office)


def test_propose_again_replaces_proposals_and_keeps_confirmed(cycle, office):
    round_, items, experts = make_round(cycle, items=3, experts=5, n=2)
    kept = AssignmentFactory(item=items[0], expert=experts[4], state=Assignment.State.CONFIRMED)
    domain.propose_assignment(round_=round_, by=office)
    domain.propose_assignment(round_=round_, by=office)
    assert Assignment.objects.filter(item__round=round_).count() == 6
    assert Assignment.objects.filter(pk=kept.pk, state=Assignment.State.CONFIRMED).exists()


def test_propose_assignment_is_the_offices(cycle, expert, bureau):
    round_, _i, _e = make_round(cycle, items=1, experts=3)
    for user in (expert, bureau):
        with pytest.raises(PermissionDenied):
            domain.propose_assignment(round_=round_, by=user)


def test_propose_refused_in_a_closed_round(cycle, office):
    round_, _i, _e = make_round(cycle, items=1, experts=3)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    round_.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        domain.propose_assignment(round_=round_, by=office)


def test_confirm_assignment_notifies_each_expert_once(cycle, office):
    round_, _items, experts = make_round(cycle, items=4, experts=3, n=3, max_load=4)
    domain.propose_assignment(round_=round_, by=office)
    assert domain.confirm_assignment(round_=round_, by=office) == 12
    assert not Assignment.objects.filter(state=Assignment.State.PROPOSED).exists()
    for e in experts:
        assert Notification.objects.filter(user=e.user).count() == 1
    round_.refresh_from_db()
    assert round_.assignment_confirmed_at is not None


def test_confirm_assignment_refuses_short_items(cycle, office):
    round_, items, experts = make_round(cycle, items=2, experts=3, n=3)
    domain.propose_assignment(round_=round_, by=office)
    a = Assignment.objects.filter(item=items[0]).first()
    domain.withdraw_assignment(assignment=a, by=office, reason="调整")
    with pytest.raises(ValidationError, match=items[0].nominee_name):
        domain.confirm_assignment(round_=round_, by=office)


def test_reassign_moves_to_another_expert_and_checks_conflicts(cycle, office):
    round_, items, experts = make_round(cycle, items=1, experts=3, n=2)
    spare = experts[2]
    a = AssignmentFactory(item=items[0], expert=experts[0], state=Assignment.State.PROPOSED)
    AssignmentFactory(item=items[0], expert=experts[1], state=Assignment.State.PROPOSED)
    with pytest.raises(ValidationError):  # already on the item
        domain.reassign(assignment=a, expert=experts[1], by=office, reason="x")
    record_conflict(expert=spare, kind=Conflict.Kind.OTHER, source=Conflict.Source.OFFICE, by=office, reason="x", item=items[0])
    with pytest.raises(ValidationError) as err:
        domain.reassign(assignment=a, expert=spare, by=office, reason="x")
    assert err.value.code == "conflict"
    fresh = ExpertFactory()
    new = domain.reassign(assignment=a, expert=fresh, by=office, reason="专业更对口")
    a.refresh_from_db()
    assert a.state == Assignment.State.WITHDRAWN and a.withdrawn_reason == "专业更对口"
    assert new.state == Assignment.State.PROPOSED and new.expert == fresh


def test_reassign_respects_the_maximum_load(cycle, office):
    round_, items, experts = make_round(cycle, items=2, experts=2, n=1, max_load=1)
    a = AssignmentFactory(item=items[0], expert=experts[0], state=Assignment.State.PROPOSED)
    AssignmentFactory(item=items[1], expert=experts[1], state=Assignment.State.PROPOSED)
    with pytest.raises(ValidationError) as err:
        domain.reassign(assignment=a, expert=experts[1], by=office, reason="x")
    assert err.value.code == "load"


def test_assign_during_scoring_is_confirmed_and_notified(cycle, office):
    round_, items, _experts = make_round(cycle, items=1, experts=1, n=1)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.SCORING)
    items[0].round.refresh_from_db()
    newcomer = ExpertFactory()
    a = domain.assign(item=items[0], expert=newcomer, by=office, reason="补充专家")
    assert a.state == Assignment.State.CONFIRMED
    assert Notification.objects.filter(user=newcomer.user).exists()


def test_withdraw_needs_a_reason(cycle, office):
    a = AssignmentFactory(item=ReviewItemFactory(round=RoundFactory(cycle=cycle)))
    with pytest.raises(ValidationError):
        domain.withdraw_assignment(assignment=a, by=office, reason="")


def test_propose_job_reports_infeasible_items_as_rows(cycle, office):
    from pojian.domain.jobs import run_job
    from pojian.models import Job

    round_, items, _experts = make_round(cycle, items=2, experts=2, n=3)
    job = Job.objects.create(kind="reviews.propose", title="t", created_by=office, params={"round_id": round_.pk})
    job = run_job(job.pk, domain.propose_job)
    assert job.status == Job.Status.FAILED
    assert {e["row"] for e in job.errors} == {i.pk for i in items}
