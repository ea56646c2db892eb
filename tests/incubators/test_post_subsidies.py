"""The post-subsidy list: marking from accepted / selected nominations, rolling history, publication."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incubators.domain import post_subsidies
from incubators.models import PostSubsidy, PostSubsidyPublication
from pojian.models import NominationState as S
from pojian.models import Notification

from .factories import IncubatorFactory, PostSubsidyFactory, complete_nomination

pytestmark = pytest.mark.django_db


def test_office_marks_an_accepted_nomination_with_an_amount(office, bureau, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau, state=S.ACCEPTED)
    subsidy = post_subsidies.mark_supported(nomination=nomination, amount="500000.00", by=office, notes="评审通过")
    assert subsidy.amount == Decimal("500000.00") and isinstance(subsidy.amount, Decimal)
    assert subsidy.year == cycle.year and subsidy.decided_by == office and subsidy.nomination == nomination
    last = subsidy.history.first()
    assert last.history_user == office and last.history_change_reason == "mark: 500000.00"
    assert Notification.objects.filter(user=bureau).exists()
    # Marking again changes the amount, audited, still one row.
    post_subsidies.mark_supported(nomination=nomination, amount=Decimal("600000"), by=office)
    assert PostSubsidy.objects.get().amount == Decimal("600000.00")
    assert PostSubsidy.history.count() == 2


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.REJECTED, S.WITHDRAWN, S.NOT_SELECTED])
def test_only_accepted_or_selected_nominations_can_be_marked(office, cycle, state):
    nomination = complete_nomination(cycle=cycle, state=state)
    with pytest.raises(ValidationError):
        post_subsidies.mark_supported(nomination=nomination, amount="1000", by=office)
    assert not PostSubsidy.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234", "NaN", "Infinity"])
def test_bad_amounts_refused(office, cycle, amount):
    nomination = complete_nomination(cycle=cycle, state=S.SELECTED)
    with pytest.raises(ValidationError):
        post_subsidies.mark_supported(nomination=nomination, amount=amount, by=office)


def test_only_the_office_marks(bureau, expert, partner, cycle):
    nomination = complete_nomination(cycle=cycle, created_by=bureau, state=S.ACCEPTED)
    for user in (bureau, expert, partner):
        with pytest.raises(PermissionDenied):
            post_subsidies.mark_supported(nomination=nomination, amount="1000", by=user)


def test_history_across_years_on_the_page(client_for, office, cycle, other_bureau):
    year = cycle.year
    rolling = complete_nomination(cycle=cycle, state=S.SELECTED)
    PostSubsidyFactory(incubator=rolling.incubator, year=year - 2, amount=Decimal("300000"))
    PostSubsidyFactory(incubator=rolling.incubator, year=year - 1, amount=Decimal("400000"))
    post_subsidies.mark_supported(nomination=rolling, amount="500000", by=office)
    newcomer = complete_nomination(cycle=cycle, state=S.ACCEPTED,
                                   incubator=IncubatorFactory(region=other_bureau.region))
    post_subsidies.mark_supported(nomination=newcomer, amount="200000", by=office)
    waiting = complete_nomination(cycle=cycle, state=S.ACCEPTED)
    PostSubsidyFactory(incubator=waiting.incubator, year=year - 1, amount=Decimal("100000"))

    shown, rows = post_subsidies.year_list(year=year)
    assert shown == [year, year - 1, year - 2]
    by_incubator = {r["subsidy"].incubator_id: r for r in rows}
    assert set(by_incubator) == {rolling.incubator_id, newcomer.incubator_id}
    assert by_incubator[rolling.incubator_id]["amounts"] == [Decimal("500000"), Decimal("400000"), Decimal("300000")]
    assert by_incubator[rolling.incubator_id]["total"] == Decimal("1200000")
    assert by_incubator[rolling.incubator_id]["years_supported"] == 3
    assert by_incubator[newcomer.incubator_id]["amounts"] == [Decimal("200000"), None, None]

    response = client_for(office).get(reverse("incubators:post_subsidies"), {"year": year})
    assert response.status_code == 200
    assert [c["nomination"] for c in response.context["candidates"]] == [waiting]
    assert response.context["candidates"][0]["history"] == [(year - 1, Decimal("100000.00"))]
    assert response.context["total"] == Decimal("700000")
    html = response.content.decode()
    assert "1,200,000.00" in html and "400,000.00" in html
    # Last year's list shows last year's amounts and not this year's.
    _, last_rows = post_subsidies.year_list(year=year - 1)
    assert {r["subsidy"].incubator_id: r["total"] for r in last_rows} == {
        rolling.incubator_id: Decimal("700000"), waiting.incubator_id: Decimal("100000")}


def test_mark_and_remove_through_the_page(client_for, office, cycle):
    nomination = complete_nomination(cycle=cycle, state=S.ACCEPTED)
    c = client_for(office)
    response = c.post(reverse("incubators:post_subsidy_mark"),
                      {"nomination": nomination.pk, "amount": "350000.00", "notes": "滚动支持"})
    assert response.status_code == 302
    subsidy = PostSubsidy.objects.get()
    assert subsidy.amount == Decimal("350000.00") and subsidy.notes == "滚动支持"
    c.post(reverse("incubators:post_subsidy_remove", args=[subsidy.pk]), {"reason": ""})
    assert PostSubsidy.objects.exists()  # a reason is required
    c.post(reverse("incubators:post_subsidy_remove", args=[subsidy.pk]), {"reason": "重复标记"})
    assert not PostSubsidy.objects.exists()
    assert PostSubsidy.history.first().history_change_reason == "remove: 重复标记"


def test_mark_refused_through_the_page_for_a_submitted_nomination(client_for, office, cycle):
    nomination = complete_nomination(cycle=cycle, state=S.SUBMITTED)
    client_for(office).post(reverse("incubators:post_subsidy_mark"), {"nomination": nomination.pk, "amount": "1000"})
    assert not PostSubsidy.objects.exists()


def test_public_page_only_when_published(client_for, office, cycle):
    nomination = complete_nomination(cycle=cycle, state=S.SELECTED)
    post_subsidies.mark_supported(nomination=nomination, amount="500000", by=office)
    PostSubsidyFactory(incubator=nomination.incubator, year=cycle.year - 1, amount=Decimal("300000"))
    url = reverse("incubators:public_post_subsidies", args=[cycle.year])
    anonymous = client_for(None)
    assert anonymous.get(url).status_code == 404
    assert anonymous.post(url).status_code == 404
    client_for(office).post(reverse("incubators:post_subsidy_publish"), {"year": cycle.year, "publish": "1"})
    assert PostSubsidyPublication.objects.filter(year=cycle.year).exists()
    response = anonymous.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert nomination.incubator.name in html and "500,000.00" in html
    assert "300,000.00" not in html  # last year's list was never published: its amounts stay private
    assert response.context["shown_years"] == [cycle.year]
    assert anonymous.post(url).status_code == 405
    # A published list is frozen until the publication is withdrawn.
    with pytest.raises(ValidationError):
        post_subsidies.mark_supported(nomination=nomination, amount="1", by=office)
    client_for(office).post(reverse("incubators:post_subsidy_publish"), {"year": cycle.year, "publish": "0"})
    assert anonymous.get(url).status_code == 404


def test_empty_list_cannot_be_published(client_for, office, cycle):
    client_for(office).post(reverse("incubators:post_subsidy_publish"), {"year": cycle.year, "publish": "1"})
    assert not PostSubsidyPublication.objects.exists()
