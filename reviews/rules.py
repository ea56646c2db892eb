"""Who may do what in the expert review.

Experts: only their own CONFIRMED assignments, only while the round is in the scoring phase,
never when they have a blocking conflict with the nominee (pending or confirmed), and scoring
only until they submit (the office can reopen). They never see other experts' scores: no
permission here grants an expert anything on another expert's assignment or review.
The office does everything else. A bureau sees the outcome of its own region's nominations once
the results are confirmed. The public notice (公示) is public.
"""

import rules

from pojian.rules import is_bureau, is_expert, is_office, is_own_region


def _expert_id(user):
    if not is_expert(user):
        return None
    cached = getattr(user, "_reviews_expert_id", None)  # only a found id is cached (per user object)
    if cached is None:
        from .models import Expert

        cached = Expert.objects.filter(user=user, active=True).values_list("pk", flat=True).first()
        if cached is not None:
            user._reviews_expert_id = cached
    return cached


def _is_assignment(obj):
    from .models import Assignment

    return isinstance(obj, Assignment)


def _is_item(obj):
    from .models import ReviewItem

    return isinstance(obj, ReviewItem)


@rules.predicate
def is_own_assignment(user, assignment):
    """The assignment is this expert's, and it is confirmed (not proposed, not withdrawn)."""
    expert_id = _expert_id(user)
    return bool(
        expert_id and _is_assignment(assignment) and assignment.expert_id == expert_id
        and assignment.state == assignment.State.CONFIRMED
    )


@rules.predicate
def is_live_own_assignment(user, assignment):
    """This expert's assignment, proposed or confirmed (a withdrawn one is gone)."""
    expert_id = _expert_id(user)
    return bool(
        expert_id and _is_assignment(assignment) and assignment.expert_id == expert_id
        and assignment.state != assignment.State.WITHDRAWN
    )


def _round_of(obj):
    """The review round of a round, an item or an assignment (None for anything else)."""
    if _is_assignment(obj):
        return obj.item.round
    if _is_item(obj):
        return obj.round
    return obj if hasattr(obj, "is_closed") else None


@rules.predicate
def round_in_scoring(user, obj):
    round_ = _round_of(obj)
    return bool(round_ is not None and round_.is_scoring)


@rules.predicate
def round_not_closed(user, obj):
    round_ = _round_of(obj)
    return bool(round_ is not None and not round_.is_closed)


@rules.predicate
def round_closed(user, obj):
    """The round (of a round, item or assignment) is closed: only then are the scores anyone's to see."""
    round_ = _round_of(obj)
    return bool(round_ is not None and round_.is_closed)


@rules.predicate
def is_conflicted(user, obj):
    """The user's expert record has a blocking conflict with this assignment's / item's nominee."""
    from .domain.conflicts import is_conflicted as conflicted

    expert_id = _expert_id(user)
    if not expert_id:
        return False
    item = obj.item if _is_assignment(obj) else obj if _is_item(obj) else None
    return item is not None and conflicted(expert_id=expert_id, item=item)


@rules.predicate
def is_submitted(user, assignment):
    return _is_assignment(assignment) and assignment.is_submitted


@rules.predicate
def has_confirmed_assignment(user, item):
    """The expert has a confirmed assignment on this item."""
    from .models import Assignment

    expert_id = _expert_id(user)
    return bool(
        expert_id and _is_item(item)
        and Assignment.objects.filter(item=item, expert_id=expert_id, state=Assignment.State.CONFIRMED).exists()
    )


@rules.predicate
def results_confirmed(user, obj):
    round_ = obj.round if _is_item(obj) else obj
    return bool(round_ is not None and getattr(round_, "results_confirmed_at", None))


@rules.predicate
def notice_published(user, obj):
    from django.utils import timezone

    notice = getattr(obj, "notice", obj) if obj is not None else None
    return bool(notice is not None and getattr(notice, "starts", None) and notice.starts <= timezone.localdate())


expert_may_see_assignment = is_own_assignment & round_in_scoring & ~is_conflicted
expert_may_see_item = has_confirmed_assignment & round_in_scoring & ~is_conflicted

# The expert's side (object: Assignment, or ReviewItem for view_item).
rules.add_perm("reviews.view_expert_dashboard", is_expert)
rules.add_perm("reviews.view_assignment", expert_may_see_assignment)
rules.add_perm("reviews.score_assignment", expert_may_see_assignment & ~is_submitted)
rules.add_perm("reviews.declare_conflict", is_live_own_assignment & round_not_closed & ~is_conflicted)
rules.add_perm("reviews.view_item", is_office | expert_may_see_item)
# The expert's own submitted reviews stay readable (read-only) in every phase, also after closing.
rules.add_perm("reviews.view_finished_review", is_own_assignment & is_submitted & ~is_conflicted)

# The office's side (object: Round, ReviewItem, Assignment, Conflict, Objection or none).
for _perm in (
    "manage_rounds", "manage_experts", "import_experts", "manage_conflicts", "manage_assignments",
    "reopen_review", "rank_round", "select", "override_selection", "publish_notice",
    "record_objection", "decide_objection", "confirm_results", "export_results",
    # Score sheets (评分表): list a year's, edit a round's while it is open, copy one (reviews.domain.sheets).
    "manage_sheets",
    # Acceptance rounds (验收): create one for projects due, decide outcomes, confirm them onto the projects.
    "manage_acceptance",
):
    rules.add_perm(f"reviews.{_perm}", is_office)

# Every expert's scores and the aggregates: the office's, and only once the round is closed (the
# issue's phases: while experts score, the office sees progress, never scores). Object: a Round,
# ReviewItem or Assignment; without one it is refused.
rules.add_perm("reviews.view_scores", is_office & round_closed)

# A bureau: its own region's outcomes once confirmed (object: ReviewItem).
rules.add_perm("reviews.view_outcome", is_office | (is_bureau & is_own_region & results_confirmed))

# The 公示 is public once it has started (object: PublicNotice or Round).
rules.add_perm("reviews.view_public_notice", is_office | notice_published)
