"""The counties in the assessment: a year opts in, the indicators that fit a county are computed per county,
ranked among the counties and within their city; the office sees every county, a city its counties, a
county its own standing; others are refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessment.domain import compute, counties
from assessment.models import CountyResult
from pojian.models import NominationState as S
from pojian.models import Region
from reports.models import ReturnFiling, StatisticsReturn
from tests import factories as core
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory

CITIES = ["220100", "220200"]
# 南关区, 宽城区 under 长春; 昌邑区 under 吉林.
NANGUAN, KUANCHENG, CHANGYI = "220102", "220103", "220202"


@pytest.fixture
def setup(db, cycle, office):
    Region.objects.exclude(code__in=CITIES + [NANGUAN, KUANCHENG, CHANGYI]).update(active=False)
    nominated = IndicatorFactory(cycle=cycle, code="nominated", source="computed", computation="enterprises_nominated",
                                 weight=Decimal(2))
    on_time = IndicatorFactory(cycle=cycle, code="on_time", source="computed", computation="returns_on_time",
                               weight=Decimal(1))
    typed = IndicatorFactory(cycle=cycle, code="opinion", weight=Decimal(1))
    for code in CITIES:
        OfficeEntryFactory(indicator=typed, region=core.region(code), value=Decimal(50), entered_by=office)
    changchun = core.region("220100")
    nanguan, kuancheng = core.region(NANGUAN), core.region(KUANCHENG)
    for state in (S.SUBMITTED, S.ACCEPTED, S.DRAFT):  # a draft is not counted
        EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(region=changchun), county=nanguan,
                                    county_forwarded_at=datetime.datetime(cycle.year, 3, 1, tzinfo=datetime.UTC),
                                    state=state)
    EnterpriseNominationFactory(cycle=cycle, enterprise=EnterpriseFactory(region=changchun), county=kuancheng,
                                county_forwarded_at=datetime.datetime(cycle.year, 3, 1, tzinfo=datetime.UTC),
                                state=S.SUBMITTED)
    # Two returns of the year: the first the counties file too (南关区 on time, 宽城区 late), the second only cities.
    start = datetime.date(cycle.year, 1, 1)
    both = StatisticsReturn.objects.create(
        title="一季度", period="quarter", period_start=start, period_end=datetime.date(cycle.year, 3, 31),
        due_on=datetime.date(cycle.year, 4, 15), include_counties=True, status="closed", created_by=office)
    StatisticsReturn.objects.create(
        title="四月", period="month", period_start=datetime.date(cycle.year, 4, 1),
        period_end=datetime.date(cycle.year, 4, 30), due_on=datetime.date(cycle.year, 5, 15), status="closed",
        created_by=office)
    filed = datetime.datetime(cycle.year, 4, 10, tzinfo=datetime.UTC)
    for region, late in ((nanguan, False), (kuancheng, True), (changchun, False)):
        ReturnFiling.objects.create(statistics_return=both, region=region, filed_by=office, filed_at=filed, late=late)
    return {"nominated": nominated, "on_time": on_time}


def result(cycle, code):
    return CountyResult.objects.get(assessment__cycle=cycle, county__code=code)


def figure(res, code):
    return next(f for f in res.figures if f["code"] == code)


@pytest.mark.django_db
def test_counties_assessed_only_when_the_year_opts_in(setup, cycle, office, bureau):
    compute.compute_assessment(cycle=cycle, by=office)
    assert not CountyResult.objects.exists()
    with pytest.raises(PermissionDenied):
        counties.set_assess_counties(cycle=cycle, by=bureau, value=True)
    counties.set_assess_counties(cycle=cycle, by=office, value=True)
    # A computed year gets its county results at once; a recomputation keeps them.
    assert CountyResult.objects.filter(assessment__cycle=cycle).count() == 3
    compute.compute_assessment(cycle=cycle, by=office)
    assert CountyResult.objects.filter(assessment__cycle=cycle).count() == 3
    counties.set_assess_counties(cycle=cycle, by=office, value=False)
    assert not CountyResult.objects.exists()


@pytest.mark.django_db
def test_county_indicators_ranks_and_city_ranks(setup, cycle, office):
    counties.set_assess_counties(cycle=cycle, by=office, value=True)
    compute.compute_assessment(cycle=cycle, by=office)
    nanguan, kuancheng, changyi = result(cycle, NANGUAN), result(cycle, KUANCHENG), result(cycle, CHANGYI)
    # Only the indicators that fit a county: the typed one is left out.
    assert [f["code"] for f in nanguan.figures] == ["nominated", "on_time"]
    assert figure(nanguan, "nominated")["value"] == "2" and figure(kuancheng, "nominated")["value"] == "1"
    assert figure(nanguan, "on_time")["value"] == "100.00" and figure(kuancheng, "on_time")["value"] == "0.00"
    # 昌邑区 filed nothing it was asked for: 0 %; it nominated nothing.
    assert figure(changyi, "on_time")["value"] == "0.00" and figure(changyi, "nominated")["value"] == "0"
    # Weights 2 and 1 over the fitting indicators: 南关区 100, 宽城区 50 × 2/3 = 33.33.
    assert nanguan.total == Decimal("100.00") and kuancheng.total == Decimal("33.33") and changyi.total == 0
    assert (nanguan.rank, kuancheng.rank, changyi.rank) == (1, 2, 3)
    assert (nanguan.city_rank, kuancheng.city_rank, changyi.city_rank) == (1, 2, 1)


@pytest.mark.django_db
def test_returns_on_time_for_the_cities(setup, cycle, office):
    """A city is asked both returns: 长春 filed one on time (50 %), 吉林 none (0 %)."""
    compute.compute_assessment(cycle=cycle, by=office)
    from assessment.models import IndicatorResult

    values = dict(IndicatorResult.objects.filter(indicator=setup["on_time"]).values_list("region__code", "value"))
    assert values["220100"] == Decimal("50") and values["220200"] == Decimal("0")


@pytest.mark.django_db
def test_county_pages_for_each_role(setup, cycle, office, bureau, other_bureau, county, other_county, expert,
                                    client_for):
    counties.set_assess_counties(cycle=cycle, by=office, value=True)
    compute.compute_assessment(cycle=cycle, by=office)
    ranking = reverse("assessment:counties", args=[cycle.year])
    own = reverse("assessment:county", args=[cycle.year, NANGUAN])
    # The office: every county, with ranks; filtered by city.
    page = client_for(office).get(ranking).content.decode()
    assert all(f'data-testid="county-{c}"' in page for c in (NANGUAN, KUANCHENG, CHANGYI))
    page = client_for(office).get(ranking, {"city": core.region("220200").pk}).content.decode()
    assert f'data-testid="county-{CHANGYI}"' in page and f'data-testid="county-{NANGUAN}"' not in page
    # 长春's bureau: its counties only, and their pages; not 吉林's county.
    page = client_for(bureau).get(ranking).content.decode()
    assert f'data-testid="county-{NANGUAN}"' in page and f'data-testid="county-{CHANGYI}"' not in page
    assert client_for(bureau).get(own).status_code == 200
    assert client_for(bureau).get(reverse("assessment:county", args=[cycle.year, CHANGYI])).status_code == 403
    # The county: sent to its own standing, which shows its figures; another county's is refused.
    assert client_for(county).get(ranking).url == own
    assert client_for(county).get(reverse("assessment:my_county")).url == own
    page = client_for(county).get(own).content.decode()
    assert 'data-testid="county-total"' in page and 'data-testid="figure-nominated"' in page
    assert client_for(county).get(reverse("assessment:county", args=[cycle.year, KUANCHENG])).status_code == 403
    # A city's code is no county: refused to a bureau, no page for the office.
    assert client_for(bureau).get(reverse("assessment:county", args=[cycle.year, "220100"])).status_code == 403
    assert client_for(office).get(reverse("assessment:county", args=[cycle.year, "220100"])).status_code == 404
    # Refused: another city's bureau, another city's county, an expert; anonymous to the login.
    for user in (other_bureau, other_county, expert):
        assert client_for(user).get(own).status_code == 403
    assert client_for(expert).get(ranking).status_code == 403
    assert client_for(None).get(own).status_code == 302 and client_for(None).get(ranking).status_code == 302
    # Only the office opts in or out.
    settings = reverse("assessment:counties_settings", args=[cycle.year])
    for user in (bureau, county, expert):
        assert client_for(user).post(settings, {"assess_counties": "on"}).status_code == 403
    assert client_for(None).post(settings, {"assess_counties": "on"}).status_code == 302
    client_for(office).post(settings, {})
    assert not CountyResult.objects.exists()
