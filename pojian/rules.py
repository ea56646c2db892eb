"""Who may do what in the shared core. Each app's rules.py builds on these predicates."""

import rules

from .models import User


@rules.predicate
def is_office(user):
    return bool(user and user.is_authenticated and (user.role == User.Role.OFFICE or user.is_superuser))


@rules.predicate
def is_bureau(user):
    return bool(user and user.is_authenticated and user.role == User.Role.BUREAU and user.region_id)


@rules.predicate
def is_expert(user):
    return bool(user and user.is_authenticated and user.role == User.Role.EXPERT)


@rules.predicate
def is_partner(user):
    return bool(user and user.is_authenticated and user.role == User.Role.PARTNER)


@rules.predicate
def is_county(user):
    """A county bureau (县(市、区)科技部门) account, bound to one county-level division."""
    return bool(user and user.is_authenticated and user.role == User.Role.COUNTY and user.region_id)


def _region_of(obj):
    """(region id, the region's city id) of a Region or of anything with a region (and maybe a county)."""
    from .models import Region

    if isinstance(obj, Region):
        return obj.pk, obj.city_id
    county_id = getattr(obj, "county_id", None)
    if county_id:
        county = getattr(obj, "county", None)
        return county_id, getattr(county, "parent_id", None)
    region_id = getattr(obj, "region_id", None)
    return region_id, region_id


@rules.predicate
def is_own_county(user, obj):
    """The object (a Region, or anything with a county or region) is the county bureau's own county."""
    if obj is None or not is_county(user):
        return False
    region_id, _city = _region_of(obj)
    return region_id is not None and region_id == user.region_id


@rules.predicate
def is_city_of_county(user, obj):
    """A city bureau and a county (or something of a county) under its city."""
    if obj is None or not is_bureau(user):
        return False
    from .models import Region

    if isinstance(obj, Region):
        return obj.parent_id is not None and obj.parent_id == user.region_id
    _region, city_id = _region_of(obj)
    return city_id is not None and city_id == user.region_id


@rules.predicate
def is_own_region(user, obj):
    """The object (anything with a region_id, or a Region) belongs to the bureau's region."""
    if obj is None or not is_bureau(user):
        return False
    region_id = obj.pk if obj.__class__.__name__ == "Region" else getattr(obj, "region_id", None)
    return region_id is not None and region_id == user.region_id


@rules.predicate
def is_region_bureau(user, obj):
    return is_bureau(user) and is_own_region(user, obj)


@rules.predicate
def cycle_is_open(user, obj):
    cycle = getattr(obj, "cycle", None)
    return cycle is not None and not cycle.is_closed


rules.add_perm("pojian.view_office_pages", is_office)
rules.add_perm("pojian.view_health", is_office)
rules.add_perm("pojian.view_download_audit", is_office)
rules.add_perm("pojian.view_region", is_office | is_own_region | is_own_county | is_city_of_county)
# A county's page (its figures): the office, the county's bureau and its city's bureau.
rules.add_perm("pojian.view_county", is_office | is_own_county | is_city_of_county)

# The shared nomination transitions; the workflow table names these.
rules.add_perm("pojian.submit_nomination", is_region_bureau & cycle_is_open)
rules.add_perm("pojian.withdraw_nomination", is_region_bureau & cycle_is_open)
rules.add_perm("pojian.edit_nomination", is_region_bureau & cycle_is_open)
rules.add_perm("pojian.decide_nomination", is_office & cycle_is_open)


@rules.predicate
def is_job_requester(user, job):
    return job is not None and user.is_authenticated and job.created_by_id == user.pk


rules.add_perm("pojian.view_job", is_office | is_job_requester)

# The working-day calendar (holidays and 调休): the office reads and edits it.
rules.add_perm("pojian.view_calendar", is_office)
rules.add_perm("pojian.edit_calendar", is_office)
# Each signed-in user manages their own sign-in: second factor, backup codes, recent sign-ins.
rules.add_perm("pojian.manage_own_account", rules.is_authenticated & rules.is_active)
# The office opens the programme year and edits its window and quotas in the portal.
rules.add_perm("pojian.manage_cycle", is_office)
