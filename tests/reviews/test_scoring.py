"""Scoring: weighted totals, drafts, submit locks, the office reopens; phases enforced."""

from decimal import Decimal

import pytest

from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError
from pojian.models import Notification
from reviews.domain import scoring
from reviews.models import Assignment, Review, Round

from .factories import CriterionFactory, ExpertFactory, scoring_round

pytestmark = pytest.mark.django_db


def test_weighted_total_is_the_weighted_sum(cycle):
    round_, crits, _items, _experts, _a = scoring_round(cycle=cycle, items=1, experts=1, criteria=2)
    crits[0].weight = Decimal("0.6")
    crits[1].weight = Decimal("0.4")
    assert scoring.weighted_total({crits[0].pk: Decimal("40"), crits[1].pk: Decimal("30")}, crits) == Decimal("36.0000")
    assert scoring.weighted_total({crits[0].pk: Decimal("40")}, crits) is None


def test_save_draft_then_submit_locks(cycle):
    round_, crits, _items, _experts, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=2)
    a = assignments[0]
    user = a.expert.user
    review = scoring.save_review(assignment=a, by=user, scores={crits[0].pk: "40"}, comment="初稿")
    a.refresh_from_db()
    assert a.progress == Assignment.Progress.DRAFT and review.total is None
    with pytest.raises(ValidationError):  # incomplete
        scoring.submit_review(assignment=a, by=user)
    scoring.save_review(assignment=a, by=user, scores={crits[1].pk: {"value": "35.5", "comment": "成长性好"}},
                        recommendation=Review.Recommendation.RECOMMEND, expected_version=review.version)
    review = scoring.submit_review(assignment=a, by=user)
    assert review.total == Decimal("75.5")
    a.refresh_from_db()
    assert a.progress == Assignment.Progress.SUBMITTED and a.submitted_at is not None
    with pytest.raises(TransitionNotAllowed):
        scoring.save_review(assignment=a, by=user, scores={crits[0].pk: "10"})
    assert Review.objects.get(assignment=a).scores.get(criterion=crits[0]).value == Decimal("40")


@pytest.mark.parametrize("value", ["-1", "50.01", "abc", "12.345"])
def test_save_refuses_bad_scores(cycle, value):
    _r, crits, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    a = assignments[0]
    with pytest.raises(ValidationError):
        scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: value})
    assert not Review.objects.exists()


def test_save_refuses_a_criterion_of_another_round(cycle):
    _r, _c, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    stranger = CriterionFactory(sheet__round__kind=Round.Kind.INCUBATORS)
    a = assignments[0]
    with pytest.raises(ValidationError):
        scoring.save_review(assignment=a, by=a.expert.user, scores={stranger.pk: "1"})


def test_stale_form_is_refused(cycle):
    _r, crits, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    a = assignments[0]
    review = scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: "10"})
    scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: "20"}, expected_version=review.version)
    with pytest.raises(StaleEdit):
        scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: "30"}, expected_version=review.version)


@pytest.mark.parametrize("phase", [Round.Phase.ASSIGNMENT, Round.Phase.CLOSED])
def test_scoring_only_in_the_scoring_phase(cycle, phase):
    round_, crits, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    Round.objects.filter(pk=round_.pk).update(phase=phase)
    a = Assignment.objects.get(pk=assignments[0].pk)
    with pytest.raises(TransitionNotAllowed):
        scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: "10"})


def test_another_expert_cannot_score(cycle, office):
    _r, crits, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    for user in (ExpertFactory().user, office):
        with pytest.raises(PermissionDenied):
            scoring.save_review(assignment=assignments[0], by=user, scores={crits[0].pk: "10"})


def test_withdrawn_or_proposed_assignment_cannot_be_scored(cycle):
    _r, crits, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    a = assignments[0]
    for state in (Assignment.State.PROPOSED, Assignment.State.WITHDRAWN):
        Assignment.objects.filter(pk=a.pk).update(state=state)
        with pytest.raises(PermissionDenied):
            scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: "10"})


def test_office_reopens_a_submitted_review(cycle, office):
    _r, crits, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    a = assignments[0]
    user = a.expert.user
    scoring.save_review(assignment=a, by=user, scores={crits[0].pk: "10"}, recommendation="neutral")
    scoring.submit_review(assignment=a, by=user)
    with pytest.raises(PermissionDenied):
        scoring.reopen_review(assignment=a, by=user, reason="我想改")
    with pytest.raises(ValidationError):
        scoring.reopen_review(assignment=a, by=office, reason="")
    scoring.reopen_review(assignment=a, by=office, reason="请补充评语")
    a.refresh_from_db()
    assert a.progress == Assignment.Progress.DRAFT and a.reopened_at is not None
    assert Notification.objects.filter(user=user).exists()
    scoring.save_review(assignment=a, by=user, scores={crits[0].pk: "12"})
    assert scoring.submit_review(assignment=a, by=user).total == Decimal("12")


def test_reopen_refused_unless_submitted(cycle, office):
    _r, _c, _i, _e, assignments = scoring_round(cycle=cycle, items=1, experts=1, criteria=1)
    with pytest.raises(TransitionNotAllowed):
        scoring.reopen_review(assignment=assignments[0], by=office, reason="x")
