"""Enterprise cards on the home page and menu entries, per role (see pojian/panels.py)."""

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from pojian.models import NominationState

from .models import EnterpriseNomination


def bureau_summary(region_id, cycle, *, county=False):
    """The region's (or, county=True, the county's) nominations of the year by state and by verdict, in one query."""
    rows = (
        EnterpriseNomination.objects.filter(cycle=cycle, **({"county_id": region_id} if county else {"region_id": region_id}))
        .values("state")
        .annotate(
            n=Count("pk"),
            eligible=Count("pk", filter=Q(verdict__eligible=True)),
            failed=Count("pk", filter=Q(verdict__eligible=False)),
        )
        .order_by()
    )
    by_state = {r["state"]: r for r in rows}
    live = [r for state, r in by_state.items() if state != NominationState.WITHDRAWN]
    total = sum(r["n"] for r in live)
    eligible = sum(r["eligible"] for r in live)
    failed = sum(r["failed"] for r in live)
    return {
        "year": cycle.year,
        "open": not cycle.is_closed,
        "states": [
            {"state": code, "label": label, "count": by_state[code]["n"]}
            for code, label in NominationState.choices if code in by_state
        ],
        "total": total,
        "eligible": eligible,
        "failed": failed,
        "unchecked": total - eligible - failed,
    }


def _office_module():
    try:
        from .views import office
    except ImportError:
        return None
    return office


def home_panels(request, cycle):
    user = request.user
    if cycle is None or not user.is_authenticated:
        return []
    if user.has_perm("enterprises.list_own_nominations"):
        county = not user.has_perm("enterprises.list_region_nominations")
        return [{"template": "enterprises/bureau_panel.html", "can_import": not county,
                 **bureau_summary(user.region_id, cycle, county=county)}]
    office = _office_module()
    if office is not None and hasattr(office, "office_panels"):
        try:
            return office.office_panels(request, cycle)
        except NoReverseMatch:
            return []
    return []


def nav_items(user):
    if not user.is_authenticated:
        return []
    return _nomination_nav_items(user) + pool_nav_items(user)


def pool_nav_items(user):
    """The cultivation pool (培育库): the office's whole pool, a bureau's own region's."""
    if not user.has_perm("enterprises.view_pool_pages"):
        return []
    return [(_("Cultivation pool"), reverse("enterprises:pool"))]


def _nomination_nav_items(user):
    if user.has_perm("enterprises.list_own_nominations"):
        return [(_("Enterprise nominations"), reverse("enterprises:bureau_nominations"))]
    office = _office_module()
    if office is not None and hasattr(office, "office_nav_items"):
        try:
            return office.office_nav_items(user)
        except NoReverseMatch:
            return []
    return []
