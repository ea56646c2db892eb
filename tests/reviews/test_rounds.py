"""Rounds: creation, populating from accepted nominations, phases enforced."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from enterprises.models import EnterpriseNomination
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.models import NominationState
from reviews.domain import assignment, rounds
from reviews.models import Criterion, ReviewItem, Round
from tests.enterprises import factories as ent

from .factories import ExpertFactory, accepted_nomination

pytestmark = pytest.mark.django_db


def test_create_round_has_a_starting_score_sheet(cycle, office):
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office, experts_per_item=5)
    assert round_.phase == Round.Phase.ASSIGNMENT
    assert round_.experts_per_item == 5 and round_.notice_days == 5 and round_.aggregation == "trimmed_mean"
    assert Criterion.objects.filter(sheet__round=round_).count() == 5
    assert sum(c.max_score for c in Criterion.objects.filter(sheet__round=round_)) == 100
    with pytest.raises(ValidationError):
        rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office)


def test_create_round_is_the_offices(cycle, bureau, expert):
    for user in (bureau, expert):
        with pytest.raises(PermissionDenied):
            rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=user)


def test_round_quota_follows_the_year(cycle, office):
    ent_round = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office)
    inc_round = rounds.create_round(cycle=cycle, kind=Round.Kind.INCUBATORS, by=office)
    fin_round = rounds.create_round(cycle=cycle, kind=Round.Kind.FINANCE, by=office)
    assert (ent_round.quota, inc_round.quota, fin_round.quota) == (cycle.enterprise_quota, cycle.incubator_quota, None)


def test_populate_round_takes_only_the_years_accepted_nominations(cycle, office):
    accepted = [accepted_nomination(cycle=cycle, industry="biomedicine") for _ in range(3)]
    ent.EnterpriseNominationFactory(cycle=cycle, state=NominationState.SUBMITTED)
    ent.EnterpriseNominationFactory(cycle=cycle, state=NominationState.RETURNED)
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office)
    assert rounds.populate_round(round_=round_, by=office) == (3, 0)
    assert rounds.populate_round(round_=round_, by=office) == (0, 0)  # idempotent
    ct = ContentType.objects.get_for_model(EnterpriseNomination)
    items = ReviewItem.objects.filter(round=round_, content_type=ct)
    assert {i.object_id for i in items} == {n.pk for n in accepted}
    item = items.get(object_id=accepted[0].pk)
    assert item.nominee_name == accepted[0].enterprise.name
    assert item.nominee_uscc == accepted[0].enterprise.uscc
    assert item.region_id == accepted[0].region_id and item.industry == "biomedicine"
    assert item.nomination == accepted[0]


def test_populate_round_refreshes_denormalised_facts(cycle, office):
    nomination = accepted_nomination(cycle=cycle)
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office)
    rounds.populate_round(round_=round_, by=office)
    nomination.enterprise.name = "更名后的科技有限公司"
    nomination.enterprise.save()
    assert rounds.populate_round(round_=round_, by=office) == (0, 1)
    assert ReviewItem.objects.get(round=round_).nominee_name == "更名后的科技有限公司"


def test_populate_round_runs_conflict_detection(cycle, office):
    nomination = accepted_nomination(cycle=cycle)
    expert = ExpertFactory(unit_uscc=nomination.enterprise.uscc)
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office)
    rounds.populate_round(round_=round_, by=office)
    assert expert.conflicts.count() == 1


def _other_kind_nominations(kind, cycle):
    """(accepted, not accepted) nominations of an incubator, finance or bureau-summary round."""
    from pojian.models import Region

    if kind == Round.Kind.INCUBATORS:
        from tests.incubators.factories import IncubatorNominationFactory as F
    elif kind == Round.Kind.FINANCE:
        from tests.finance.factories import FinanceNominationFactory as F
    else:
        from tests.assessment.factories import SummaryFactory

        changchun, jilin = Region.objects.get(code="220100"), Region.objects.get(code="220200")
        return ([SummaryFactory(cycle=cycle, region=changchun, state=NominationState.ACCEPTED)],
                [SummaryFactory(cycle=cycle, region=jilin, state=NominationState.SUBMITTED)])
    return [F(cycle=cycle, state=NominationState.ACCEPTED)], [F(cycle=cycle, state=NominationState.SUBMITTED)]


@pytest.mark.parametrize("kind", [Round.Kind.INCUBATORS, Round.Kind.FINANCE, Round.Kind.BUREAU_SUMMARIES])
def test_populate_round_takes_the_accepted_nominations_of_every_kind(cycle, office, kind):
    accepted, others = _other_kind_nominations(kind, cycle)
    round_ = rounds.create_round(cycle=cycle, kind=kind, by=office)
    assert rounds.populate_round(round_=round_, by=office) == (1, 0)
    [item] = ReviewItem.objects.filter(round=round_)
    assert item.nomination == accepted[0] and item.nomination != others[0]
    assert item.nominee_name == accepted[0].nominee_name and item.region_id == accepted[0].region_id
    assert item.nominee_uscc == accepted[0].nominee_uscc


def test_populate_refused_once_the_round_is_closed(cycle, office):
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    round_.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        rounds.populate_round(round_=round_, by=office)


def test_phases_in_order(cycle, office):
    for _ in range(2):
        accepted_nomination(cycle=cycle)
    for _ in range(2):
        ExpertFactory()
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office, experts_per_item=2)
    rounds.populate_round(round_=round_, by=office)
    with pytest.raises(TransitionNotAllowed):
        rounds.close_round(round_=round_, by=office)
    with pytest.raises(ValidationError):  # nobody assigned yet
        rounds.open_scoring(round_=round_, by=office)
    assignment.propose_assignment(round_=round_, by=office)
    with pytest.raises(ValidationError):  # proposed, not confirmed
        rounds.open_scoring(round_=round_, by=office)
    assignment.confirm_assignment(round_=round_, by=office)
    with pytest.raises(ValidationError):  # no deadline
        rounds.open_scoring(round_=round_, by=office)
    with pytest.raises(ValidationError):  # a deadline in the past
        rounds.open_scoring(round_=round_, by=office, closes=timezone.now() - datetime.timedelta(hours=1))
    rounds.open_scoring(round_=round_, by=office, closes=timezone.now() + datetime.timedelta(days=10))
    assert round_.phase == Round.Phase.SCORING and round_.scoring_opens is not None
    with pytest.raises(TransitionNotAllowed):
        rounds.open_scoring(round_=round_, by=office, closes=timezone.now() + datetime.timedelta(days=10))
    with pytest.raises(ValidationError):  # four reviews not started: needs confirmation and a reason
        rounds.close_round(round_=round_, by=office)
    with pytest.raises(ValidationError):
        rounds.close_round(round_=round_, by=office, confirm_open=True, reason=" ")
    rounds.close_round(round_=round_, by=office, confirm_open=True, reason="专家已书面提交意见")
    assert round_.close_reason == "专家已书面提交意见"
    assert round_.phase == Round.Phase.CLOSED and round_.closed_at is not None
    with pytest.raises(ValidationError):
        rounds.reopen_scoring(round_=round_, by=office, reason="")
    rounds.reopen_scoring(round_=round_, by=office, reason="补评")
    assert round_.phase == Round.Phase.SCORING


def test_open_scoring_needs_criteria(cycle, office):
    accepted_nomination(cycle=cycle)
    ExpertFactory()
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.ENTERPRISES, by=office, experts_per_item=1, default_sheet=False)
    rounds.populate_round(round_=round_, by=office)
    assignment.propose_assignment(round_=round_, by=office)
    assignment.confirm_assignment(round_=round_, by=office)
    with pytest.raises(ValidationError):
        rounds.open_scoring(round_=round_, by=office, closes=timezone.now() + datetime.timedelta(days=10))
