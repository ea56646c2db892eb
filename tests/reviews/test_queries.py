"""What the pages get: an expert's own visible assignments and own review only."""

import pytest

from reviews.domain import queries, scoring
from reviews.models import Conflict, Round

from .factories import AssignmentFactory, ExpertFactory, ReviewItemFactory, RoundFactory, scoring_round

pytestmark = pytest.mark.django_db


def test_items_for_expert_are_only_their_confirmed_unconflicted_ones(cycle):
    round_, _c, items, experts, assignments = scoring_round(cycle=cycle, items=3, experts=2, criteria=1)
    me = experts[0]
    Conflict.objects.create(expert=me, nominee_uscc=items[2].nominee_uscc, kind=Conflict.Kind.OTHER,
                            source=Conflict.Source.DETECTED, status=Conflict.Status.PENDING)
    other_round_item = ReviewItemFactory(round=RoundFactory(cycle=cycle, kind=Round.Kind.INCUBATORS, phase=Round.Phase.ASSIGNMENT))
    AssignmentFactory(item=other_round_item, expert=me)  # round not in scoring
    assert set(queries.items_for_expert(me.user, round_)) == {items[0], items[1]}
    assert {a.item for a in queries.assignments_for_expert(me.user)} == {items[0], items[1]}
    assert list(queries.rounds_for_expert(me.user)) == [round_]
    assert list(queries.items_for_expert(ExpertFactory().user, round_)) == []


def test_review_for_returns_only_that_assignments_review(cycle):
    _round, crits, _items, _experts, assignments = scoring_round(cycle=cycle, items=1, experts=2, criteria=1)
    mine, theirs = assignments
    scoring.save_review(assignment=theirs, by=theirs.expert.user, scores={crits[0].pk: "33"})
    assert queries.review_for(mine) is None
    scoring.save_review(assignment=mine, by=mine.expert.user, scores={crits[0].pk: "11"})
    review = queries.review_for(mine)
    assert [s.value for s in review.scores.all()] == [11]


def test_progress_for_expert(cycle):
    round_, crits, _items, experts, assignments = scoring_round(cycle=cycle, items=3, experts=1, criteria=1)
    a, b, _c = assignments
    user = experts[0].user
    scoring.save_review(assignment=a, by=user, scores={crits[0].pk: "1"}, recommendation="neutral")
    scoring.submit_review(assignment=a, by=user)
    scoring.save_review(assignment=b, by=user, scores={crits[0].pk: "1"})
    assert queries.progress_for_expert(user, round_) == {"total": 3, "submitted": 1, "draft": 1, "todo": 1}
    assert queries.round_progress(round_)["submitted"] == 1


def test_expert_for_ignores_non_experts(office):
    assert queries.expert_for(office) is None
