"""Scoring rules (scaled, bands), weights and the tie rule, as plain functions and through a computation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment.domain import compute, scoring
from assessment.models import IndicatorResult, RegionResult
from pojian.models import Region
from tests import factories as core
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory

D = Decimal


def test_scaled_score_is_value_over_best_times_100():
    scores = scoring.score_values(scoring="scaled", bands=[], values={1: D(40), 2: D(30), 3: D(0), 4: None})
    assert scores == {1: D("100.00"), 2: D("75.00"), 3: D("0.00"), 4: D("0.00")}


def test_scaled_score_rounds_half_up_to_two_places():
    assert scoring.scaled_score(D(1), D(3)) == D("33.33")
    assert scoring.scaled_score(D(2), D(3)) == D("66.67")
    assert scoring.scaled_score(D("0.00005"), D("0.0001")) == D("50.00")


def test_scaled_score_when_every_region_has_zero():
    assert scoring.score_values(scoring="scaled", bands=[], values={1: D(0), 2: D(0)}) == {1: D("0.00"), 2: D("0.00")}


def test_band_score_takes_the_highest_band_reached():
    bands = [{"min": "5", "points": "100"}, {"min": "1", "points": "60"}, {"min": "3", "points": "80"}]
    got = {v: scoring.band_score(D(v), bands) for v in (0, 1, 2, 3, 4, 5, 9)}
    assert got == {0: D("0.00"), 1: D("60.00"), 2: D("60.00"), 3: D("80.00"), 4: D("80.00"), 5: D("100.00"), 9: D("100.00")}
    assert scoring.band_score(None, bands) == D("0.00")


def test_bands_parse_from_text_lines():
    assert scoring.parse_bands("20: 100\n10：60\n\n") == [{"min": "10", "points": "60"}, {"min": "20", "points": "100"}]


@pytest.mark.parametrize("bad", ["10 60", "x: 5", "10: 120", "10: 60\n10: 80", [[1]], "5: -1"])
def test_bands_refuse_bad_input(bad):
    with pytest.raises(ValidationError):
        scoring.parse_bands(bad)


def test_weighted_part_divides_by_the_sum_of_weights():
    assert scoring.weighted_part(D(80), D(20), D(100)) == D("16.00")
    assert scoring.weighted_part(D(80), D(2), D(3)) == D("53.33")
    assert scoring.weighted_part(D(80), D(2), D(0)) == D("0.00")


def test_rank_orders_by_total_then_heaviest_indicator():
    rows = [(1, D(70), [D(50), D(90)]), (2, D(80), [D(10), D(10)]), (3, D(70), [D(60), D(10)])]
    ranking = scoring.rank(rows, names={1: "甲", 2: "乙", 3: "丙"}, indicator_names=["重", "轻"])
    assert {r: v[0] for r, v in ranking.items()} == {2: 1, 3: 2, 1: 3}
    assert ranking[3][1] == {"with": ["甲"], "by": "重", "shared": False}
    assert ranking[2][1] == {}


def test_rank_shares_a_place_when_everything_is_equal_and_skips_the_next():
    rows = [(1, D(70), [D(50)]), (2, D(70), [D(50)]), (3, D(60), [D(40)]), (4, D(90), [D(90)])]
    ranking = scoring.rank(rows, names={1: "甲", 2: "乙", 3: "丙", 4: "丁"}, indicator_names=["一"])
    assert {r: v[0] for r, v in ranking.items()} == {4: 1, 1: 2, 2: 2, 3: 4}
    assert ranking[1][1]["shared"] and ranking[1][1]["with"] == ["乙"]


def test_tie_break_order_is_heaviest_first_then_as_listed():
    a, b, c = (type("I", (), {"weight": w, "order": o, "pk": o}) for w, o in ((D(1), 1), (D(5), 2), (D(1), 0)))
    assert scoring.tie_break_order([a, b, c]) == [b, c, a]


@pytest.mark.django_db
def test_computed_totals_use_weights_and_each_rule(cycle, office):
    """Two typed indicators for three regions, numbers chosen by hand:

    A (weight 3, scaled):  长春 50 → 100, 吉林 25 → 50, 四平 none → 0
    B (weight 1, bands ≥10: 40, ≥20: 100): 长春 5 → 0, 吉林 20 → 100, 四平 12 → 40
    total = (3·A + 1·B) / 4:  长春 75.00, 吉林 37.50 + 25.00 = 62.50, 四平 0 + 10.00 = 10.00
    """
    Region.objects.exclude(code__in=["220100", "220200", "220300"]).update(active=False)
    cc, jl, sp = (core.region(c) for c in ("220100", "220200", "220300"))
    a = IndicatorFactory(cycle=cycle, code="a", name="A", weight=D(3), scoring="scaled", order=1)
    b = IndicatorFactory(cycle=cycle, code="b", name="B", weight=D(1), scoring="bands", order=2,
                         bands=[{"min": "10", "points": "40"}, {"min": "20", "points": "100"}])
    for indicator, values in ((a, {cc: 50, jl: 25}), (b, {cc: 5, jl: 20, sp: 12})):
        for region, value in values.items():
            OfficeEntryFactory(indicator=indicator, region=region, value=D(value), entered_by=office)

    assessment = compute.compute_assessment(cycle=cycle, by=office)

    totals = {r.region.code: (r.total, r.rank) for r in RegionResult.objects.filter(assessment=assessment)}
    assert totals == {"220100": (D("75.00"), 1), "220200": (D("62.50"), 2), "220300": (D("10.00"), 3)}
    parts = {(r.indicator.code, r.region.code): (r.score, r.weighted) for r in IndicatorResult.objects.filter(assessment=assessment)}
    assert parts[("a", "220200")] == (D("50.00"), D("37.50"))
    assert parts[("b", "220300")] == (D("40.00"), D("10.00"))
    assert IndicatorResult.objects.get(indicator=a, region=sp).note == "missing"


@pytest.mark.django_db
def test_computed_tie_is_broken_by_the_heaviest_indicator(cycle, office):
    """吉林 and 四平 both total 43.75; 四平 scores higher on the heavier indicator and ranks first.

    heavy (weight 3, listed second): 吉林 25, 四平 50;  light (weight 1, listed first): 吉林 100, 四平 25
    吉林 = 25·3/4 + 100/4 = 18.75 + 25 = 43.75;  四平 = 50·3/4 + 25/4 = 37.50 + 6.25 = 43.75
    """
    Region.objects.exclude(code__in=["220200", "220300"]).update(active=False)
    jl, sp = core.region("220200"), core.region("220300")
    heavy = IndicatorFactory(cycle=cycle, code="heavy", name="重指标", weight=D(3), scoring="bands", order=2,
                             bands=[{"min": "1", "points": "25"}, {"min": "2", "points": "50"}])
    light = IndicatorFactory(cycle=cycle, code="light", name="轻指标", weight=D(1), scoring="bands", order=1,
                             bands=[{"min": "1", "points": "25"}, {"min": "2", "points": "100"}])
    for indicator, values in ((heavy, {jl: 1, sp: 2}), (light, {jl: 2, sp: 1})):
        for region, value in values.items():
            OfficeEntryFactory(indicator=indicator, region=region, value=D(value), entered_by=office)

    assessment = compute.compute_assessment(cycle=cycle, by=office)

    by_code = {r.region.code: r for r in RegionResult.objects.filter(assessment=assessment)}
    assert by_code["220200"].total == by_code["220300"].total == D("43.75")
    assert (by_code["220300"].rank, by_code["220200"].rank) == (1, 2)
    assert by_code["220300"].tie == {"with": ["吉林市"], "by": "重指标", "shared": False}


@pytest.mark.django_db
def test_computed_equal_regions_share_the_rank(cycle, office):
    Region.objects.exclude(code__in=["220100", "220200", "220300"]).update(active=False)
    indicator = IndicatorFactory(cycle=cycle, code="only", weight=D(1))
    for code, value in (("220100", 10), ("220200", 10), ("220300", 5)):
        OfficeEntryFactory(indicator=indicator, region=core.region(code), value=D(value), entered_by=office)

    assessment = compute.compute_assessment(cycle=cycle, by=office)

    ranks = dict(RegionResult.objects.filter(assessment=assessment).values_list("region__code", "rank"))
    assert ranks == {"220100": 1, "220200": 1, "220300": 3}
