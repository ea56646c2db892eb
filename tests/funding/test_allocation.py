"""The pinned allocation helpers: examples worked by hand, and properties over many inputs."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.domain.allocation import allocate, tiered

# ------------------------------------------------------------------ allocate: examples


def test_allocate_fits_budget_gives_each_its_request_rounded_down():
    assert allocate({"a": D("100.9"), "b": D("50")}, budget=D("1000")) == {"a": D("100"), "b": D("50")}


def test_allocate_caps_each_request():
    assert allocate({"a": D("800"), "b": D("100")}, budget=D("10000"), cap=D("500")) == {"a": D("500"), "b": D("100")}


def test_allocate_scales_proportionally_when_over_budget():
    # capped total 300 > budget 150: exactly half each.
    assert allocate({"a": D("200"), "b": D("100")}, budget=D("150")) == {"a": D("100"), "b": D("50")}


def test_allocate_leftover_units_go_to_largest_remainders():
    # shares 100 × 10/30 = 3.33.. each plus c: 3 × 3 = 9, one unit left; all remainders equal → key order.
    result = allocate({"b": D("100"), "a": D("100"), "c": D("100")}, budget=D("10"))
    assert result == {"a": D("4"), "b": D("3"), "c": D("3")}


def test_allocate_largest_remainder_beats_key_order():
    # shares: a = 10 × 1/3 = 3.33, b = 10 × 2/3 = 6.67 → floors 3 + 6 = 9, b has the larger remainder.
    assert allocate({"a": D("1"), "b": D("2")}, budget=D("10"), unit=D("1")) == {"a": D("1"), "b": D("2")}
    assert allocate({"a": D("100"), "b": D("200")}, budget=D("10")) == {"a": D("3"), "b": D("7")}


def test_allocate_unit_of_ten_thousand():
    result = allocate({"x": D("300000"), "y": D("300000"), "z": D("300000")}, budget=D("500000"), unit=D("10000"))
    # shares 166,666.67 each: 16 units each (480,000), 2 units left → x and y by key order.
    assert result == {"x": D("170000"), "y": D("170000"), "z": D("160000")}


def test_allocate_never_exceeds_capped_request_with_leftover():
    # a's share 10.45 floors to 10; a further unit would give 11 > 10.5, so it goes to b instead.
    result = allocate({"a": D("10.5"), "b": D("100")}, budget=D("100"))
    assert result["a"] <= D("10.5")
    assert result["a"] + result["b"] <= D("100")


def test_allocate_negative_request_raises():
    with pytest.raises(ValueError):
        allocate({"a": D("-1")}, budget=D("10"))


def test_allocate_negative_budget_raises():
    with pytest.raises(ValueError):
        allocate({"a": D("1")}, budget=D("-10"))


def test_allocate_zero_unit_raises():
    with pytest.raises(ValueError):
        allocate({"a": D("1")}, budget=D("10"), unit=D("0"))


def test_allocate_float_refused():
    with pytest.raises(TypeError):
        allocate({"a": 1.5}, budget=D("10"))


def test_allocate_empty_gives_empty():
    assert allocate({}, budget=D("10")) == {}


def test_allocate_accepts_pairs():
    assert allocate([("a", D("5")), ("b", D("5"))], budget=D("6")) == {"a": D("3"), "b": D("3")}


# ------------------------------------------------------------------ allocate: properties

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
units = st.sampled_from([D("1"), D("0.01"), D("100"), D("10000")])
request_maps = st.dictionaries(st.text(alphabet="abcdefghij", min_size=1, max_size=3), money, max_size=12)


def _floor_to(amount, unit):
    return (amount // unit) * unit


@settings(max_examples=300, deadline=None)
@given(requests=request_maps, budget=money, cap=st.one_of(st.none(), money), unit=units)
def test_allocate_properties_hold(requests, budget, cap, unit):
    result = allocate(requests, budget=budget, cap=cap, unit=unit)
    assert set(result) == set(requests)
    for key, amount in result.items():
        capped = min(requests[key], cap) if cap is not None else requests[key]
        assert D(0) <= amount <= capped  # never more than the capped request
        assert amount % unit == 0  # whole multiples of the unit
    assert sum(result.values(), D(0)) <= _floor_to(budget, unit)  # sum within the budget rounded down


@settings(max_examples=200, deadline=None)
@given(requests=request_maps, budget=money, unit=units)
def test_allocate_fitting_budget_gives_rounded_requests(requests, budget, unit):
    total = sum(requests.values(), D(0))
    if total > budget:
        budget = total
    result = allocate(requests, budget=budget, unit=unit)
    assert result == {k: _floor_to(v, unit) for k, v in requests.items()}


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=2, max_value=9), request=st.integers(min_value=1, max_value=10_000),
       budget=st.integers(min_value=1, max_value=100_000))
def test_allocate_equal_requests_tie_by_key_order(n, request, budget):
    keys = [f"k{i}" for i in range(n)]
    if request * n <= budget:
        budget = request * n - 1
    result = allocate({k: D(request) for k in reversed(keys)}, budget=D(budget))
    amounts = [result[k] for k in keys]
    # Equal requests, equal remainders: the extra units go to the first keys, one each.
    assert amounts == sorted(amounts, reverse=True)
    assert max(amounts) - min(amounts) <= 1
    assert sum(amounts) == budget


@settings(max_examples=200, deadline=None)
@given(requests=st.dictionaries(st.integers(0, 50), st.integers(1, 10**7), min_size=1, max_size=20),
       budget=st.integers(0, 10**7))
def test_allocate_integer_requests_use_whole_budget_when_over(requests, budget):
    total = sum(requests.values())
    if total <= budget:
        return
    result = allocate({k: D(v) for k, v in requests.items()}, budget=D(budget))
    # With whole-unit requests every leftover unit can be placed: the budget is spent exactly.
    assert sum(result.values()) == budget


@settings(max_examples=100, deadline=None)
@given(requests=request_maps, bad=st.decimals(max_value=D("-0.01"), min_value=-1000, places=2))
def test_allocate_any_negative_request_raises(requests, bad):
    requests = {**requests, "neg": bad}
    with pytest.raises(ValueError):
        allocate(requests, budget=D("1000"))


# ------------------------------------------------------------------ tiered

SANMING = [(D("100000"), D("0.01")), (D("1000000"), D("0.005")), (None, D("0.001"))]


def test_tiered_marginal_bands_like_sanming():
    # 1 % of 100,000 + 0.5 % of 900,000 + 0.1 % of 500,000 = 1,000 + 4,500 + 500.
    assert tiered(D("1500000"), SANMING) == D("6000.00")


def test_tiered_within_first_band():
    assert tiered(D("50000"), SANMING) == D("500.00")


def test_tiered_nothing_above_closed_last_band():
    bands = [(D("100"), D("0.1")), (D("200"), D("0.05"))]
    assert tiered(D("1000"), bands) == D("15.00")


def test_tiered_non_positive_base_gives_zero():
    assert tiered(D("0"), SANMING) == D("0")
    assert tiered(D("-5"), SANMING) == D("0")


def test_tiered_rounds_half_up_to_cents():
    assert tiered(D("0.5"), [(None, D("0.01"))]) == D("0.01")  # 0.005 → 0.01
    assert tiered(D("0.4"), [(None, D("0.01"))]) == D("0.00")  # 0.004 → 0.00


def test_tiered_open_band_not_last_raises():
    with pytest.raises(ValueError):
        tiered(D("10"), [(None, D("0.1")), (D("100"), D("0.2"))])


def test_tiered_descending_bounds_raise():
    with pytest.raises(ValueError):
        tiered(D("10"), [(D("100"), D("0.1")), (D("50"), D("0.2"))])


@settings(max_examples=200, deadline=None)
@given(a=money, b=money)
def test_tiered_is_monotone_and_never_above_top_rate(a, b):
    low, high = sorted([a, b])
    assert tiered(low, SANMING) <= tiered(high, SANMING)
    assert tiered(high, SANMING) <= (high * D("0.01")).quantize(D("0.01")) + D("0.01")
