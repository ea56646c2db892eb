"""Review rounds: create one, fill it with the year's accepted nominations, move it through its phases.

    assignment ──open_scoring──▶ scoring ──close_round──▶ closed
                                    ▲                        │
                                    └─────reopen_scoring─────┘   (only before the 公示)
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pojian.domain.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from pojian.models import NominationState

from ..models import Assignment, Criterion, ReviewItem, Round, ScoreSheet
from .kinds import gate_q, nomination_model, nominee_facts

# A starting score sheet per kind (the office edits it on the round's score sheet page); max scores add up to 100.
DEFAULT_CRITERIA = {
    "enterprises": [
        (gettext_noop("Technological innovation"), gettext_noop("Key core technology, products and their level."), 30),
        (gettext_noop("R&D investment and results"), gettext_noop("R&D intensity, high-value IP and achievement transfers."), 25),
        (gettext_noop("Growth"), gettext_noop("Revenue and profit growth, market prospects."), 20),
        (gettext_noop("Team"), gettext_noop("S&T staff, leadership and management."), 15),
        (gettext_noop("Social benefit"), gettext_noop("Jobs, taxes and the drive it gives its industry."), 10),
    ],
    "incubators": [
        (gettext_noop("Incubation results"), gettext_noop("Enterprises incubated, graduated and their growth."), 40),
        (gettext_noop("Services"), gettext_noop("Mentoring, finance, shared facilities."), 30),
        (gettext_noop("Management"), gettext_noop("Team, rules and operation."), 30),
    ],
    "finance": [
        (gettext_noop("Investment in tech SMEs"), gettext_noop("Amount and number of investments in the province's tech SMEs."), 50),
        (gettext_noop("Services"), gettext_noop("Roadshows, products for tech SMEs."), 30),
        (gettext_noop("Cooperation"), gettext_noop("Work with the programme and the bureaus."), 20),
    ],
    "bureau_summaries": [
        (gettext_noop("Work done"), gettext_noop("What the bureau did for the programme this year."), 60),
        (gettext_noop("Results"), gettext_noop("Outcomes in its region."), 40),
    ],
    "acceptance": [
        (gettext_noop("Goals and indicators reached"), gettext_noop("What each indicator of the agreement reached against its target."), 40),
        (gettext_noop("Use of funds"), gettext_noop("Provincial and self-raised funds spent as the agreement's budget says."), 20),
        (gettext_noop("Technological results"), gettext_noop("New products, technologies, IP and their level."), 25),
        (gettext_noop("Economic and social benefit"), gettext_noop("Revenue, jobs and the drive the project gives its industry."), 15),
    ],
}


def _require_office(by, perm="reviews.manage_rounds", obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("Only the provincial office may do this."))


def _save(obj, *, by, reason, update_fields=None):
    obj.version += 1
    obj._history_user = by
    obj._change_reason = reason[:100]
    obj.save()
    return obj


def create_round(*, cycle, kind, by, title="", default_sheet=True, **settings):
    """Create the round of `kind` for `cycle` (in the assignment phase), with a starting score sheet."""
    _require_office(by)
    if kind not in Round.Kind.values:
        raise ValidationError(_("Unknown kind of review round."), code="kind")
    if cycle.is_closed:
        raise ValidationError(_("This programme year is closed."), code="cycle_closed")
    # Acceptance rounds run in batches as projects come due (funding.domain.acceptance); the others once a year.
    if kind != Round.Kind.ACCEPTANCE and Round.objects.filter(cycle=cycle, kind=kind).exists():
        raise ValidationError(_("This year already has a review round of this kind."), code="duplicate")
    allowed = {"experts_per_item", "max_load", "aggregation", "normalise", "notice_days", "scoring_closes"}
    unknown = set(settings) - allowed
    if unknown:
        raise TypeError(f"unknown round settings: {sorted(unknown)}")
    with transaction.atomic():
        round_ = Round(cycle=cycle, kind=kind, title=title, **settings)
        round_.full_clean()
        round_._history_user = by
        round_._change_reason = "create"
        round_.save()
        if default_sheet:
            sheet = ScoreSheet.objects.create(round=round_, title=_("Score sheet"))
            for order, (name, guidance, max_score) in enumerate(DEFAULT_CRITERIA.get(kind, []), start=1):
                Criterion.objects.create(
                    sheet=sheet, name=_(name), guidance=_(guidance), max_score=Decimal(max_score), weight=Decimal(1), order=order
                )
    return round_


def populate_round(*, round_, by):
    """Put the year's accepted nominations of the round's kind into the round (idempotent).

    Only nominations that pass the kind's gate are taken (enterprises: the 四科 verdict passes,
    or the office recorded an override; see enterprises.domain.gate).

    New accepted nominations become items; the denormalised facts of existing items are
    refreshed. Runs conflict detection for the round afterwards. While the round is scoring, a
    nomination that joins late is assigned its experts at once (assignment.assign_late_items).
    Returns (created, updated).
    """
    _require_office(by, obj=round_)
    if round_.kind == Round.Kind.ACCEPTANCE:
        raise ValidationError(_("An acceptance round reviews the projects chosen when it was created."), code="acceptance")
    if round_.phase not in (Round.Phase.ASSIGNMENT, Round.Phase.SCORING):
        raise TransitionNotAllowed(_("Nominations can no longer be added: the round is closed."), code="phase")
    model = nomination_model(round_.kind)
    if model is None:
        return 0, 0
    qs = model._default_manager.filter(cycle=round_.cycle)
    if any(f.name == "state" for f in model._meta.get_fields()):
        qs = qs.filter(state=NominationState.ACCEPTED)
    gate = gate_q(round_.kind)
    if gate is not None:
        qs = qs.filter(gate)
    related = [f.name for f in model._meta.get_fields()
               if (f.many_to_one or f.one_to_one) and f.name in ("enterprise", "incubator", "institution", "verdict")]
    if related:
        qs = qs.select_related(*related)
    ct = ContentType.objects.get_for_model(model)
    existing = {i.object_id: i for i in ReviewItem.objects.filter(round=round_, content_type=ct)}
    new, changed = [], []
    fields = ("nominee_name", "nominee_uscc", "region_id", "industry", "submitted_at", "rd_intensity")
    for nomination in qs.order_by("pk"):
        facts = nominee_facts(nomination)
        item = existing.get(nomination.pk)
        if item is None:
            new.append(ReviewItem(round=round_, content_type=ct, object_id=nomination.pk, **facts))
        elif any(getattr(item, f) != facts[f] for f in fields):
            for f in fields:
                setattr(item, f, facts[f])
            changed.append(item)
    with transaction.atomic():
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        if new:
            bulk_create_with_history(new, ReviewItem, batch_size=1000, default_user=by, default_change_reason="populate")
        if changed:
            bulk_update_with_history(changed, ReviewItem, list(fields), batch_size=1000, default_user=by,
                                     default_change_reason="refresh")
        from .conflicts import detect_conflicts

        detect_conflicts(round_=round_, by=by)
        if new and round_.phase == Round.Phase.SCORING:
            from .assignment import assign_late_items

            assign_late_items(round_=round_, by=by)
    return len(new), len(changed)


def open_scoring(*, round_, by, closes=None):
    """Assignment → scoring: every item has its N confirmed experts, the sheet has criteria, and a
    scoring deadline in the future is set (here or on the round)."""
    _require_office(by, obj=round_)
    closes = closes or round_.scoring_closes
    if closes is None:
        raise ValidationError(_("Set the scoring deadline."), code="no_deadline")
    if closes <= timezone.now():
        raise ValidationError(_("The scoring deadline must be in the future."), code="past_deadline")
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
        if current.phase != Round.Phase.ASSIGNMENT:
            raise TransitionNotAllowed(_("Scoring can only be opened from the assignment phase."), code="phase")
        if not Criterion.objects.filter(sheet__round=current).exists():
            raise ValidationError(_("The score sheet has no criteria yet."), code="no_criteria")
        if not current.items.exists():
            raise ValidationError(_("The round has no nominations."), code="empty")
        if Assignment.objects.filter(item__round=current, state=Assignment.State.PROPOSED).exists():
            raise ValidationError(_("Confirm the proposed assignment first."), code="unconfirmed")
        from .assignment import short_items

        short = short_items(current, states=(Assignment.State.CONFIRMED,))
        if short:
            raise ValidationError(
                _("These nominations have fewer than %(n)s confirmed experts: %(items)s")
                % {"n": current.experts_per_item, "items": "、".join(i.nominee_name for i in short[:20])},
                code="short",
            )
        current.phase = Round.Phase.SCORING
        current.scoring_opens = timezone.now()
        if closes is not None:
            current.scoring_closes = closes
        _save(current, by=by, reason="open_scoring")
    round_.refresh_from_db()
    return current


def minimum_reviews(round_):
    """The submitted reviews a nomination needs: the round's minimum, at most its experts per nomination."""
    return min(round_.min_reviews, round_.experts_per_item)


def close_checklist(round_):
    """What is still open in a scoring round: {"not_started", "incomplete", "pending_conflicts",
    "under_minimum"} (counts, and the items under the minimum), plus "open" (anything at all)."""
    from django.db.models import Count, Q

    from .queries import pending_conflicts

    live = Assignment.objects.filter(item__round=round_, state=Assignment.State.CONFIRMED)
    minimum = minimum_reviews(round_)
    under = list(
        ReviewItem.objects.filter(round=round_)
        .annotate(n=Count("assignments", filter=Q(assignments__state=Assignment.State.CONFIRMED,
                                                  assignments__progress=Assignment.Progress.SUBMITTED)))
        .filter(n__lt=minimum).order_by("nominee_name")
    )
    item_ids = list(round_.items.values_list("pk", flat=True))
    conflicts = pending_conflicts().filter(
        Q(nominee_uscc__in=round_.items.exclude(nominee_uscc="").values("nominee_uscc")) | Q(object_id__in=round_.items.values("object_id"))
    ) if item_ids else pending_conflicts().none()
    result = {
        "not_started": live.filter(progress=Assignment.Progress.TODO).count(),
        "incomplete": live.filter(progress=Assignment.Progress.DRAFT).count(),
        "pending_conflicts": conflicts.count(),
        "under_minimum": under,
        "minimum": minimum,
    }
    result["open"] = bool(result["not_started"] or result["incomplete"] or result["pending_conflicts"] or under)
    return result


def close_round(*, round_, by, confirm_open=False, reason=""):
    """Scoring → closed: experts can no longer score; the office sees everything and ranks.

    When the checklist has anything open (reviews not started or incomplete, pending conflicts,
    nominations under the minimum), closing needs `confirm_open` and a written reason, kept on the round.
    """
    _require_office(by, obj=round_)
    reason = (reason or "").strip()
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
        if current.phase != Round.Phase.SCORING:
            raise TransitionNotAllowed(_("Only a round in the scoring phase can be closed."), code="phase")
        checklist = close_checklist(current)
        if checklist["open"] and not (confirm_open and reason):
            raise ValidationError(
                _("Open points: %(not_started)s reviews not started, %(incomplete)s incomplete, %(conflicts)s pending "
                  "conflicts, %(under)s nominations under %(minimum)s reviews. Confirm and give a reason to close anyway.")
                % {"not_started": checklist["not_started"], "incomplete": checklist["incomplete"],
                   "conflicts": checklist["pending_conflicts"], "under": len(checklist["under_minimum"]),
                   "minimum": checklist["minimum"]},
                code="open_points",
            )
        current.phase = Round.Phase.CLOSED
        current.closed_at = timezone.now()
        current.close_reason = reason if checklist["open"] else ""
        _save(current, by=by, reason=f"close: {reason}" if checklist["open"] else "close")
    round_.refresh_from_db()
    return current


def reopen_scoring(*, round_, by, reason):
    """Closed → scoring again (before anything is published), with a reason."""
    _require_office(by, obj=round_)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    with transaction.atomic():
        current = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
        if current.phase != Round.Phase.CLOSED:
            raise TransitionNotAllowed(_("Only a closed round can be reopened."), code="phase")
        if current.results_confirmed_at or hasattr(current, "notice"):
            raise TransitionNotAllowed(_("The results have been published; the round cannot be reopened."), code="published")
        current.phase = Round.Phase.SCORING
        current.closed_at = None
        _save(current, by=by, reason=f"reopen: {reason}")
    round_.refresh_from_db()
    return current
