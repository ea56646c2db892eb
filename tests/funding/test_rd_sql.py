"""The set-based computation (one INSERT … SELECT on PostgreSQL) gives exactly what the Python
evaluation (`evaluate` + `allocate`) gives: every stored field and every explanation's text, for
each option of the rule (base on expense or increase, growth, registration, exclusion, cap, unit,
scaling to the budget with remainders to share)."""

import json
import random
from decimal import Decimal

import pytest

from enterprises.models import EnterpriseYear, Registration
from funding.domain import rd_subsidy
from funding.models import RdCandidate, RdExclusion, RdSubsidyRule
from tests import factories as core

from .factories import BudgetFactory, EnterpriseFactory, line
from .test_rd_subsidy import YEAR, rule, year  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def population(year, office):  # noqa: F811
    rng = random.Random(15)
    regions = [core.region("220100"), core.region("220200")]
    firms = []
    for i in range(60):
        e = EnterpriseFactory(region=regions[i % 2])
        revenue = None if i % 17 == 0 else D(rng.randrange(0, 80_000)) * 1000
        expense = None if i % 13 == 0 else D(rng.randrange(0, 6_000_000)) + D(rng.randrange(0, 100)) / 100
        EnterpriseYear.objects.create(enterprise=e, year=YEAR - 1, rd_expense_tax=expense, revenue_tax=revenue)
        if i % 3:
            previous = None if i % 11 == 0 else D(rng.randrange(0, 6_000_000)) + D(rng.randrange(0, 100)) / 100
            EnterpriseYear.objects.create(enterprise=e, year=YEAR - 2, rd_expense_tax=previous, revenue_tax=revenue)
        if i % 5:
            Registration.objects.create(enterprise=e, year=YEAR, number=f"2026220100A{e.pk:07d}")
        if i % 19 == 0:
            RdExclusion.objects.create(cycle=year, uscc=e.uscc, reason="失信", imported_by=office)
        firms.append(e)
    return firms


def python_result(r):
    rows = rd_subsidy._figures(r)
    candidates, summary = rd_subsidy.evaluate(r, rows, registered=rd_subsidy._registered(r),
                                              excluded=rd_subsidy._excluded(r), budget=rd_subsidy._budget(r))
    return {c["enterprise_id"]: c for c in candidates}, summary


OPTIONS = [
    {"min_intensity": D("3")},
    {"min_intensity": D("0"), "cap": D("150000.00"), "unit": D("100")},
    {"base": "increase", "require_growth": True, "min_intensity": D("1"), "bands": [["1000000", "0.2"], [None, "0.1"]]},
    {"require_registration": False, "min_expense": D("500000"), "cap": None, "unit": D("1000"),
     "bands": [["2000000", "0.15"], ["4000000", "0.08"], ["5000000", "0.03"]]},
    {"min_intensity": D("0"), "cap": D("300000"), "unit": D("1")},
]


@pytest.mark.parametrize("budget", [None, "700000", "2345678.90"])
@pytest.mark.parametrize("values", OPTIONS)
def test_sql_equals_python(population, year, office, values, budget):  # noqa: F811
    if budget is not None:
        BudgetFactory(cycle=year, line=line("rd_post"), amount=D(budget))
    r = RdSubsidyRule.objects.select_related("cycle").get(pk=rule(year, office, **values).pk)  # as stored
    expected, expected_summary = python_result(r)
    summary = rd_subsidy.compute_candidates(rule=r, by=office)
    stored = {c.enterprise_id: c for c in RdCandidate.objects.filter(rule=r)}
    assert set(stored) == set(expected) and len(stored) > 40
    for enterprise_id, e in expected.items():
        c = stored[enterprise_id]
        assert (c.qualified, c.failed, c.base_amount, c.banded, c.computed, c.band_index) == (
            e["qualified"], e["failed"], e["base"], e["banded"], e["computed"], e["band_index"]), enterprise_id
        assert c.explanation == json.loads(e["explanation"]), enterprise_id
        assert (c.expense, c.previous_expense, c.revenue, c.region_id) == (
            e["expense"], e["previous"], e["revenue"], e["region_id"])
    assert summary == expected_summary
    assert sum(1 for e in expected.values() if e["qualified"]) > 3


def test_scaling_shares_remainders(population, year, office):  # noqa: F811
    BudgetFactory(cycle=year, line=line("rd_post"), amount=D("700000"))
    r = rule(year, office, min_intensity=D("0"), cap=D("150000.00"), unit=D("100"))
    summary = rd_subsidy.compute_candidates(rule=r, by=office)
    assert summary["scaled"] and summary["total"] == D("700000")
    steps = [s[0] for c in RdCandidate.objects.filter(rule=r, qualified=True) for s in c.explanation]
    assert "scaled" in steps and "cap" in steps
