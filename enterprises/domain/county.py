"""County → city → province: a county bureau (县(市、区)科技部门) prepares an enterprise nomination,
forwards it to its city bureau, which returns it to the county or submits it to the province.

The nomination belongs to the city (its `region`) from the start, with its `county`; while the
county prepares it (`with_county`), the county edits it and the city sees it but cannot edit or
submit it. Creation and editing are `enterprises.domain.nominations`' (the county's permissions are
in rules.py); this module holds the two steps between county and city and the submit guard.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain import workflow as shared
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.domain.notifications import notify, region_bureau_users
from pojian.models import User

from ..models import Enterprise, EnterpriseNomination


def _county_users(county_id):
    return User.objects.filter(role=User.Role.COUNTY, region_id=county_id, is_active=True)


def _locked(nomination, expected_version):
    current = EnterpriseNomination.objects.select_for_update(of=("self",)).select_related(
        "cycle", "county", "enterprise").get(pk=nomination.pk)
    if expected_version is not None and current.version != int(expected_version):
        raise StaleEdit(_("Someone else changed this nomination in the meantime. Reload the page."), code="stale")
    return current


def _save(current, *, by, reason):
    current.version += 1
    current._history_user = by
    current._change_reason = reason
    current.save()


def forward_to_city(nomination, *, by, expected_version=None):
    """The county bureau forwards its prepared nomination to its city bureau."""
    with transaction.atomic():
        current = _locked(nomination, expected_version)
        if not by.has_perm("enterprises.forward_to_city", current):
            raise PermissionDenied(_("Only the county bureau that prepares this nomination can forward it, "
                                     "while it is a draft or returned and the year is open."))
        current.county_forwarded_at = timezone.now()
        current.state_reason = ""
        _save(current, by=by, reason="forward to city")
        notify(
            region_bureau_users(current.region_id),
            subject=_("Nomination forwarded by %(county)s: %(name)s") % {
                "county": current.county.name, "name": current.enterprise.name},
            url=reverse("enterprises:bureau_nomination", args=[current.pk]), by=by,
            next_step=_("Check it, then submit it to the provincial office or return it to the county."),
        )
    nomination.county_forwarded_at, nomination.version = current.county_forwarded_at, current.version
    return current


def return_to_county(nomination, *, by, reason, expected_version=None):
    """The city bureau returns a forwarded county nomination to its county, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    with transaction.atomic():
        current = _locked(nomination, expected_version)
        if not by.has_perm("enterprises.return_to_county", current):
            raise PermissionDenied(_("Only the city bureau can return a county's forwarded nomination, before "
                                     "it is submitted to the province."))
        current.county_forwarded_at = None
        current.state_reason = reason
        _save(current, by=by, reason=f"return to county: {reason}")
        notify(
            _county_users(current.county_id),
            subject=_("Nomination returned by the city bureau: %(name)s") % {"name": current.enterprise.name},
            body=reason, by=by,
            next_step=_("Correct the nomination as asked and forward it to the city bureau again."),
        )
    nomination.county_forwarded_at, nomination.version = None, current.version
    return current


def check_forwarded(current, by):
    """Submit guard: a county's nomination goes to the province only after the county forwarded it."""
    if current.with_county:
        raise ValidationError(
            _("%(county)s has not forwarded this nomination to the city bureau yet.") % {"county": current.county.name},
            code="with_county",
        )


# --- who sees and nominates what ---------------------------------------------------------------


def acts_for_county(user):
    """The user is a county bureau (prepares its county's nominations for its city)."""
    return user.is_authenticated and user.role == User.Role.COUNTY and user.region_id is not None


def nominating_region(user):
    """The nominating unit a bureau's nomination belongs to: a county's city, or the city bureau's own region."""
    return user.region.parent if acts_for_county(user) else user.region


def county_enterprises(county):
    """The enterprises a county bureau may nominate: those registered in the county, and those of its city
    that no other county has nominated (an enterprise one county prepared stays that county's)."""
    claimed = EnterpriseNomination.objects.filter(enterprise=OuterRef("pk"), county__isnull=False).exclude(county=county)
    return Enterprise.objects.filter(Q(region=county) | Q(region_id=county.parent_id)).filter(~Exists(claimed))


def nominable_enterprises(user):
    """The register a bureau nominates from: a county's (county_enterprises), a city bureau's own region's."""
    if acts_for_county(user):
        return county_enterprises(user.region)
    return Enterprise.objects.filter(region_id=user.region_id)


def check_county_enterprise(county, enterprise):
    """create_nomination's guard for a county bureau: the enterprise is the county's (county_enterprises)."""
    if enterprise.region_id not in (county.pk, county.parent_id) or (
        enterprise.pk and not county_enterprises(county).filter(pk=enterprise.pk).exists()
    ):
        raise PermissionDenied(_("You can nominate only enterprises of your own county."))


def visible_nominations(user, cycle):
    """A bureau's list of the year's enterprise nominations: a county's own, a city's all (its counties' too)."""
    qs = EnterpriseNomination.objects.filter(cycle=cycle)
    if acts_for_county(user):
        return qs.filter(county_id=user.region_id)
    return qs.filter(region_id=user.region_id)


def counties_of(user):
    """The counties whose nominations the user may filter by: a city bureau's, every county for the office."""
    from pojian.models import Region

    qs = Region.objects.counties().order_by("parent__sort_order", "code")
    if user.has_perm("pojian.view_office_pages"):
        return qs
    if acts_for_county(user):
        return qs.filter(pk=user.region_id)
    return qs.filter(parent_id=user.region_id)


def offered_actions(nomination, actions):
    """The transition buttons without "submit" while the county still prepares the nomination (check_forwarded)."""
    if not nomination.with_county:
        return actions
    return [t for t in actions if t.action != "submit"]


def register():
    shared.add_guard(EnterpriseNomination, "submit", check_forwarded)
