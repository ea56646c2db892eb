"""The cooperation list from the confirmed finance review round: quota, list, public index, digest."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from finance.domain import digests, partnerships
from finance.models import FinanceNomination, FinanceYear, Partnership
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.models import NominationState as S
from reviews.models import ReviewItem, Round
from tests import factories as core
from tests.reviews.factories import RoundFactory

from .factories import FinanceNominationFactory, InstitutionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return core.CycleFactory(year=2026)


def confirmed_round(cycle, n, bureau):
    round_ = RoundFactory(cycle=cycle, kind=Round.Kind.FINANCE)
    ct = ContentType.objects.get_for_model(FinanceNomination)
    institutions = []
    for rank in range(1, n + 1):
        nomination = FinanceNominationFactory(cycle=cycle, created_by=bureau, state=S.SELECTED,
                                              institution=InstitutionFactory(region=bureau.region))
        ReviewItem.objects.create(round=round_, content_type=ct, object_id=nomination.pk,
                                  nominee_name=nomination.institution.name, region=nomination.region, rank=rank,
                                  selected=True)
        institutions.append(nomination.institution)
    Round.objects.filter(pk=round_.pk).update(results_confirmed_at=timezone.now())
    return institutions


def test_list_from_round_within_quota_keeps_hand_entries(year, office, bureau):
    institutions = confirmed_round(year, 4, bureau)
    by_hand = PartnershipFactory(year=2026, added_by=office)
    partnerships.set_quota(cycle=year, quota=3, by=office)
    rows = partnerships.list_from_round(cycle=year, by=office)
    assert [r.institution for r in rows] == institutions[:3] and [r.rank for r in rows] == [1, 2, 3]
    assert Partnership.objects.filter(pk=by_hand.pk).exists()
    partnerships.set_quota(cycle=year, quota=2, by=office)
    partnerships.list_from_round(cycle=year, by=office)
    assert set(Partnership.objects.filter(year=2026, rank__isnull=False).values_list("institution", flat=True)) == {
        institutions[0].pk, institutions[1].pk}


def test_no_round_bad_quota_and_roles_refused(year, office, bureau, partner):
    with pytest.raises(ValidationError):
        partnerships.list_from_round(cycle=year, by=office)
    for quota in ("0", "x", None):
        with pytest.raises(ValidationError):
            partnerships.set_quota(cycle=year, quota=quota, by=office)
    for user in (bureau, partner):
        with pytest.raises(PermissionDenied):
            partnerships.list_from_round(cycle=year, by=user)
    assert not FinanceYear.objects.exists()


def test_digest_only_from_the_day_on_the_list(year, office, bureau):
    institutions = confirmed_round(year, 1, bureau)
    partnerships.list_from_round(cycle=year, by=office)
    Partnership.objects.update(added_at=timezone.make_aware(datetime.datetime(2026, 5, 10, 9)))
    assert list(partnerships.partners_for_year(2026, on=datetime.date(2026, 5, 9))) == []
    assert list(partnerships.partners_for_year(2026, on=datetime.date(2026, 5, 10))) == institutions
    made = digests.prepare_digests(cycle=year, on=datetime.date(2026, 5, 9))
    assert made == []


def test_list_on_the_public_index(client, year, office, bureau):
    institutions = confirmed_round(year, 1, bureau)
    partnerships.list_from_round(cycle=year, by=office)
    from reviews.domain import public_lists

    assert public_lists.PARTNERS in public_lists.confirmed_kinds_by_year()[2026]
    assert (institutions[0].name, institutions[0].region.name) in public_lists.confirmed_list(
        year=2026, kind=public_lists.PARTNERS)


def test_from_round_page_office_only(client_for, client, year, office, bureau, partner):
    confirmed_round(year, 2, bureau)
    url = reverse("finance:partnership_from_round")
    for user in (bureau, partner):
        assert client_for(user).post(url, {"quota": "1"}).status_code == 403
    assert client.post(url, {"quota": "1"}).status_code == 302 and not Partnership.objects.exists()
    r = client_for(office).post(url, {"quota": "1"})
    assert r.status_code == 302 and Partnership.objects.count() == 1
    r = client_for(office).post(url, {"quota": "abc"}, follow=True)
    assert r.status_code == 200 and Partnership.objects.count() == 1
