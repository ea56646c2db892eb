"""公示, objections and confirming the results through the shared workflow."""

import datetime

import pytest
from django.utils import timezone

from enterprises.models import EnterpriseNomination
from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.models import NominationState, Notification
from reviews.domain import notices, ranking, scoring
from reviews.models import Objection, ReviewItem, Round
from tests import factories as core

from .factories import scoring_round

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def selected_round(cycle, office):
    """Three ranked items (40, 30, 20), the best two selected."""
    return make_selected_round(cycle, office)


def make_selected_round(cycle, office):
    round_, crits, its, _exps, assignments = scoring_round(cycle=cycle, items=3, experts=1, criteria=1)
    for a, value in zip(assignments, ("40", "30", "20"), strict=True):
        scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: value}, recommendation="neutral")
        scoring.submit_review(assignment=a, by=a.expert.user)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    round_.refresh_from_db()
    ranking.rank_round(round_=round_, by=office)
    ranking.select(round_=round_, by=office, quota=2)
    return round_, its


def test_notice_period_counts_working_days():
    assert notices.notice_period(TODAY, 5) == (TODAY, datetime.date(2026, 6, 5))
    # From Thursday 2026-06-18: 06-19 (端午) and the weekend are off.
    assert notices.notice_period(datetime.date(2026, 6, 18), 3) == (datetime.date(2026, 6, 18), datetime.date(2026, 6, 23))
    # A start on a Saturday begins on Monday.
    assert notices.notice_period(datetime.date(2026, 6, 6), 1) == (datetime.date(2026, 6, 8), datetime.date(2026, 6, 8))


def test_publish_notice(selected_round, office):
    round_, its = selected_round
    bureau = core.BureauFactory(username="bureau-n", region=its[0].region)
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="电话 0431-88888888", starts=TODAY, today=TODAY)
    assert (notice.starts, notice.ends) == (TODAY, datetime.date(2026, 6, 5))
    assert Notification.objects.filter(user=bureau).exists()
    with pytest.raises(TransitionNotAllowed):
        notices.publish_notice(round_=round_, by=office, how_to_object="x", starts=TODAY, today=TODAY)
    with pytest.raises(TransitionNotAllowed):  # the selection is frozen but for overrides and objections
        ranking.select(round_=round_, by=office, quota=3)


def test_publish_notice_needs_how_to_object_and_the_office(selected_round, office, expert):
    round_, _its = selected_round
    with pytest.raises(ValidationError):
        notices.publish_notice(round_=round_, by=office, how_to_object=" ")
    with pytest.raises(PermissionDenied):
        notices.publish_notice(round_=round_, by=expert, how_to_object="x")


def test_objection_upheld_removes_the_selection_with_its_reason(selected_round, office):
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    objection = notices.record_objection(notice=notice, item=its[0], objector="某公民", content="数据造假",
                                         received_on=TODAY + datetime.timedelta(days=1), by=office)
    with pytest.raises(ValidationError):
        notices.decide_objection(objection=objection, outcome=Objection.Outcome.UPHELD, reason="", by=office)
    notices.decide_objection(objection=objection, outcome=Objection.Outcome.UPHELD, reason="经核实研发数据不实", by=office)
    item = ReviewItem.objects.get(pk=its[0].pk)
    assert not item.selected and item.overridden and "经核实研发数据不实" in item.override_reason
    with pytest.raises(TransitionNotAllowed):
        notices.decide_objection(objection=objection, outcome=Objection.Outcome.DISMISSED, reason="x", by=office)


def test_objection_dismissed_keeps_the_selection(selected_round, office):
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    objection = notices.record_objection(notice=notice, item=its[0], objector="甲", content="乙", received_on=TODAY, by=office)
    notices.decide_objection(objection=objection, outcome=Objection.Outcome.DISMISSED, reason="查无实据", by=office)
    assert ReviewItem.objects.get(pk=its[0].pk).selected


def test_objection_outside_the_period_is_refused(selected_round, office):
    round_, its = selected_round
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        notices.record_objection(notice=notice, item=its[0], objector="甲", content="乙",
                                 received_on=TODAY + datetime.timedelta(days=5), by=office)


def test_confirm_results_moves_nominations_and_tells_the_bureaus(selected_round, office):
    round_, its = selected_round
    bureau = core.BureauFactory(username="bureau-n", region=its[0].region)
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信", starts=TODAY, today=TODAY)
    objection = notices.record_objection(notice=notice, item=its[2], objector="甲", content="乙", received_on=TODAY, by=office)
    with pytest.raises(TransitionNotAllowed):  # the notice is still running
        notices.confirm_results(round_=round_, by=office, today=notice.ends)
    with pytest.raises(TransitionNotAllowed):  # an objection is pending
        notices.confirm_results(round_=round_, by=office, today=notice.ends + datetime.timedelta(days=1))
    notices.decide_objection(objection=objection, outcome=Objection.Outcome.DISMISSED, reason="无据", by=office)
    Notification.objects.all().delete()
    notices.confirm_results(round_=round_, by=office, today=notice.ends + datetime.timedelta(days=1))
    states = {n.pk: n.state for n in EnterpriseNomination.objects.filter(pk__in=[i.object_id for i in its])}
    assert [states[i.object_id] for i in its] == [NominationState.SELECTED, NominationState.SELECTED, NominationState.NOT_SELECTED]
    assert round_.results_confirmed_at is not None and round_.results_confirmed_by == office
    assert Notification.objects.filter(user=bureau).count() == 1
    with pytest.raises(TransitionNotAllowed):
        notices.confirm_results(round_=round_, by=office, today=notice.ends + datetime.timedelta(days=2))


def test_confirm_results_needs_a_notice(selected_round, office):
    round_, _its = selected_round
    with pytest.raises(TransitionNotAllowed):
        notices.confirm_results(round_=round_, by=office, today=timezone.localdate())


def test_confirm_results_of_an_incubator_round_feeds_the_post_subsidy_list(cycle, office):
    """The incubators' review is the same review: confirming it selects the nominations the office
    may then put on the post-subsidy list; the ones not selected can no longer be marked."""
    from incubators.domain import post_subsidies
    from incubators.models import IncubatorNomination
    from reviews.domain import rounds
    from tests.incubators.factories import IncubatorNominationFactory

    best, other = (IncubatorNominationFactory(cycle=cycle, state=NominationState.ACCEPTED) for _ in range(2))
    round_ = rounds.create_round(cycle=cycle, kind=Round.Kind.INCUBATORS, by=office)
    rounds.populate_round(round_=round_, by=office)
    ReviewItem.objects.filter(round=round_, object_id=best.pk).update(selected=True, rank=1)
    ReviewItem.objects.filter(round=round_, object_id=other.pk).update(selected=False, rank=2)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED, ranked_at=timezone.now())
    round_.refresh_from_db()
    notice = notices.publish_notice(round_=round_, by=office, how_to_object="来信来电", starts=TODAY, today=TODAY)
    notices.confirm_results(round_=round_, by=office, today=notice.ends + datetime.timedelta(days=1))
    states = dict(IncubatorNomination.objects.values_list("pk", "state"))
    assert (states[best.pk], states[other.pk]) == (NominationState.SELECTED, NominationState.NOT_SELECTED)
    assert list(post_subsidies.candidates(year=cycle.year)) == [best]
