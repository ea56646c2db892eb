import pytest

from pojian import rules as r
from tests import factories


@pytest.mark.django_db
def test_role_predicates_each_role_only_its_own(office, bureau, expert, partner):
    cases = {r.is_office: office, r.is_bureau: bureau, r.is_expert: expert, r.is_partner: partner}
    for predicate, holder in cases.items():
        for user in (office, bureau, expert, partner):
            assert predicate(user) is (user is holder), (predicate, user)


@pytest.mark.django_db
def test_role_predicates_anonymous_has_none():
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not any(p(anon) for p in (r.is_office, r.is_bureau, r.is_expert, r.is_partner))


@pytest.mark.django_db
def test_superuser_counts_as_office():
    admin = factories.UserFactory(username="root", is_superuser=True)
    assert r.is_office(admin)


@pytest.mark.django_db
def test_view_region_own_region_only(bureau, other_bureau, office, expert):
    changchun = factories.region("220100")
    assert bureau.has_perm("pojian.view_region", changchun)
    assert not other_bureau.has_perm("pojian.view_region", changchun)
    assert office.has_perm("pojian.view_region", changchun)
    assert not expert.has_perm("pojian.view_region", changchun)


@pytest.mark.django_db
def test_bureau_without_region_is_refused_by_the_database():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        factories.UserFactory(username="lost", role="bureau", region=None)
