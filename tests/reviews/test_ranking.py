"""Aggregates, the tie rule, quota selection and overrides."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from reviews.domain import ranking, scoring
from reviews.models import ReviewItem, Round

from .factories import scoring_round

pytestmark = pytest.mark.django_db


def fake(pk, aggregate, recommend=0, rd=None, submitted=None):
    return SimpleNamespace(pk=pk, aggregate=None if aggregate is None else Decimal(aggregate), recommend_count=recommend,
                           rd_intensity=None if rd is None else Decimal(rd), submitted_at=submitted)


def test_tie_rule_order_every_step():
    t0 = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    items = [
        fake(1, "80.00", 1, "0.07", t0),
        fake(2, "85.00", 0, None, None),                     # best aggregate
        fake(3, "80.00", 2, "0.05", t0),                     # more recommending than 1
        fake(4, "80.00", 1, "0.09", t0),                     # higher R&D intensity than 1
        fake(5, "80.00", 1, "0.07", t0 - datetime.timedelta(days=1)),  # earlier than 1
        fake(6, "80.00", 1, "0.07", t0),                     # same as 1 in everything but id
        fake(7, None, 5, "0.5", t0),                         # no reviews: last
        fake(8, "80.00", 1, None, t0),                       # R&D intensity unknown: after known
    ]
    assert [i.pk for i in ranking.order_items(items)] == [2, 3, 4, 5, 1, 6, 8, 7]
    assert ranking.separating_step(items[2], items[0])[0] == "recommend_count"
    assert ranking.separating_step(items[3], items[0])[0] == "rd_intensity"
    assert ranking.separating_step(items[4], items[0])[0] == "submitted_at"
    assert ranking.separating_step(items[0], items[5])[0] == "pk"
    assert ranking.separating_step(items[1], items[0])[0] == "aggregate"


def _score_all(assignments, crits, table, recommend=()):
    """table: {(item index, expert index): total}; one criterion carries the whole total."""
    for a in assignments:
        key = (a._item_index, a._expert_index)
        if key not in table:
            continue
        user = a.expert.user
        rec = "recommend" if key in recommend else "neutral"
        scoring.save_review(assignment=a, by=user, scores={crits[0].pk: str(table[key])}, recommendation=rec)
        scoring.submit_review(assignment=a, by=user)


def ranked_round(cycle, office, table, *, items, experts, recommend=(), aggregation="mean", normalise=False):
    round_, crits, its, exps, assignments = scoring_round(cycle=cycle, items=items, experts=experts, criteria=1)
    Round.objects.filter(pk=round_.pk).update(aggregation=aggregation, normalise=normalise)
    crits[0].max_score = Decimal("100")
    crits[0].save()
    for a in assignments:
        a._item_index = its.index(a.item)
        a._expert_index = exps.index(a.expert)
    _score_all(assignments, crits, table, recommend)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    round_.refresh_from_db()
    ranking.rank_round(round_=round_, by=office)
    return round_, its


def test_rank_round_stores_aggregates_and_ranks_with_the_tie_rule(cycle, office):
    table = {(0, 0): 80, (0, 1): 90, (1, 0): 85, (1, 1): 85, (2, 0): 70, (2, 1): 60}
    round_, its = ranked_round(cycle, office, table, items=4, experts=2, recommend={(1, 0)})
    got = {i.pk: (i.aggregate, i.rank, i.recommend_count, i.review_count) for i in ReviewItem.objects.filter(round=round_)}
    assert got[its[0].pk] == (Decimal("85.00"), 2, 0, 2)
    assert got[its[1].pk] == (Decimal("85.00"), 1, 1, 2)  # tie on 85: more recommending wins
    assert got[its[2].pk] == (Decimal("65.00"), 3, 0, 2)
    assert got[its[3].pk] == (None, None, 0, 0)          # nothing submitted
    second = ReviewItem.objects.get(pk=its[0].pk)
    assert its[1].nominee_name in second.tie_note


def test_rank_round_counts_only_submitted_reviews(cycle, office):
    round_, crits, its, exps, assignments = scoring_round(cycle=cycle, items=1, experts=2, criteria=1)
    first, second = assignments
    scoring.save_review(assignment=first, by=first.expert.user, scores={crits[0].pk: "40"}, recommendation="recommend")
    scoring.submit_review(assignment=first, by=first.expert.user)
    scoring.save_review(assignment=second, by=second.expert.user, scores={crits[0].pk: "10"}, recommendation="neutral")
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    ranking.rank_round(round_=round_, by=office)
    assert ReviewItem.objects.get(pk=its[0].pk).aggregate == Decimal("40.00")


def test_rank_round_trimmed_mean(cycle, office):
    table = {(0, k): v for k, v in enumerate([10, 60, 70, 80, 100])}
    round_, its = ranked_round(cycle, office, table, items=1, experts=5, aggregation="trimmed_mean")
    assert ReviewItem.objects.get(pk=its[0].pk).aggregate == Decimal("70.00")


def test_rank_round_normalised_corrects_a_harsh_and_a_kind_expert(cycle, office):
    # Expert 0 is harsh (50, 40), expert 1 kind (90, 80); each liked "their" item best and item 2 least.
    table = {(0, 0): 50, (2, 0): 40, (1, 1): 90, (2, 1): 80}
    raw_round, raw_items = ranked_round(cycle, office, table, items=3, experts=2)
    raw = [ReviewItem.objects.get(pk=i.pk).aggregate for i in raw_items]
    assert raw[1] > raw[0]  # the kind expert's favourite wins on raw totals
    Round.objects.filter(pk=raw_round.pk).update(normalise=True, phase=Round.Phase.CLOSED)
    raw_round.refresh_from_db()
    ranking.rank_round(round_=raw_round, by=office)
    norm = [ReviewItem.objects.get(pk=i.pk).aggregate for i in raw_items]
    assert norm[0] == norm[1] > norm[2]  # normalised, the two favourites are equal


def test_rank_round_needs_a_closed_round(cycle, office):
    round_, *_ = scoring_round(cycle=cycle, items=1, experts=1)
    with pytest.raises(TransitionNotAllowed):
        ranking.rank_round(round_=round_, by=office)


def test_rank_round_is_the_offices(cycle, expert):
    round_, *_ = scoring_round(cycle=cycle, items=1, experts=1)
    with pytest.raises(PermissionDenied):
        ranking.rank_round(round_=round_, by=expert)


def test_select_takes_the_quota_in_rank_order(cycle, office):
    table = {(k, 0): 90 - k for k in range(5)}
    round_, its = ranked_round(cycle, office, table, items=6, experts=1)
    selected = ranking.select(round_=round_, by=office, quota=3)
    assert [i.pk for i in selected] == [its[0].pk, its[1].pk, its[2].pk]
    assert not ReviewItem.objects.get(pk=its[5].pk).selected  # unreviewed never selected


def test_select_defaults_to_the_years_quota(cycle, office):
    cycle.enterprise_quota = 2
    cycle.save()
    round_, _its = ranked_round(cycle, office, {(k, 0): 90 - k for k in range(4)}, items=4, experts=1)
    assert len(ranking.select(round_=round_, by=office)) == 2


def test_select_keeps_overrides_within_the_quota(cycle, office):
    table = {(k, 0): 90 - k for k in range(4)}
    round_, its = ranked_round(cycle, office, table, items=4, experts=1)
    ranking.override_selection(item=its[3], selected=True, reason="省重点产业链企业", by=office)
    ranking.override_selection(item=its[0], selected=False, reason="存在违规记录", by=office)
    selected = {i.pk for i in ranking.select(round_=round_, by=office, quota=2)}
    assert selected == {its[3].pk, its[1].pk}


def test_override_needs_a_written_reason_and_is_audited(cycle, office):
    round_, its = ranked_round(cycle, office, {(0, 0): 80}, items=1, experts=1)
    with pytest.raises(ValidationError):
        ranking.override_selection(item=its[0], selected=True, reason="  ", by=office)
    ranking.override_selection(item=its[0], selected=True, reason="政策倾斜", by=office)
    item = ReviewItem.objects.get(pk=its[0].pk)
    assert item.selected and item.overridden and item.override_reason == "政策倾斜"
    last = item.history.latest("history_date")
    assert last.history_user == office and "政策倾斜" in last.history_change_reason


def test_override_refused_after_results_confirmed(cycle, office):
    round_, its = ranked_round(cycle, office, {(0, 0): 80}, items=1, experts=1)
    Round.objects.filter(pk=round_.pk).update(results_confirmed_at=timezone.now())
    with pytest.raises(TransitionNotAllowed):
        ranking.override_selection(item=its[0], selected=False, reason="x", by=office)


def test_rank_uses_rd_intensity_from_the_verdict_figures(cycle, office):
    from enterprises.models import Verdict

    table = {(0, 0): 40, (1, 0): 40}
    round_, crits, its, exps, assignments = scoring_round(cycle=cycle, items=2, experts=1, criteria=1)
    for k, item in enumerate(its):
        Verdict.objects.update_or_create(nomination_id=item.object_id, defaults=dict(eligible=True,
                               figures={"revenue": {"value": "1000000.00"}, "rd_expense": {"value": f"{60000 + 30000 * k}.00"}}))
    for a, k in zip(assignments, (0, 1), strict=True):
        scoring.save_review(assignment=a, by=a.expert.user, scores={crits[0].pk: str(table[(k, 0)])}, recommendation="neutral")
        scoring.submit_review(assignment=a, by=a.expert.user)
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.CLOSED)
    ordered = ranking.rank_round(round_=round_, by=office)
    assert [i.pk for i in ordered] == [its[1].pk, its[0].pk]
    assert ordered[0].rd_intensity == Decimal("0.090000")
