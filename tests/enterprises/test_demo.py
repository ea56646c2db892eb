"""The enterprise demo data: every state, visible single failures, tax differences, last year's
selection in a closed year, idempotent."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from enterprises import demo, demo_pool
from enterprises.domain import tiers
from enterprises.models import (
    Enterprise,
    EnterpriseNomination,
    EnterpriseYear,
    PoolEntry,
    Recognition,
    Registration,
    TierStanding,
    Verdict,
)
from pojian.domain.uscc import is_valid
from pojian.models import Cycle, NominationState, Region, User
from reports.domain import public
from reports.domain.dashboard import Dashboard
from tests.factories import CycleFactory


@pytest.fixture
def seeded(db, cycle, office):
    # One bureau account per region, as the core demo makes (without its slow password hashing).
    User.objects.bulk_create([User(username=f"bureau-{r.code}", role=User.Role.BUREAU, region=r)
                              for r in Region.objects.nominating()])
    demo.seed(cycle=cycle)
    return cycle


@pytest.fixture
def two_years(db, cycle, office):
    """This year and last year, last year still open: the demo fills it, then closes it."""
    tz = timezone.get_current_timezone()
    earlier = CycleFactory(year=cycle.year - 1, is_current=False, status=Cycle.Status.OPEN,
                           nomination_opens=datetime.datetime(cycle.year - 1, 3, 1, tzinfo=tz),
                           nomination_closes=datetime.datetime(cycle.year - 1, 5, 31, tzinfo=tz))
    User.objects.bulk_create([User(username=f"bureau-{r.code}", role=User.Role.BUREAU, region=r)
                              for r in Region.objects.nominating()])
    demo.seed(cycle=cycle)
    earlier.refresh_from_db()
    return cycle, earlier


def every_state_failures_and_tax_differences(seeded):
    regions = Region.objects.nominating().filter(active=True).count()
    # The nominated enterprises, and the cultivation pool's (enterprises/demo_pool.py).
    per_region = demo.PER_REGION + demo_pool.POOL_PER_REGION
    assert Enterprise.objects.count() == regions * per_region
    assert all(is_valid(code) for code in Enterprise.objects.values_list("uscc", flat=True))
    assert Enterprise.objects.filter(region__code="220100", name__startswith="长春").count() == per_region
    assert PoolEntry.objects.count() == Enterprise.objects.count()
    assert PoolEntry.objects.exclude(status="in_pool").exists()
    assert TierStanding.objects.values("code").distinct().count() >= 5  # every tier but none is reached
    # The 高新 / 专精特新 / 小巨人 recognitions came through the list import, with their batch and evidence.
    imported = Recognition.objects.exclude(kind="listed")
    assert set(imported.values_list("kind", flat=True)) == {"high_tech", "specialised", "little_giant"}
    assert not imported.filter(batch="").exists() and not imported.filter(evidence="").exists()
    assert imported.filter(kind="high_tech", reference__regex=r"^GR\d{4}22\d{6}$").count() == \
        imported.filter(kind="high_tech").count()
    # Three fiscal years, and enterprises whose tier moved up and down between years.
    assert EnterpriseYear.objects.values("year").distinct().count() >= 3
    ranks = {}
    for e, y, rank in TierStanding.objects.values_list("enterprise_id", "year", "rank"):
        ranks.setdefault(e, {})[y] = rank
    moves = Counter(tiers.movement(r[y - 1], r[y]) for r in ranks.values() for y in r if y - 1 in r)
    assert moves["up"] and moves["down"] and moves["same"]

    # Nominations in every state, with the office's reasons where it gave one.
    states = set(EnterpriseNomination.objects.filter(cycle=seeded).values_list("state", flat=True))
    assert {"draft", "submitted", "returned", "accepted", "rejected", "withdrawn"} <= states
    assert not EnterpriseNomination.objects.filter(state__in=["returned", "rejected"], state_reason="").exists()
    assert EnterpriseNomination.objects.filter(state=NominationState.WITHDRAWN).count() == regions

    # Each single failure, for a reason one can see.
    region = Region.objects.get(code="220100")
    verdicts = {v.nomination.enterprise.name: v for v in
                Verdict.objects.filter(nomination__region=region).select_related("nomination__enterprise")}
    failed_alone = {tuple(v.failed) for v in verdicts.values() if len(v.failed) == 1}
    expected = {("rd_intensity",), ("tech_staff_ratio",), ("ip_and_transfers",), ("revenue",), ("registered",),
                ("core_tech_product",), ("employees",)}
    assert expected <= failed_alone
    assert sum(v.eligible for v in verdicts.values()) >= 5

    # Tax figures that differ, one of which changes the verdict.
    differing = [y for y in EnterpriseYear.objects.filter(revenue_tax__isnull=False) if y.differences()]
    assert len(differing) >= Region.objects.nominating().filter(active=True).count() * 3
    tax_failures = Verdict.objects.filter(fail_rd_intensity=True, stored_figures__revenue__source="tax")
    assert tax_failures.exists()


def twice_changes_nothing(seeded):
    counts = (Enterprise.objects.count(), EnterpriseNomination.objects.count(), Verdict.objects.count(),
              EnterpriseNomination.history.count())
    demo.seed(cycle=seeded)
    assert (Enterprise.objects.count(), EnterpriseNomination.objects.count(), Verdict.objects.count(),
            EnterpriseNomination.history.count()) == counts


def test_demo_is_deterministic():
    class R:
        code, name = "220100", "长春市"

    first = demo.plan_region(R, year=2026, used_usccs=set())
    again = demo.plan_region(R, year=2026, used_usccs=set())
    assert first == again
    assert len({p["enterprise"]["name"] for p in first}) == demo.PER_REGION


def last_year_closed_with_sixty_selected_and_the_dashboard_trend(two_years):
    cycle, earlier = two_years
    assert earlier.is_closed and not earlier.is_current
    assert earlier.history.filter(history_change_reason="close").exists()

    last = EnterpriseNomination.objects.filter(cycle=earlier)
    states = Counter(last.values_list("state", flat=True))
    assert set(states) == {NominationState.SELECTED, NominationState.NOT_SELECTED, NominationState.REJECTED}
    assert states[NominationState.SELECTED] == earlier.enterprise_quota == 60
    assert last.filter(state=NominationState.SELECTED).values("region").distinct().count() >= 8
    # The real 四科 check of last year's figures decided who was rejected; only those meeting it were selected.
    assert not last.filter(state=NominationState.SELECTED, verdict__eligible=False).exists()
    assert not last.filter(state=NominationState.REJECTED, verdict__eligible=True).exists()
    assert not last.filter(state=NominationState.REJECTED, state_reason="").exists()
    assert Registration.objects.filter(year=earlier.year, enterprise__nominations__cycle=earlier).count() == last.count()
    selected = last.filter(state=NominationState.SELECTED).first()
    assert list(selected.history.order_by("history_date", "history_id").values_list("state", flat=True)) == [
        NominationState.SUBMITTED, NominationState.SELECTED]
    assert selected.decided_at.year == earlier.year

    # The office's dashboard compares this year with last year's real figures.
    trends = {row[0]: row for row in Dashboard(cycle).section("trends")["rows"]}
    accepted = states[NominationState.SELECTED] + states[NominationState.NOT_SELECTED]
    assert trends[earlier.year][1:4] == [last.count(), accepted, 60]
    assert trends[earlier.year][4] is not None  # last year's 四科 pass rate
    assert cycle.year in trends

    # Last year's review confirmed its results: the public page lists the selected enterprises.
    confirmed = public.public_progress(cycle=earlier)["confirmed"]
    assert [len(c["rows"]) for c in confirmed if c["kind"] == "enterprises"] == [60]


def twice_leaves_last_year_as_it_was(two_years):
    cycle, earlier = two_years
    before = sorted(EnterpriseNomination.objects.filter(cycle=earlier).values_list("pk", "state", "decided_at"))
    counts = (EnterpriseYear.objects.count(), Registration.objects.count(), Verdict.objects.count(),
              EnterpriseNomination.history.count(), Cycle.history.count())
    demo.seed(cycle=cycle)
    assert sorted(EnterpriseNomination.objects.filter(cycle=earlier).values_list("pk", "state", "decided_at")) == before
    assert (EnterpriseYear.objects.count(), Registration.objects.count(), Verdict.objects.count(),
            EnterpriseNomination.history.count(), Cycle.history.count()) == counts


def test_demo_county_bureau_has_a_nomination_in_each_county_step(db, cycle, office):
    """The 双阳区 county bureau (the core demo's `county-220112`): one prepared, one forwarded to 长春, one
    returned by 长春 with a reason, one submitted by 长春 to the province; each step in the history."""
    county = Region.objects.get(code=demo.COUNTY_DEMO)
    county_user = User.objects.create(username=f"county-{county.code}", role=User.Role.COUNTY, region=county)
    User.objects.bulk_create([User(username=f"bureau-{r.code}", role=User.Role.BUREAU, region=r)
                              for r in Region.objects.nominating()])
    demo.seed(cycle=cycle)
    made = EnterpriseNomination.objects.filter(cycle=cycle, county=county).select_related("region", "created_by")
    assert len(made) == len(demo.COUNTY_STEPS) == 4
    assert {(n.region.code, n.created_by_id) for n in made} == {("220100", county_user.pk)}
    prepared = [n for n in made if n.with_county and not n.state_reason]
    returned = [n for n in made if n.with_county and n.state_reason]
    forwarded = [n for n in made if not n.with_county and n.state == NominationState.DRAFT]
    submitted = [n for n in made if n.state == NominationState.SUBMITTED]
    assert (len(prepared), len(returned), len(forwarded), len(submitted)) == (1, 1, 1, 1)
    assert returned[0].state_reason.startswith("请补充")
    steps = list(returned[0].history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert steps == ["demo", "forward to city", f"return to county: {returned[0].state_reason}"]
    assert User.objects.get(username="bureau-220100").notifications.filter(subject__contains=county.name).count() == 3
    assert county_user.notifications.filter(body__contains="请补充").count() == 1
    # The pool knows their county; the city's other nominations have none.
    assert set(PoolEntry.objects.filter(enterprise__in=[n.enterprise_id for n in made])
               .values_list("county_id", flat=True)) == {county.pk}
    assert not EnterpriseNomination.objects.filter(cycle=cycle, region__code="220100", county__isnull=False) \
        .exclude(pk__in=[n.pk for n in made]).exists()
    demo.seed(cycle=cycle)  # twice: nothing doubles
    assert EnterpriseNomination.objects.filter(cycle=cycle, county=county).count() == 4


# The demo is seeded once for each pair of checks (seeding is this module's slow part): the data as
# seeded first, then the second run that must change nothing.


def test_demo_gives_regions_enterprises_nominations_in_every_state_failures_and_tax_differences_and_twice_changes_nothing(
    seeded,
):
    every_state_failures_and_tax_differences(seeded)
    twice_changes_nothing(seeded)


def test_demo_has_last_year_closed_with_sixty_selected_the_dashboard_trend_and_twice_leaves_it_as_it_was(two_years):
    last_year_closed_with_sixty_selected_and_the_dashboard_trend(two_years)
    twice_leaves_last_year_as_it_was(two_years)
