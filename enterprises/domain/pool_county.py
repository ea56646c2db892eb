"""The county (县(市、区)) of each pool entry, where the portal knows it.

An entry's county is the enterprise's region when that is a county-level division (its `region` then is
the county's city, so the city's pool keeps it), else the county whose bureau prepared the enterprise's
latest nomination for that city. `pool.enter` calls `update_counties` for each chunk it enters or
refreshes; a county's forwarded or new nomination reaches it through the pool's refresh on commit.

    update_counties(enterprise_ids)   set `county` (and a county's city as `region`) for these entries
    scope(user)                       {"region_id", "county_id"}: what a user's pool pages are limited to
"""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from pojian.models import NominationState, Region, User

from ..models import Enterprise, EnterpriseNomination, PoolEntry


def update_counties(enterprise_ids):
    """Set the county of these enterprises' pool entries (two UPDATE statements). Returns the rows updated."""
    entries = PoolEntry.objects.filter(enterprise_id__in=list(enterprise_ids))
    # An entry copied a county as its region: the region becomes the county's city.
    entries.filter(region__kind=Region.Kind.COUNTY).update(
        region_id=Subquery(Region.objects.filter(pk=OuterRef("region_id")).values("parent_id")[:1]))
    registered_in = Enterprise.objects.filter(pk=OuterRef("enterprise_id"), region__kind=Region.Kind.COUNTY)
    nominated_by = (
        EnterpriseNomination.objects.filter(enterprise_id=OuterRef("enterprise_id"), county__isnull=False,
                                            county__parent_id=OuterRef("region_id"))
        .exclude(state=NominationState.WITHDRAWN)
        .order_by("-cycle__year", "-pk")
    )
    return entries.update(county_id=Coalesce(Subquery(registered_in.values("region_id")[:1]),
                                             Subquery(nominated_by.values("county_id")[:1])))


def scope(user):
    """The part of the pool a user's pages show: everything for the office, a city bureau its region's,
    a county bureau its county's."""
    if user.has_perm("pojian.view_office_pages"):
        return {"region_id": None, "county_id": None}
    if user.role == User.Role.COUNTY:
        return {"region_id": None, "county_id": user.region_id}
    return {"region_id": user.region_id, "county_id": None}
