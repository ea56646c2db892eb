"""The rules walk for the county role: every permission that takes a county's object, asked of each role.

A county bureau sees only its own county (not its city's own, not a neighbour county of its city); its city
bureau sees its counties; another city's bureau, a county of another city, an expert and an anonymous
visitor are refused. The objects: the county itself, a nomination the county prepared, its pool entry.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from enterprises.models import PoolEntry
from pojian.models import Region
from tests import factories
from tests.enterprises import factories as ef

# permission → the roles that hold it on the county's object ("county": its own bureau, "city": its city's).
COUNTY_OBJECT = {
    "pojian.view_county": {"county", "city", "office"},
    "pojian.view_region": {"county", "city", "office"},
    "reports.view_county_dashboard": {"county", "city", "office"},
    "assessment.view_county_result": {"county", "city", "office"},
}
NOMINATION = {
    "enterprises.view_nomination": {"county", "city", "office"},
    "enterprises.change_nomination": {"county"},  # while the county prepares it
    "enterprises.forward_to_city": {"county"},
    "enterprises.return_to_county": set(),  # not forwarded yet
}
FORWARDED = {
    "enterprises.view_nomination": {"county", "city", "office"},
    "enterprises.change_nomination": {"city"},
    "enterprises.forward_to_city": set(),
    "enterprises.return_to_county": {"city"},
}
POOL_ENTRY = {
    "enterprises.view_pool_entry": {"county", "city", "office"},
    "enterprises.change_pool_entry": {"office"},
}


@pytest.fixture
def roles(county, other_county, bureau, other_bureau, office, expert):
    neighbour = factories.CountyFactory(username="county-kc", region=factories.region("220103"))
    return {"county": county, "neighbour": neighbour, "other_county": other_county, "city": bureau,
            "other_city": other_bureau, "office": office, "expert": expert, "anonymous": AnonymousUser()}


def walk(roles, table, obj):
    wrong = []
    for perm, holders in table.items():
        for role, user in roles.items():
            if user.has_perm(perm, obj) != (role in holders):
                wrong.append((perm, role))
    return wrong


@pytest.mark.django_db
def test_county_object_rules(roles, county):
    assert walk(roles, COUNTY_OBJECT, county.region) == []
    # Its city is not the county's to see as a county page; a neighbour county is not either.
    assert not county.has_perm("pojian.view_county", Region.objects.get(code="220103"))
    assert not county.has_perm("pojian.view_region", county.region.parent)


@pytest.mark.django_db
def test_county_nomination_rules(roles, county, bureau, cycle):
    n = ef.EnterpriseNominationFactory(cycle=cycle, enterprise=ef.EnterpriseFactory(region=bureau.region),
                                       county=county.region, created_by=county)
    assert walk(roles, NOMINATION, n) == []
    from django.utils import timezone

    n.county_forwarded_at = timezone.now()
    n.save()
    assert walk(roles, FORWARDED, n) == []


@pytest.mark.django_db
def test_county_pool_entry_rules(roles, county, bureau):
    enterprise = ef.EnterpriseFactory(region=bureau.region)
    entry = PoolEntry.objects.create(enterprise=enterprise, region=bureau.region, county=county.region,
                                     entered_on="2026-01-01", entered_via="nomination")
    assert walk(roles, POOL_ENTRY, entry) == []
    # The city's own entry (no county): not the county's.
    own = PoolEntry.objects.create(enterprise=ef.EnterpriseFactory(region=bureau.region), region=bureau.region,
                                   entered_on="2026-01-01", entered_via="nomination")
    assert not county.has_perm("enterprises.view_pool_entry", own)
    assert bureau.has_perm("enterprises.view_pool_entry", own)


@pytest.mark.django_db
def test_county_pages_without_objects(roles):
    """The list pages' permissions: a county has its own nominations, pool and standing; not the city's tools."""
    expected = {
        "enterprises.list_own_nominations": {"county", "neighbour", "other_county", "city", "other_city"},
        "enterprises.start_nomination": {"county", "neighbour", "other_county", "city", "other_city"},
        "enterprises.import_nominations": {"city", "other_city"},
        "enterprises.list_region_nominations": {"city", "other_city"},
        "enterprises.view_pool_pages": {"county", "neighbour", "other_county", "city", "other_city", "office"},
        "enterprises.view_pool": {"city", "other_city", "office"},  # the API's pool: not a county's
        "enterprises.view_cohorts": {"city", "other_city", "office"},
        "assessment.view_my_county": {"county", "neighbour", "other_county"},
        "assessment.manage_assessment": {"office"},
    }
    assert walk(roles, expected, None) == []
