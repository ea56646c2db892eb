"""Read-only helpers for the pages. Experts get their own confirmed, non-conflicted assignments in
rounds that are in the scoring phase, and their own review — never another expert's."""

from django.db.models import Count, Exists, OuterRef, Q

from ..models import Assignment, Conflict, Expert, Review, ReviewItem, Round


def expert_for(user):
    """The active Expert record linked to this user account, or None."""
    if not (user and user.is_authenticated):
        return None
    return Expert.objects.filter(user=user, active=True).first()


def _blocking_for_assignment():
    return Conflict.objects.filter(expert_id=OuterRef("expert_id"), status__in=Conflict.BLOCKING).filter(
        (Q(nominee_uscc=OuterRef("item__nominee_uscc")) & ~Q(nominee_uscc=""))
        | Q(content_type_id=OuterRef("item__content_type_id"), object_id=OuterRef("item__object_id"))
    )


def assignments_for_expert(user, round_=None):
    """The expert's confirmed assignments in rounds being scored, without conflicted nominees."""
    expert = expert_for(user)
    if expert is None:
        return Assignment.objects.none()
    qs = Assignment.objects.filter(
        expert=expert, state=Assignment.State.CONFIRMED, item__round__phase=Round.Phase.SCORING
    )
    if round_ is not None:
        qs = qs.filter(item__round=round_)
    return (
        qs.exclude(Exists(_blocking_for_assignment()))
        .select_related("item__round__cycle", "item__region", "review")
        .order_by("item__round_id", "progress", "item__nominee_name", "pk")
    )


def items_for_expert(user, round_):
    """The ReviewItems this expert may open in the round (see assignments_for_expert)."""
    return ReviewItem.objects.filter(pk__in=assignments_for_expert(user, round_).values("item_id")).order_by("nominee_name", "pk")


def rounds_for_expert(user):
    return Round.objects.filter(pk__in=assignments_for_expert(user).values("item__round_id")).select_related("cycle")


def review_for(assignment):
    """This assignment's own review (with its scores), or None. Never another expert's."""
    return Review.objects.filter(assignment=assignment).prefetch_related("scores__criterion").first()


def progress_for_expert(user, round_=None):
    """{"total", "submitted", "draft", "todo"} of the expert's visible assignments."""
    counts = dict(assignments_for_expert(user, round_).order_by().values("progress").annotate(n=Count("pk")).values_list("progress", "n"))
    submitted = counts.get(Assignment.Progress.SUBMITTED, 0)
    draft = counts.get(Assignment.Progress.DRAFT, 0)
    todo = counts.get(Assignment.Progress.TODO, 0)
    return {"total": submitted + draft + todo, "submitted": submitted, "draft": draft, "todo": todo}


def round_progress(round_):
    """For the office: {"items", "assignments", "submitted", "draft", "todo", "proposed"} of a round."""
    live = Assignment.objects.filter(item__round=round_).exclude(state=Assignment.State.WITHDRAWN)
    counts = dict(live.order_by().values("progress").annotate(n=Count("pk")).values_list("progress", "n"))
    return {
        "items": round_.items.count(),
        "assignments": sum(counts.values()),
        "submitted": counts.get(Assignment.Progress.SUBMITTED, 0),
        "draft": counts.get(Assignment.Progress.DRAFT, 0),
        "todo": counts.get(Assignment.Progress.TODO, 0),
        "proposed": live.filter(state=Assignment.State.PROPOSED).count(),
    }


def reviews_of_item(item):
    """For the office only (permission reviews.view_scores): every live review of an item."""
    return (
        Review.objects.filter(assignment__item=item)
        .exclude(assignment__state=Assignment.State.WITHDRAWN)
        .select_related("assignment__expert")
        .prefetch_related("scores__criterion")
        .order_by("assignment__expert__name")
    )


def pending_conflicts():
    return Conflict.objects.filter(status=Conflict.Status.PENDING).select_related("expert")


def selected_items(round_):
    from .ranking import order_items

    return order_items(ReviewItem.objects.filter(round=round_, selected=True).select_related("region"))
