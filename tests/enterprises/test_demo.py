"""The enterprise demo data: every state, visible single failures, tax differences, idempotent."""

import pytest

from enterprises import demo
from enterprises.models import Enterprise, EnterpriseNomination, EnterpriseYear, Verdict
from pojian.domain.uscc import is_valid
from pojian.models import NominationState, Region, User


@pytest.fixture
def seeded(db, cycle, office):
    # One bureau account per region, as the core demo makes (without its slow password hashing).
    User.objects.bulk_create([User(username=f"bureau-{r.code}", role=User.Role.BUREAU, region=r)
                              for r in Region.objects.all()])
    demo.seed(cycle=cycle)
    return cycle


def test_demo_gives_regions_enterprises_nominations_in_every_state_failures_and_tax_differences(seeded):
    regions = Region.objects.filter(active=True).count()
    assert Enterprise.objects.count() == regions * demo.PER_REGION
    assert all(is_valid(code) for code in Enterprise.objects.values_list("uscc", flat=True))
    assert Enterprise.objects.filter(region__code="220100", name__startswith="长春").count() == demo.PER_REGION

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
    assert len(differing) >= Region.objects.filter(active=True).count() * 3
    tax_failures = Verdict.objects.filter(fail_rd_intensity=True, figures__revenue__source="tax")
    assert tax_failures.exists()


def test_demo_twice_changes_nothing(seeded):
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
