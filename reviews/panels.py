"""Home-page cards and menu entries of the expert review (see pojian/panels.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from pojian.rules import is_bureau, is_expert, is_office

from .domain import queries
from .models import ReviewItem, Round

EXPERT_CARD_ROWS = 10


def home_panels(request, cycle):
    user = request.user
    if is_expert(user):
        return _expert_panels(user)
    if is_bureau(user):
        return _bureau_panels(user, cycle)
    if is_office(user):
        return _office_panels(cycle)
    return []


def _expert_panels(user):
    assignments = list(queries.assignments_for_expert(user))
    if not assignments:
        return []
    return [{
        "template": "reviews/panel_expert.html",
        "assignments": assignments[:EXPERT_CARD_ROWS],
        "more": max(0, len(assignments) - EXPERT_CARD_ROWS),
        "progress": queries.progress_for_expert(user),
    }]


def _bureau_panels(user, cycle):
    """The outcome of the bureau's region's nominations, once the office has confirmed the results."""
    if cycle is None:
        return []
    items = (
        ReviewItem.objects.filter(round__cycle=cycle, region_id=user.region_id, round__results_confirmed_at__isnull=False)
        .exclude(round__kind="acceptance")  # 验收 outcomes are on the bureau's project pages, not a selection
        .select_related("round__cycle")
        .order_by("round__kind", "-selected", "nominee_name")
    )
    items = [i for i in items if user.has_perm("reviews.view_outcome", i)]
    if not items:
        return []
    return [{
        "template": "reviews/panel_bureau.html",
        "items": items,
        "selected": sum(1 for i in items if i.selected),
    }]


def _office_panels(cycle):
    if cycle is None:
        return []
    rounds = list(Round.objects.filter(cycle=cycle).select_related("cycle", "notice"))
    return [{
        "template": "reviews/panel_office.html",
        "rounds": rounds,
        "pending_conflicts": queries.pending_conflicts().count(),
    }]


def nav_items(user):
    if is_office(user):
        return [(_("Expert review"), reverse("reviews:office_rounds")), (_("Working-day calendar"), reverse("calendar"))]
    if is_expert(user):
        return [(_("My reviews"), reverse("reviews:expert_dashboard"))]
    if is_bureau(user):
        return [(_("Public notices"), reverse("reviews:public_notices"))]
    return []
