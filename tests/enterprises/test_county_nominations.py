# ruff: noqa: F811 - the tests take the imported `queued` fixture as an argument
"""County → city → province: a county bureau prepares a nomination, forwards it to its city bureau,
which returns it or submits it to the province; other cities, other counties and experts are refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from enterprises.domain import county as county_step
from enterprises.domain import nominations, workflow
from enterprises.models import EnterpriseNomination
from pojian.models import NominationState as S
from pojian.models import Notification
from tests.enterprises import factories as ef
from tests.enterprises.test_nomination_workflow import queued  # noqa: F401 - the same fixture


@pytest.fixture
def prepared(cycle, county, queued):
    """A nomination the 南关区 county bureau prepared for 长春, with its stamped letter."""
    enterprise = ef.eligible_enterprise(region=county.region.parent, year=cycle.year)
    n = nominations.create_nomination(by=county, cycle=cycle, enterprise=enterprise, figures={"revenue": 1})
    EnterpriseNomination.objects.filter(pk=n.pk).update(letter="letters/enterprises/stamped.pdf")
    n.refresh_from_db()
    return n


@pytest.mark.django_db
def test_county_prepares_for_its_city(prepared, county):
    assert prepared.region == county.region.parent and prepared.county == county.region
    assert prepared.with_county and prepared.state == S.DRAFT
    assert prepared.history.first().history_user == county


@pytest.mark.django_db
def test_county_to_city_to_province(prepared, county, bureau, queued):
    # The city sees it but cannot submit or edit it while the county prepares it.
    assert bureau.has_perm("enterprises.view_nomination", prepared)
    assert not bureau.has_perm("enterprises.change_nomination", prepared)
    with pytest.raises(ValidationError, match="南关区"):
        workflow.submit(prepared, by=bureau)
    # The county cannot submit to the province itself.
    with pytest.raises(PermissionDenied):
        workflow.submit(prepared, by=county)
    county_step.forward_to_city(prepared, by=county, expected_version=prepared.version)
    assert Notification.objects.filter(user=bureau, subject__contains="南关区").exists()
    assert not county.has_perm("enterprises.change_nomination", prepared)
    assert bureau.has_perm("enterprises.change_nomination", prepared)
    # The city returns it with a reason; the county corrects and forwards again; the city submits.
    with pytest.raises(ValidationError):
        county_step.return_to_county(prepared, by=bureau, reason="")
    county_step.return_to_county(prepared, by=bureau, reason="请补充研发费用明细")
    assert prepared.with_county
    assert Notification.objects.filter(user=county, body__contains="研发费用").exists()
    nominations.update_nomination(prepared, by=county, expected_version=prepared.version, recommendation="已补充")
    county_step.forward_to_city(prepared, by=county)
    workflow.submit(prepared, by=bureau)
    prepared.refresh_from_db()
    assert prepared.state == S.SUBMITTED
    # Once at the province, the city can no longer send it back to the county.
    with pytest.raises(PermissionDenied):
        county_step.return_to_county(prepared, by=bureau, reason="x")
    reasons = [h.history_change_reason for h in prepared.history.all()]
    assert "forward to city" in reasons and any(r and r.startswith("return to county") for r in reasons)


@pytest.mark.django_db
def test_stale_forward_refused(prepared, county):
    from pojian.domain.errors import StaleEdit

    with pytest.raises(StaleEdit):
        county_step.forward_to_city(prepared, by=county, expected_version=prepared.version - 1)


@pytest.mark.django_db
def test_refusals_for_others(prepared, county, other_county, other_bureau, expert, office, bureau, client_for):
    for user in (other_county, other_bureau, expert, office, bureau):
        with pytest.raises(PermissionDenied):
            county_step.forward_to_city(prepared, by=user)
    for user in (other_county, other_bureau, expert):
        assert not user.has_perm("enterprises.view_nomination", prepared)
        assert not user.has_perm("enterprises.change_nomination", prepared)
    county_step.forward_to_city(prepared, by=county)
    for user in (county, other_county, other_bureau, expert, office):
        with pytest.raises(PermissionDenied):
            county_step.return_to_county(prepared, by=user, reason="x")
    # A county of another city cannot nominate for 长春's enterprises.
    enterprise = prepared.enterprise
    with pytest.raises(PermissionDenied):
        nominations.create_nomination(by=other_county, cycle=prepared.cycle, enterprise=enterprise)
    url = reverse("enterprises:bureau_nomination", args=[prepared.pk])
    for user in (other_county, other_bureau, expert):
        assert client_for(user).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    assert client_for(county).get(url).status_code == 200  # the county follows its nomination
    assert client_for(bureau).get(url).status_code == 200


@pytest.mark.django_db
def test_city_nominations_unchanged(cycle, bureau, queued):
    enterprise = ef.eligible_enterprise(region=bureau.region, year=cycle.year)
    n = nominations.create_nomination(by=bureau, cycle=cycle, enterprise=enterprise, figures={"revenue": 1})
    assert n.county is None and not n.with_county
    assert bureau.has_perm("enterprises.change_nomination", n)
