"""研发投入后补助: the rule with each option, scaling, verification and disputes, 公示, grants."""

from datetime import date
from decimal import Decimal

import pytest

from enterprises.models import EnterpriseYear, Registration
from funding.domain import rd_subsidy
from funding.domain.allocation import tiered
from funding.models import Grant, RdCandidate, RdExclusion, RdSubsidyRule
from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError
from tests import factories as core

from .factories import BudgetFactory, EnterpriseFactory, line

D = Decimal
YEAR = 2026


@pytest.fixture
def year(db):
    return core.CycleFactory(year=YEAR)


def firm(*, expense, previous=None, revenue="10000000", registered=True, region="220100", name=None):
    e = EnterpriseFactory(region=core.region(region), **({"name": name} if name else {}))
    EnterpriseYear.objects.create(enterprise=e, year=YEAR - 1, rd_expense_tax=D(expense), revenue_tax=D(revenue))
    if previous is not None:
        EnterpriseYear.objects.create(enterprise=e, year=YEAR - 2, rd_expense_tax=D(previous), revenue_tax=D(revenue))
    if registered:
        Registration.objects.create(enterprise=e, year=YEAR, number=f"2026220100A{e.pk:07d}")
    return e


def rule(year, office, **values):
    r = rd_subsidy.rule_for_year(cycle=year, by=office)
    if values:
        r = rd_subsidy.update_rule(rule=r, values=values, version=r.version, by=office)
    return r


def cand(r, e):
    return RdCandidate.objects.get(rule=r, enterprise=e)


def test_rule_bands_and_explanation(year, office):
    e = firm(expense="6000000", revenue="50000000")
    r = rule(year, office, bands=[["5000000", "0.10"], [None, "0.05"]], min_intensity=D("3"), cap=None)
    summary = rd_subsidy.compute_candidates(rule=r, by=office)
    c = cand(r, e)
    assert summary["qualified"] == 1 and c.qualified
    assert c.banded == tiered(D("6000000"), [(D("5000000"), D("0.10")), (None, D("0.05"))]) == D("550000.00")
    assert c.computed == D("550000")
    kinds = [step[0] for step in c.explanation]
    assert kinds.count("band") == 2 and kinds[-1] == "unit" and "base" in kinds


def test_band_parts_sum_like_tiered():
    import random

    rng = random.Random(15)
    bands = rd_subsidy.parse_bands([["5000000", "0.10"], ["20000000", "0.05"], [None, "0.025"]])
    for _ in range(2000):
        base = D(rng.randrange(0, 40_000_000_00)) / 100
        parts = rd_subsidy.band_parts(base, bands)
        assert sum((p[4] for p in parts), D(0)).quantize(D("0.01"), rounding="ROUND_HALF_UP") == tiered(base, bands)


def test_rule_minimum_expense_is_strict_and_intensity_inclusive(year, office):
    at_min = firm(expense="1000000", revenue="10000000")
    low_intensity = firm(expense="2000000", revenue="100000000")  # 2 %
    exact_intensity = firm(expense="3000000", revenue="100000000")  # 3 %
    r = rule(year, office, min_expense=D("1000000"), min_intensity=D("3"))
    rd_subsidy.compute_candidates(rule=r, by=office)
    assert cand(r, at_min).failed == ["min_expense"]
    assert cand(r, low_intensity).failed == ["min_intensity"]
    assert cand(r, exact_intensity).qualified


def test_rule_registration_growth_and_exclusion(year, office):
    unregistered = firm(expense="2000000", registered=False)
    shrinking = firm(expense="2000000", previous="3000000")
    no_previous = firm(expense="2000000")
    growing = firm(expense="2000000", previous="1500000")
    excluded = firm(expense="2000000", previous="1000000")
    rd_subsidy.import_exclusions(cycle=year, rows=[(excluded.uscc, excluded.name, "失信被执行人")], by=office)
    r = rule(year, office, require_growth=True, min_intensity=D("0"))
    rd_subsidy.compute_candidates(rule=r, by=office)
    assert "registered" in cand(r, unregistered).failed
    assert cand(r, shrinking).failed == ["growth"]
    assert cand(r, no_previous).failed == ["growth"]
    assert cand(r, growing).qualified
    assert cand(r, excluded).failed == ["not_excluded"]

    r = rd_subsidy.update_rule(rule=r, values={"require_registration": False, "require_growth": False},
                               version=RdSubsidyRule.objects.get(pk=r.pk).version, by=office)
    rd_subsidy.compute_candidates(rule=r, by=office)
    assert cand(r, unregistered).qualified and cand(r, shrinking).qualified


def test_rule_base_on_increase(year, office):
    grew = firm(expense="3000000", previous="1000000")
    flat = firm(expense="3000000", previous="3000000")
    r = rule(year, office, base="increase", bands=[[None, "0.10"]], min_intensity=D("0"))
    rd_subsidy.compute_candidates(rule=r, by=office)
    assert cand(r, grew).base_amount == D("2000000") and cand(r, grew).computed == D("200000")
    assert cand(r, flat).failed == ["base_positive"]


def test_rule_cap_and_unit(year, office):
    big = firm(expense="9000000", revenue="90000000")
    odd = firm(expense="1234567", revenue="10000000")
    r = rule(year, office, bands=[[None, "0.10"]], cap=D("500000"), unit=D("100"), min_intensity=D("0"))
    rd_subsidy.compute_candidates(rule=r, by=office)
    assert cand(r, big).computed == D("500000")
    assert any(step[0] == "cap" for step in cand(r, big).explanation)
    assert cand(r, odd).computed == D("123400")  # 123,456.70 rounded down to 100 yuan


def test_budget_scaling_by_allocate(year, office):
    a = firm(expense="3000000")
    b = firm(expense="1000000")
    BudgetFactory(cycle=year, line=line("rd_post"), amount=D("200000"))
    r = rule(year, office, bands=[[None, "0.10"]], min_intensity=D("0"), cap=None)
    summary = rd_subsidy.compute_candidates(rule=r, by=office)
    assert summary["scaled"] and summary["asked"] == D("400000")
    assert cand(r, a).computed == D("150000") and cand(r, b).computed == D("50000")
    assert any(step[0] == "scaled" for step in cand(r, a).explanation)


def test_rule_is_copied_from_last_year(year, office):
    last = core.CycleFactory(year=YEAR - 1, is_current=False)
    old = rd_subsidy.rule_for_year(cycle=last, by=office)
    rd_subsidy.update_rule(rule=old, values={"base": "increase", "cap": D("300000")}, version=old.version, by=office)
    new = rd_subsidy.rule_for_year(cycle=year, by=office)
    assert new.base == "increase" and new.cap == D("300000") and new.figures_year == YEAR - 1


def test_bad_bands_refused(year, office):
    r = rule(year, office)
    for bands in ([[None, "0.1"], ["100", "0.1"]], [["100", "0.1"], ["50", "0.1"]], "x", [["a", "b"]], [["10", "2"]]):
        with pytest.raises(ValidationError):
            rd_subsidy.update_rule(rule=r, values={"bands": bands}, version=r.version, by=office)


def test_stale_rule_edit_refused(year, office):
    r = rule(year, office)
    rd_subsidy.update_rule(rule=r, values={"cap": D("1")}, version=r.version, by=office)
    with pytest.raises(StaleEdit):
        rd_subsidy.update_rule(rule=r, values={"cap": D("2")}, version=r.version, by=office)


def test_exclusion_import_all_or_nothing(year, office):
    good = EnterpriseFactory()
    with pytest.raises(ValidationError) as e:
        rd_subsidy.import_exclusions(cycle=year, rows=[(good.uscc, "", "失信"), ("123", "", ""), (good.uscc, "", "x")],
                                     by=office)
    assert len(e.value.messages) == 3
    assert not RdExclusion.objects.exists()


@pytest.fixture
def verifying(year, office, bureau):
    own = firm(expense="2000000", region="220100")
    other = firm(expense="2000000", region="220200")
    r = rule(year, office, min_intensity=D("0"))
    rd_subsidy.compute_candidates(rule=r, by=office)
    r = rd_subsidy.open_verification(rule=r, by=office, today=date(2026, 3, 2))
    return r, cand(r, own), cand(r, other)


def test_verification_deadline_in_working_days(verifying):
    r, _own, _other = verifying
    assert r.verification_due == date(2026, 3, 13)  # ten working days from Monday 2 March


def test_bureau_confirms_and_disputes_own_region_only(verifying, bureau, other_bureau):
    r, own, other = verifying
    with pytest.raises(ValidationError):
        rd_subsidy.verify_candidate(candidate=own, confirm=False, reason=" ", by=bureau, today=date(2026, 3, 3))
    rd_subsidy.verify_candidate(candidate=own, confirm=False, reason="迁出", by=bureau, today=date(2026, 3, 3))
    assert cand(r, own.enterprise).verification == "disputed"
    with pytest.raises(PermissionDenied):
        rd_subsidy.verify_candidate(candidate=other, confirm=True, by=bureau, today=date(2026, 3, 3))
    with pytest.raises(TransitionNotAllowed):
        rd_subsidy.verify_candidate(candidate=other, confirm=True, by=other_bureau, today=date(2026, 3, 16))


def test_disputes_decided_then_notice_then_grants(verifying, bureau, office):
    r, own, other = verifying
    rd_subsidy.verify_candidate(candidate=own, confirm=False, reason="经营异常", by=bureau, today=date(2026, 3, 3))
    with pytest.raises(TransitionNotAllowed):
        rd_subsidy.close_verification(rule=r, by=office, today=date(2026, 3, 16))  # a dispute is open
    with pytest.raises(ValidationError):
        rd_subsidy.decide_candidate(candidate=own, keep=False, reason="", by=office)
    rd_subsidy.decide_candidate(candidate=own, keep=False, reason="核实经营异常", by=office)
    with pytest.raises(ValidationError):
        rd_subsidy.adjust_amount(candidate=other, amount="1000", reason="", by=office)
    rd_subsidy.adjust_amount(candidate=other, amount="150000", reason="核减", by=office)
    with pytest.raises(TransitionNotAllowed):
        rd_subsidy.close_verification(rule=r, by=office, today=date(2026, 3, 13))  # deadline not passed
    r = rd_subsidy.close_verification(rule=r, by=office, today=date(2026, 3, 16))
    assert [c.enterprise_id for c in rd_subsidy.listed(r)] == [other.enterprise_id]
    r = rd_subsidy.publish_notice(rule=r, by=office, starts=date(2026, 3, 20))
    assert (r.notice_starts, r.notice_ends) == (date(2026, 3, 20), date(2026, 3, 26))
    with pytest.raises(TransitionNotAllowed):
        rd_subsidy.propose_grants(rule=r, by=office, today=date(2026, 3, 26))
    assert rd_subsidy.propose_grants(rule=r, by=office, today=date(2026, 3, 27)) == 1
    grant = Grant.objects.get()
    assert grant.amount == D("150000") and grant.line.code == "rd_post" and grant.region_id == other.region_id
    assert cand(r, other.enterprise).grant == grant


def test_recompute_refused_once_verifying(verifying, office):
    r, _own, _other = verifying
    with pytest.raises(TransitionNotAllowed):
        rd_subsidy.compute_candidates(rule=r, by=office)


def test_only_office_manages(year, bureau, expert):
    for user in (bureau, expert, None):
        with pytest.raises(PermissionDenied):
            rd_subsidy.rule_for_year(cycle=year, by=user)


def test_allocate_matches_exact_fractions():
    """The integer path of allocate gives what exact fractions give (largest remainder, ties by key)."""
    import random
    from fractions import Fraction
    from math import floor

    from funding.domain.allocation import allocate

    def reference(requests, budget, cap, unit):
        capped = {k: min(v, cap) if cap is not None else v for k, v in requests.items()}
        total = sum(capped.values(), D(0))
        if total <= budget:
            return {k: floor(Fraction(v) / Fraction(unit)) * unit for k, v in capped.items()}
        shares = {k: Fraction(v) * Fraction(budget) / Fraction(total) / Fraction(unit) for k, v in capped.items()}
        whole = {k: floor(s) for k, s in shares.items()}
        left = floor(Fraction(budget) / Fraction(unit)) - sum(whole.values())
        for k in sorted(capped, key=lambda k: (-(shares[k] - whole[k]), k)):
            if left <= 0:
                break
            if shares[k] - whole[k] > 0 and (whole[k] + 1) * unit <= capped[k]:
                whole[k] += 1
                left -= 1
        return {k: whole[k] * unit for k in capped}

    rng = random.Random(15)
    for _ in range(300):
        requests = {i: D(rng.randrange(0, 10_000_00)) / 100 for i in range(rng.randrange(1, 30))}
        budget = D(rng.randrange(0, 20_000_00)) / 100
        cap = rng.choice([None, D(rng.randrange(1, 5_000_00)) / 100])
        unit = rng.choice([D("1"), D("100"), D("0.01"), D("0.5")])
        assert allocate(requests, budget=budget, cap=cap, unit=unit) == reference(requests, budget, cap, unit)


def test_report_by_region_band_and_growth(year, office):
    firm(expense="2000000", previous="1000000", region="220100")
    firm(expense="8000000", previous="9000000", revenue="80000000", region="220200")
    r = rule(year, office, min_intensity=D("0"))
    rd_subsidy.compute_candidates(rule=r, by=office)
    rep = rd_subsidy.report(r)
    assert {row["label"] for row in rep["region"]} == {"长春市", "吉林市"}
    assert sorted(row["label"] for row in rep["band"]) == [0, 1]
    assert (rep["grew"], rep["with_previous"]) == (1, 2)
