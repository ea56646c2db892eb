from decimal import Decimal

import pytest
from django.utils import translation

from reviews.domain.aggregate import aggregate, normalised_totals


def test_aggregate_mean_rounds_half_up():
    assert aggregate([1, 2, 2], "mean") == Decimal("1.67")
    assert aggregate([Decimal("0.125"), Decimal("0.125")], "mean") == Decimal("0.13")  # half up, not to even
    assert aggregate(["80.005"], "mean") == Decimal("80.01")


def test_aggregate_returns_decimal_with_two_places():
    result = aggregate([80, 90], "mean")
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2
    assert result == Decimal("85.00")


def test_aggregate_median_odd_and_even():
    assert aggregate([70, 90, 80], "median") == Decimal("80.00")
    assert aggregate([70, 90, 80, 85], "median") == Decimal("82.50")
    assert aggregate([Decimal("70.01"), Decimal("70.02")], "median") == Decimal("70.02")  # 70.015 half up


def test_aggregate_trimmed_mean_drops_one_highest_and_one_lowest_with_five():
    # 10 and 100 dropped: mean of 60, 70, 80
    assert aggregate([100, 60, 10, 80, 70], "trimmed_mean") == Decimal("70.00")


def test_aggregate_trimmed_mean_drops_only_one_of_tied_extremes():
    # two 90s at the top and two 50s at the bottom: only one of each goes
    assert aggregate([90, 90, 50, 50, 70, 80], "trimmed_mean") == Decimal("72.50")


def test_aggregate_trimmed_mean_with_fewer_than_five_is_the_mean():
    assert aggregate([10, 90, 50, 70], "trimmed_mean") == aggregate([10, 90, 50, 70], "mean") == Decimal("55.00")
    assert aggregate([42], "trimmed_mean") == Decimal("42.00")


def test_aggregate_ties_all_equal():
    for method in ("mean", "median", "trimmed_mean"):
        assert aggregate([75] * 7, method) == Decimal("75.00")


def test_aggregate_accepts_floats_exactly_as_written():
    assert aggregate([0.1, 0.2], "mean") == Decimal("0.15")  # Decimal(str(x)), no binary noise


def test_aggregate_empty_list_is_a_clear_error():
    with translation.override("en"), pytest.raises(ValueError, match="no scores"):
        aggregate([], "mean")
    with translation.override("zh-hans"), pytest.raises(ValueError, match="得分"):
        aggregate([], "mean")


def test_aggregate_unknown_method_is_a_clear_error():
    with translation.override("en"), pytest.raises(ValueError, match="Unknown aggregation method"):
        aggregate([1], "average")


@pytest.mark.parametrize("bad", [None, "abc", float("nan"), True])
def test_aggregate_refuses_non_numbers(bad):
    with pytest.raises(ValueError):
        aggregate([1, bad], "mean")


def test_normalised_totals_remove_a_harsh_experts_offset():
    # Expert 1 scores everything 20 points lower than expert 2; after normalisation both agree.
    rows = [(1, "a", 60), (1, "b", 70), (1, "c", 50), (2, "a", 80), (2, "b", 90), (2, "c", 70)]
    norm = normalised_totals(rows)
    for item in "abc":
        assert norm[(1, item)] == norm[(2, item)]
    assert norm[(1, "b")] > norm[(1, "a")] > norm[(1, "c")]


def test_normalised_totals_single_review_or_constant_expert_is_centred():
    rows = [(1, "a", 60), (2, "a", 80), (2, "b", 80), (3, "a", 50), (3, "b", 90)]
    norm = normalised_totals(rows)
    overall_mean = Decimal(360) / 5
    assert norm[(1, "a")] == overall_mean
    assert norm[(2, "a")] == norm[(2, "b")] == overall_mean
    assert norm[(3, "b")] > overall_mean > norm[(3, "a")]


def test_normalised_totals_empty():
    assert normalised_totals([]) == {}
