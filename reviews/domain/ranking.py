"""Aggregates, ranking with the tie rule, quota selection and the office's overrides.

THE TIE RULE (one function, `tie_key`, used by ranking, selection, exports and pages):
  1. higher aggregate score (two decimals, the round's method, optionally on normalised totals);
  2. then more experts recommending;
  3. then higher R&D intensity (enterprises: from the 四科 verdict's figures; unknown sorts last;
     other kinds have none);
  4. then earlier submission of the nomination;
  5. then the lower id (the earlier record) — so the order is always total and repeatable.
Nominations without any submitted review have no aggregate and no rank.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError

from ..models import Assignment, Review, ReviewItem, Round
from .aggregate import aggregate, normalised_totals
from .kinds import nomination_model, rd_intensity, ungated_ids

TIE_RULE = gettext_lazy(
    "Ranked by aggregate score (higher first); ties broken by more experts recommending, then higher "
    "R&D intensity, then earlier submission of the nomination, then the earlier record."
)

TIE_STEPS = (
    ("aggregate", gettext_lazy("higher aggregate score")),
    ("recommend_count", gettext_lazy("more experts recommending")),
    ("rd_intensity", gettext_lazy("higher R&D intensity")),
    ("submitted_at", gettext_lazy("earlier submission")),
    ("pk", gettext_lazy("earlier record")),
)


def tie_key(item):
    """The sort key of the tie rule (ascending sort = best first). Works on ReviewItem or any object
    with aggregate, recommend_count, rd_intensity, submitted_at and pk."""
    agg, rd, sub = item.aggregate, item.rd_intensity, item.submitted_at
    return (
        agg is None, -(agg if agg is not None else Decimal(0)),
        -(item.recommend_count or 0),
        rd is None, -(rd if rd is not None else Decimal(0)),
        sub is None, sub.timestamp() if sub is not None else 0.0,
        item.pk,
    )


def order_items(items):
    return sorted(items, key=tie_key)


def separating_step(better, worse):
    """The step of the tie rule that puts `better` before `worse` (a TIE_STEPS entry)."""
    kb, kw = tie_key(better), tie_key(worse)
    # key positions per step: aggregate (0, 1), recommend (2), rd (3, 4), submitted (5, 6), pk (7)
    for (name, label), positions in zip(TIE_STEPS, ((0, 1), (2,), (3, 4), (5, 6), (7,)), strict=True):
        if any(kb[p] != kw[p] for p in positions):
            return name, label
    return TIE_STEPS[-1]


def _require_office(by, perm, obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("Only the provincial office may do this."))


def submitted_totals(round_):
    """[(expert_id, item_id, total, recommendation)] of every counted review (submitted, not withdrawn)."""
    return list(
        Review.objects.filter(
            assignment__item__round=round_, assignment__state=Assignment.State.CONFIRMED,
            assignment__progress=Assignment.Progress.SUBMITTED, total__isnull=False,
        ).values_list("assignment__expert_id", "assignment__item_id", "total", "recommendation")
    )


def compute_aggregates(round_):
    """{item_id: (aggregate, recommend_count, review_count)} with the round's method (and normalisation)."""
    rows = submitted_totals(round_)
    values = {(e, i): t for e, i, t, _r in rows}
    if round_.normalise:
        values = normalised_totals([(e, i, t) for e, i, t, _r in rows])
    per_item = defaultdict(list)
    recommends = defaultdict(int)
    for e, i, _t, rec in rows:
        per_item[i].append(values[(e, i)])
        if rec == Review.Recommendation.RECOMMEND:
            recommends[i] += 1
    return {i: (aggregate(vs, round_.aggregation), recommends[i], len(vs)) for i, vs in per_item.items()}


def refresh_tiebreak(round_, items):
    """Re-read each nominee's tie-break value (R&D intensity) through the kind registry."""
    model = nomination_model(round_.kind)
    if model is None or round_.kind != "enterprises":
        return
    ids = [i.object_id for i in items]
    nominations = model._default_manager.select_related("enterprise", "cycle", "verdict").in_bulk(ids)
    for item in items:
        nomination = nominations.get(item.object_id)
        if nomination is not None:
            item.rd_intensity = rd_intensity(nomination)


def rank_round(*, round_, by):
    """Store each item's aggregate, counts, rank and the tie step that placed it (closed rounds only)."""
    _require_office(by, "reviews.rank_round", round_)
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
        if current.phase != Round.Phase.CLOSED:
            raise TransitionNotAllowed(_("Close the round before ranking it."), code="phase")
        if hasattr(current, "notice") or current.results_confirmed_at:
            raise TransitionNotAllowed(_("The list has been published; the ranking can no longer change."), code="published")
        items = list(ReviewItem.objects.filter(round=current))
        refresh_tiebreak(current, items)
        computed = compute_aggregates(current)
        for item in items:
            item.aggregate, item.recommend_count, item.review_count = computed.get(item.pk, (None, 0, 0))
        ordered = order_items(items)
        previous = None
        rank = 0
        for item in ordered:
            if item.aggregate is None:
                item.rank, item.tie_note = None, ""
                continue
            rank += 1
            item.rank = rank
            item.tie_note = ""
            if previous is not None and previous.aggregate == item.aggregate:
                _name, label = separating_step(previous, item)
                item.tie_note = str(_("same score as %(other)s; placed after it by %(step)s") % {
                    "other": previous.nominee_name, "step": label})[:200]
            previous = item
        for item in items:
            item.version += 1
        bulk_update_with_history(
            items, ReviewItem,
            ["aggregate", "recommend_count", "review_count", "rank", "tie_note", "rd_intensity", "version"],
            batch_size=1000, default_user=by, default_change_reason="rank",
        )
        current.ranked_at = timezone.now()
        current.version += 1
        current._history_user = by
        current._change_reason = "rank"
        current.save()
    round_.refresh_from_db()
    return ordered


def _check_selectable(current):
    if current.is_acceptance:
        raise TransitionNotAllowed(ACCEPTANCE_NOT_SELECTED, code="acceptance")
    if current.phase != Round.Phase.CLOSED or current.ranked_at is None:
        raise TransitionNotAllowed(_("Close and rank the round first."), code="phase")
    if current.results_confirmed_at:
        raise TransitionNotAllowed(_("The results are confirmed; the selection can no longer change."), code="confirmed")


ACCEPTANCE_NOT_SELECTED = gettext_lazy(
    "An acceptance round selects nothing and has no public notice: the office decides each project's outcome on "
    "the round's acceptance page.")


def not_selectable_message(items):
    return _("Cannot be selected: %(names)s do not meet the 四科 standard and carry no override of it. Record an "
             "override with its reason on the nomination's page, or leave them out.") % {
        "names": "、".join(i.nominee_name for i in items)}


def ungated_items(round_):
    """The round's items whose nominations do not pass the kind's gate (for the office's page)."""
    items = list(ReviewItem.objects.filter(round=round_))
    ungated = ungated_ids(round_, [i.object_id for i in items])
    return [i for i in items if i.object_id in ungated]


def select(*, round_, by, quota=None):
    """Select the best-ranked items up to the quota (default: the year's quota for the kind).

    Items the office overrode keep their decision and count against the quota; the rest is
    filled in rank order. Refused once the 公示 is published (then only overrides and
    objections change it).
    """
    _require_office(by, "reviews.select", round_)
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=round_.pk)
        _check_selectable(current)
        if hasattr(current, "notice"):
            raise TransitionNotAllowed(_("The list is in its public notice; change it by override or objection."), code="published")
        quota = current.quota if quota is None else quota
        if quota is None or quota < 0:
            raise ValidationError(_("Give the number of nominations to select."), code="quota")
        items = order_items(ReviewItem.objects.filter(round=current))
        # Nominations that no longer pass the kind's gate (a revoked registration, a verdict that
        # changed) are never selected, whatever their rank or override.
        ungated = ungated_ids(current, [i.object_id for i in items])
        taken = sum(1 for i in items if i.overridden and i.selected and i.object_id not in ungated)
        from .rounds import minimum_reviews

        minimum = minimum_reviews(current)  # fewer reviews: only an override (with a reason) selects it
        changed = []
        for item in items:
            if item.object_id in ungated:
                want = False
            elif item.overridden:
                continue
            else:
                want = item.rank is not None and item.review_count >= minimum and taken < quota
            if want:
                taken += 1
            if item.selected != want:
                item.selected = want
                item.version += 1
                changed.append(item)
        if changed:
            bulk_update_with_history(changed, ReviewItem, ["selected", "version"], batch_size=1000, default_user=by,
                                     default_change_reason=f"select (quota {quota})")
    return [i for i in items if i.selected]


def override_selection(*, item, selected, reason, by):
    """The office selects or deselects one item against the ranking; a written reason is required."""
    _require_office(by, "reviews.override_selection", item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("An override needs a written reason."), code="reason_required")
    with transaction.atomic():
        current = ReviewItem.objects.select_for_update(of=("self",)).select_related("round").get(pk=item.pk)
        _check_selectable(current.round)
        if selected and ungated_ids(current.round, [current.object_id]):
            raise ValidationError(not_selectable_message([current]), code="gate")
        current.selected = bool(selected)
        current.overridden = True
        current.override_reason = reason
        current.version += 1
        current._history_user = by
        current._change_reason = f"override {'select' if selected else 'deselect'}: {reason}"[:100]
        current.save()
    item.refresh_from_db()
    return current
