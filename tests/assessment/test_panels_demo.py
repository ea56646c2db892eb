"""Home-page cards and menu entries, and the demo data (variety, idempotence)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessment.domain import compute, summaries
from assessment.models import Assessment, BureauSummary, IndicatorResult, RegionResult
from assessment.panels import nav_items
from pojian.models import Cycle
from pojian.models import NominationState as S
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory, SummaryFactory

pytestmark = pytest.mark.django_db


def test_bureau_home_card_shows_its_summary_state_and_its_figures(client_for, cycle, bureau, office):
    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)
    summaries.take_action(summary, "submit", by=bureau)
    summaries.take_action(summary, "return", by=office, reason="补充")
    indicator = IndicatorFactory(cycle=cycle, name="处室意见")
    OfficeEntryFactory(indicator=indicator, region=bureau.region, value=Decimal("77"), entered_by=office)
    compute.compute_assessment(cycle=cycle, by=office)
    page = client_for(bureau).get(reverse("home")).content.decode()
    card = page.split('data-testid="assessment-panel"')[1].split("</div>\n</div>")[0]
    assert 'data-testid="summary-state"' in card and "处室意见" in card and "77" in card
    assert reverse("assessment:region", args=[cycle.year, "220100"]) in card


def test_office_home_card_shows_the_assessment_status(client_for, cycle, office, bureau):
    SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)
    page = client_for(office).get(reverse("home")).content.decode()
    assert 'data-testid="assessment-panel"' in page
    assert reverse("assessment:table", args=[cycle.year]) in page


def test_menu_entries_by_role(office, bureau, expert):
    assert [url for _, url in nav_items(office)] == [reverse("assessment:index"), reverse("assessment:summary_list")]
    assert [url for _, url in nav_items(bureau)] == [reverse("assessment:my_summary"), reverse("assessment:mine")]
    assert nav_items(expert) == []


def assessment_snapshot():
    return (
        sorted(map(str, RegionResult.objects.values_list("assessment__cycle__year", "region__code", "total", "rank",
                                                         "commended"))),
        sorted(map(str, IndicatorResult.objects.values_list("indicator__cycle__year", "indicator__code",
                                                            "region__code", "value", "score"))),
        sorted(map(str, BureauSummary.objects.values_list("cycle__year", "region__code", "state", "version"))),
    )


def test_demo_has_variety_and_is_identical_when_run_twice(settings, tmp_path):
    from assessment import demo

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # every app's demo, ours last
    first = assessment_snapshot()
    current = Cycle.objects.current()
    demo.seed(cycle=current)  # (the whole command twice is tests/pojian/test_seed_demo.py's job)
    assert assessment_snapshot() == first

    this_year = Assessment.objects.get(cycle=current)
    last_year = Assessment.objects.get(cycle__year=current.year - 1)
    assert last_year.is_published and last_year.results.filter(commended=True).count() == 2
    assert this_year.computed_at and not this_year.is_published
    assert this_year.results.values("total").distinct().count() >= 5  # the table shows variety
    states = set(BureauSummary.objects.filter(cycle=current).values_list("state", flat=True))
    assert {S.ACCEPTED, S.RETURNED, S.SUBMITTED, S.DRAFT} <= states
    resubmitted = [s for s in BureauSummary.objects.with_was_returned().filter(cycle=current) if s.is_resubmission]
    assert len(resubmitted) == 1
    assert not compute.is_stale(this_year)
