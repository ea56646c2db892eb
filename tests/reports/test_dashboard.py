"""The office's dashboard: the known year's figures, a workbook per table, and a query count that
does not grow with the regions or the nominations."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from pojian.models import NominationState as S
from pojian.models import Region
from reports.domain.dashboard import KEYS, Dashboard
from tests.reports.factories import known_year, nominate, other_apps_year

pytestmark = pytest.mark.django_db


def table(section):
    return {row[0]: row[1:] for row in section["rows"]}


def test_dashboard_sections_show_the_known_year(cycle, office):
    n = known_year(cycle)
    other_apps_year(cycle, office=office, nominations=n)
    with translation.override("en"):
        d = {s["key"]: s for s in Dashboard(cycle).sections()}
    assert list(d) == list(KEYS)
    states = d["states"]
    assert states["headers"][1:-1] == ["Draft", "Submitted", "Returned", "Accepted", "Rejected", "Withdrawn", "Selected"]
    assert table(states)["长春市"] == [1, 0, 0, 1, 1, 1, 2, 6]
    assert table(states)["吉林市"] == [0, 1, 1, 0, 0, 0, 1, 3]
    assert table(states)["Total"][-1] == 9
    sike = table(d["sike"])
    assert sike["Checked"] == [7, None] and sike["Meeting the standard"] == [4, Decimal("57.14")]
    assert d["sike"]["rows"][0][1] == 2  # R&D intensity: the criterion most often failed
    review = {(r[0], r[1]): r[2:] for r in d["review"]["rows"]}
    assert review[("Enterprises", "专家甲")] == [2, 3, Decimal("66.67")]
    assert review[("Enterprises", "专家乙")] == [3, 3, Decimal("100.00")]  # the withdrawn assignment is not expected
    assert review[("Enterprises", "All experts")] == [5, 6, Decimal("83.33")]
    selection = table(d["selection"])
    assert selection["Enterprises"] == [4, 3, 3, 60]
    assert selection["Incubators and maker spaces"] == [2, 1, 0, 10]
    inv = table(d["investments"])
    assert inv["长春市"] == [1, Decimal("2000000.00"), 1, Decimal("2000000.00")]
    assert inv["Total"] == [2, Decimal("3500000.50"), 1, Decimal("2000000.00")]
    inc = table(d["incubators"])
    assert inc["长春市"] == [2, 1, 1, 1, Decimal("500000.00")] and inc["Total"][-1] == Decimal("800000.00")
    ranking = d["ranking"]
    assert [r[:3] for r in ranking["rows"]] == [[1, "吉林市", Decimal("88.50")], [2, "长春市", Decimal("80.00")]]
    assert ranking["notes"]  # not yet published: the office is told
    assert table(d["trends"])[cycle.year][:3] == [8, 4, 3]
    assert all(s["charts"] and str(s["charts"][0]).startswith("<svg") for s in d.values())


def test_dashboard_page_shows_charts_and_tables(client_for, office, cycle):
    known_year(cycle)
    page = client_for(office).get(reverse("reports:dashboard")).content.decode()
    assert page.count("<svg") >= len(KEYS)
    assert "长春市" in page and 'data-testid="section-sike"' in page
    for key in KEYS:
        assert reverse("reports:dashboard_xlsx", args=[key]) in page


def test_dashboard_xlsx_download_holds_the_table_typed(client_for, office, cycle):
    known_year(cycle)
    response = client_for(office).get(reverse("reports:dashboard_xlsx", args=["states"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert ws.freeze_panes == "A2"
    assert rows["长春市"][-1] == 6 and isinstance(rows["长春市"][-1], int)
    everything = load_workbook(io.BytesIO(client_for(office).get(reverse("reports:dashboard_xlsx", args=["all"])).content))
    assert len(everything.sheetnames) == len(KEYS)
    assert client_for(office).get(reverse("reports:dashboard_xlsx", args=["nope"])).status_code == 404


def spread(cycle, office, regions, per_region):
    """More of everything in more regions: nominations in every state, incubators, investments, review, assessment."""
    import datetime

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from tests import factories as core
    from tests.enterprises.factories import EnterpriseFactory, make_uscc

    Incubator = apps.get_model("incubators.Incubator")
    IncubatorNomination = apps.get_model("incubators.IncubatorNomination")
    Institution = apps.get_model("finance.FinanceInstitution")
    Investment = apps.get_model("finance.Investment")
    Round = apps.get_model("reviews.Round")
    ReviewItem = apps.get_model("reviews.ReviewItem")
    Expert = apps.get_model("reviews.Expert")
    Assignment = apps.get_model("reviews.Assignment")
    RegionResult = apps.get_model("assessment.RegionResult")
    Assessment = apps.get_model("assessment.Assessment")
    rnd, _ = Round.objects.get_or_create(cycle=cycle, kind="enterprises")
    assessment, _ = Assessment.objects.get_or_create(cycle=cycle)
    states = [S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.REJECTED, S.SELECTED, S.RETURNED]
    bureau = core.BureauFactory(username="spread-bureau")
    inst = Institution.objects.create(name="扩展投资", uscc=make_uscc(880000 + per_region), kind="vc", region=regions[0])
    for i, region in enumerate(regions):
        for k in range(per_region):
            nom = nominate(cycle=cycle, region=region, state=states[k % len(states)],
                           failed=() if k % 2 else ("employees",))
            item = ReviewItem.objects.create(round=rnd, content_type=ContentType.objects.get_for_model(nom), object_id=nom.pk,
                                             nominee_name="n", region=region, rank=100 + i * per_region + k)
            expert = Expert.objects.create(name=f"专家{region.code}-{k}")
            Assignment.objects.create(item=item, expert=expert, state="confirmed", progress="submitted")
            Investment.objects.create(institution=inst, enterprise=EnterpriseFactory(region=region),
                                      date=datetime.date(cycle.year, 4, 1), amount=Decimal("1000.00"), round="seed")
        inc = Incubator.objects.create(name=f"孵化器{region.code}-{per_region}", uscc=make_uscc(770000 + i * 10 + per_region),
                                       region=region)
        IncubatorNomination.objects.create(cycle=cycle, region=region, state=S.ACCEPTED, created_by=bureau, incubator=inc,
                                           results="r")
        RegionResult.objects.get_or_create(assessment=assessment, region=region, defaults={"total": Decimal("50"), "rank": 3 + i})


def test_dashboard_query_count_does_not_grow_with_regions_or_nominations(client_for, office, cycle, django_assert_max_num_queries):
    client = client_for(office)
    url = reverse("reports:dashboard")
    # Small: two active regions, a few nominations.
    Region.objects.exclude(code__in=["220100", "220200"]).update(active=False)
    n = known_year(cycle)
    other_apps_year(cycle, office=office, nominations=n)
    spread(cycle, office, list(Region.objects.filter(active=True)), per_region=1)
    client.get(url)  # warm the per-process caches (content types, table list)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    bound = len(small.captured_queries)
    # Large: all thirteen regions active, six times the nominations, more experts, investments, incubators, results.
    Region.objects.update(active=True)
    spread(cycle, office, list(Region.objects.nominating()), per_region=6)
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
    assert "梅河口市" in response.content.decode()
