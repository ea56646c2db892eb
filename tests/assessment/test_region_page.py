"""A bureau's page of its own indicators: this year's values with last year's beside them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.domain import compute, results
from pojian.models import Cycle, Region
from tests import factories as core
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory

pytestmark = pytest.mark.django_db


def cell(html, testid):
    return html.split(f'data-testid="{testid}"', 1)[1].split("</td>", 1)[0]


def test_region_page_shows_last_years_values_beside_this_years(client_for, cycle, office, bureau, other_bureau):
    Region.objects.exclude(code__in=["220100", "220200"]).update(active=False)
    last = core.CycleFactory(year=cycle.year - 1, is_current=False, status=Cycle.Status.CLOSED)
    cc, jl = bureau.region, other_bureau.region
    for year_cycle, (mine, theirs) in ((last, ("41", "70")), (cycle, ("83", "60"))):
        typed = IndicatorFactory(cycle=year_cycle, code="opinion", name="处室意见")
        OfficeEntryFactory(indicator=typed, region=cc, value=Decimal(mine), entered_by=office)
        OfficeEntryFactory(indicator=typed, region=jl, value=Decimal(theirs), entered_by=office)
        compute.compute_assessment(cycle=year_cycle, by=office)
    # The report pairs each indicator with last year's result of the same code.
    [row] = results.region_report(cycle, cc)["rows"]
    assert (row["result"].value, row["last"].value) == (Decimal("83"), Decimal("41"))
    page = client_for(bureau).get(reverse("assessment:region", args=[cycle.year, cc.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "83" in cell(html, "value-opinion") and "41" in cell(html, "last-opinion")
    assert str(last.year) in html
    # Another city's bureau sees neither year of 长春 (before publication).
    for year in (cycle.year, last.year):
        assert client_for(other_bureau).get(reverse("assessment:region", args=[year, cc.code])).status_code == 403
