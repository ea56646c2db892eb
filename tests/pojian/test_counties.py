"""Counties (县(市、区)) under their cities, the county bureau role, and the nominating units unchanged."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pojian.models import Region, User
from tests import factories


@pytest.mark.django_db
def test_counties_loaded_under_their_cities_with_codes():
    assert Region.objects.counties().count() == 59
    assert Region.objects.get(code="220184").parent.name == "长春市"  # 公主岭市 under 长春 since 2020
    assert Region.objects.get(code="222401").parent.code == "222400"
    assert Region.objects.filter(parent__code="220100").count() == 11
    # 梅河口 stays a nominating unit of its own, not a county under 通化.
    assert Region.objects.get(code="220581").kind == Region.Kind.DIRECT_CITY
    assert Region.objects.filter(parent__code="220500").count() == 6


@pytest.mark.django_db
def test_nominating_units_are_the_thirteen_without_counties():
    units = Region.objects.nominating()
    assert units.count() == 13
    assert not units.filter(kind=Region.Kind.COUNTY).exists()


@pytest.mark.django_db
def test_a_county_needs_a_city_and_a_city_has_none():
    city = Region.objects.get(code="220100")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="229999", name="无上级县", kind="county", bureau_name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="229998", name="有上级市", kind="city", bureau_name="x", parent=city)


@pytest.mark.django_db
def test_county_account_must_belong_to_a_county():
    user = User(username="c1", role=User.Role.COUNTY)
    with pytest.raises(ValidationError):
        user.clean()
    user.region = Region.objects.get(code="220100")
    with pytest.raises(ValidationError):
        user.clean()
    user.region = Region.objects.get(code="220102")
    user.clean()
    bureau = User(username="b1", role=User.Role.BUREAU, region=Region.objects.get(code="220102"))
    with pytest.raises(ValidationError):
        bureau.clean()


@pytest.mark.django_db
def test_county_rules(county, other_county, bureau, other_bureau, office, expert):
    nanguan = county.region
    assert county.has_perm("pojian.view_county", nanguan)
    assert bureau.has_perm("pojian.view_county", nanguan)  # 长春 sees its county
    assert office.has_perm("pojian.view_county", nanguan)
    assert not other_bureau.has_perm("pojian.view_county", nanguan)  # 吉林 does not
    assert not other_county.has_perm("pojian.view_county", nanguan)  # nor a county of another city
    assert not expert.has_perm("pojian.view_county", nanguan)
    # A county is not a city bureau: none of the nominating permissions.
    assert not county.has_perm("pojian.view_office_pages")
    assert not county.has_perm("enterprises.add_nomination")
    # A county bureau does not see its city as its own, nor another county of its city.
    assert not county.has_perm("pojian.view_county", Region.objects.get(code="220103"))


@pytest.mark.django_db
def test_county_factory_sits_in_nanguan():
    user = factories.CountyFactory()
    assert user.region.code == "220102" and user.region.parent.code == "220100"
