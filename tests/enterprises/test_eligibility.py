"""The 四科 standard, criterion by criterion: at, just below and just above every threshold."""

from decimal import Decimal

import pytest
from django.utils import translation

from enterprises.domain.eligibility import CRITERIA, describe, evaluate

YEAR = 2026

# Figures that meet every criterion; each test changes one thing.
GOOD = {
    "year": YEAR,
    "revenue": Decimal("50000000"),
    "employees": 100,
    "tech_staff": 70,
    "has_core_tech_product": True,
    "high_value_ip": 4,
    "transfers": 2,
    "rd_expense": Decimal("5000000"),
    "registered_year": YEAR,
}


def check(**changes):
    return evaluate(**{**GOOD, **changes})


def test_evaluate_good_figures_are_eligible():
    result = check()
    assert result.eligible is True
    assert result.failed == []
    assert [c.code for c in result.criteria] == list(CRITERIA)


# --- revenue: 不超过2亿元 (≤) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("revenue", "passed"),
    [
        (Decimal("200000000.00"), True),  # at: 不超过 includes it
        (Decimal("199999999.99"), True),  # just below
        (Decimal("200000000.01"), False),  # just above
    ],
)
def test_evaluate_revenue_threshold(revenue, passed):
    # Keep R&D intensity above 6 % whatever the revenue, so only revenue is in question.
    result = check(revenue=revenue, rd_expense=Decimal("20000000"))
    assert ("revenue" in result.failed) is (not passed)
    assert result["revenue"].passed is passed


def test_evaluate_revenue_accepts_int_and_decimal_string():
    assert check(revenue=200_000_000, rd_expense=20_000_000)["revenue"].passed
    assert check(revenue="200000000.00", rd_expense="20000000")["revenue"].passed
    assert not check(revenue=" 200000000.01 ", rd_expense="20000000")["revenue"].passed


def test_evaluate_money_refuses_float():
    with pytest.raises(TypeError):
        check(revenue=1e6)
    with pytest.raises(TypeError):
        check(rd_expense=0.1)


def test_evaluate_money_refuses_garbage_and_negative():
    with pytest.raises(ValueError):
        check(revenue="12a")
    with pytest.raises(ValueError):
        check(rd_expense=Decimal("-1"))


def test_evaluate_revenue_missing_fails_revenue_and_rd_intensity():
    result = check(revenue=None)
    assert result.failed == ["revenue", "rd_intensity"]
    assert result["revenue"].note == "missing"


# --- employees: 不超过500人 (≤) ---------------------------------------------------------------


@pytest.mark.parametrize(("employees", "passed"), [(500, True), (499, True), (501, False)])
def test_evaluate_employees_threshold(employees, passed):
    # 80 % S&T staff whatever the head count, so only the head count is in question.
    result = check(employees=employees, tech_staff=employees * 8 // 10 + 1)
    assert result.failed == ([] if passed else ["employees"])


# --- core-technology product -----------------------------------------------------------------


def test_evaluate_core_tech_product_missing_fails():
    assert check(has_core_tech_product=False).failed == ["core_tech_product"]
    assert check(has_core_tech_product=True).failed == []


# --- tech staff ratio: 大于60% (strictly >) ---------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "tech_staff", "passed"),
    [
        (100, 60, False),  # at: exactly 60 % is not "大于"
        (100, 59, False),  # just below
        (100, 61, True),  # just above
        (1000 - 500, 300, False),  # 60 % of 500 exactly
        (500, 301, True),  # 60.2 %
        (3, 2, True),  # 66.67 %: not a round number
        (5, 3, False),  # 60 % from a fraction
    ],
)
def test_evaluate_tech_staff_ratio_threshold(employees, tech_staff, passed):
    result = check(employees=employees, tech_staff=tech_staff)
    assert result.failed == ([] if passed else ["tech_staff_ratio"])


def test_evaluate_tech_staff_ratio_just_above_sixty_is_shown_precisely():
    # 60.001 %: rounding to 2 places would show "60.00%", which would look like a failure.
    result = check(employees=100000, tech_staff=60001)
    assert result["tech_staff_ratio"].passed
    assert result["tech_staff_ratio"].value == "60.0010"


def test_evaluate_zero_employees_fails_tech_staff_ratio():
    result = check(employees=0, tech_staff=0)
    assert result.failed == ["tech_staff_ratio"]
    assert result["tech_staff_ratio"].note == "no_employees"


def test_evaluate_missing_tech_staff_fails_ratio():
    assert check(tech_staff=None).failed == ["tech_staff_ratio"]


# --- high-value IP + transfers: 合计超过5项 (strictly >) --------------------------------------


@pytest.mark.parametrize(
    ("ip", "transfers", "passed"),
    [(5, 0, False), (3, 2, False), (4, 0, False), (6, 0, True), (3, 3, True), (0, 6, True), (0, 0, False)],
)
def test_evaluate_ip_and_transfers_threshold(ip, transfers, passed):
    result = check(high_value_ip=ip, transfers=transfers)
    assert result.failed == ([] if passed else ["ip_and_transfers"])
    assert result["ip_and_transfers"].value == ip + transfers


# --- R&D intensity: 高于6% (strictly >) --------------------------------------------------------


@pytest.mark.parametrize(
    ("rd_expense", "revenue", "passed"),
    [
        (Decimal("6000000"), Decimal("100000000"), False),  # at: exactly 6 %
        (Decimal("5999999.99"), Decimal("100000000"), False),  # just below
        (Decimal("6000000.01"), Decimal("100000000"), True),  # just above
        (Decimal("0.06"), Decimal("1.00"), False),  # exactly 6 % of one yuan
        (Decimal("0.07"), Decimal("1.00"), True),
        ("3", "50", False),  # 6 % as strings
        (1, 16, True),  # 6.25 %
    ],
)
def test_evaluate_rd_intensity_threshold(rd_expense, revenue, passed):
    result = check(rd_expense=rd_expense, revenue=revenue)
    assert result.failed == ([] if passed else ["rd_intensity"])


def test_evaluate_rd_intensity_is_exact_where_float_would_not_be():
    # Exactly 6 %; in floats 4293139.86 / 71552331 * 100 comes out as 6.000000000000001.
    rd, revenue = Decimal("4293139.86"), Decimal("71552331")
    assert float(rd) / float(revenue) * 100 > 6  # the trap
    result = check(rd_expense=rd, revenue=revenue)
    assert result.failed == ["rd_intensity"]
    assert result["rd_intensity"].value == "6.00"


def test_evaluate_zero_revenue_fails_rd_intensity_with_explanation():
    result = check(revenue=Decimal("0"), rd_expense=Decimal("100"))
    assert result.failed == ["rd_intensity"]
    assert result["rd_intensity"].note == "no_revenue"
    with translation.override("en"):
        assert "no sales revenue" in result["rd_intensity"].text


def test_evaluate_missing_rd_expense_fails_rd_intensity():
    result = check(rd_expense=None)
    assert result.failed == ["rd_intensity"]
    assert result["rd_intensity"].note == "missing"


# --- registered: 入库 for that very year -------------------------------------------------------


@pytest.mark.parametrize(("registered_year", "passed"), [(YEAR, True), (YEAR - 1, False), (YEAR + 1, False), (None, False)])
def test_evaluate_registration_must_be_for_the_year(registered_year, passed):
    result = check(registered_year=registered_year)
    assert result.failed == ([] if passed else ["registered"])


# --- several failures, and the order ------------------------------------------------------------


def test_evaluate_failed_codes_keep_the_table_order():
    result = check(
        revenue=Decimal("300000000"), employees=600, tech_staff=100, has_core_tech_product=False,
        high_value_ip=1, transfers=1, rd_expense=Decimal("1"), registered_year=None,
    )
    assert result.eligible is False
    assert result.failed == list(CRITERIA)


# --- explanations in the reader's language ----------------------------------------------------


def test_describe_in_chinese_and_english():
    result = check(revenue=Decimal("250000000"), rd_expense=Decimal("20000000"))
    entry = result["revenue"].as_dict()
    with translation.override("zh-hans"):
        zh = describe(entry)
    with translation.override("en"):
        en = describe(entry)
    with translation.override("zh-hans"):
        not_met = translation.gettext("not met")
    assert not_met != "not met"  # the Chinese catalogue has it
    assert "250,000,000.00" in zh and not_met in zh and "销售收入" in zh
    assert "250,000,000.00" in en and "not met" in en and "Sales revenue" in en


def test_explanation_entries_have_value_threshold_and_outcome():
    result = check(employees=100, tech_staff=60)
    entry = result["tech_staff_ratio"].as_dict()
    assert entry == {"code": "tech_staff_ratio", "passed": False, "value": "60.00", "threshold": "60", "note": ""}
    with translation.override("en"):
        assert "60.00%" in result["tech_staff_ratio"].text
        assert "more than 60%" in result["tech_staff_ratio"].text


# --- the interface the issue fixes ----------------------------------------------------------------


def test_evaluate_signature_is_keyword_only_with_the_issues_names():
    import inspect

    params = inspect.signature(evaluate).parameters
    assert list(params) == ["year", "revenue", "employees", "tech_staff", "has_core_tech_product", "high_value_ip",
                            "transfers", "rd_expense", "registered_year", "rulebook", "on"]
    assert params["rulebook"].default is None and params["on"].default is None
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    with pytest.raises(TypeError):
        evaluate(YEAR, Decimal("1"), 1, 1, True, 6, 0, Decimal("1"), YEAR)  # positional: refused


def test_criterion_codes_are_exactly_those_of_the_design_table():
    assert CRITERIA == ("revenue", "employees", "core_tech_product", "tech_staff_ratio", "ip_and_transfers",
                        "rd_intensity", "registered")
    worst = check(revenue=None, employees=None, tech_staff=None, has_core_tech_product=False, high_value_ip=0,
                  transfers=0, rd_expense=None, registered_year=None)
    assert worst.failed == ["revenue", "employees", "core_tech_product", "tech_staff_ratio", "ip_and_transfers",
                            "rd_intensity", "registered"]


def test_every_criterion_explains_value_threshold_and_outcome_in_chinese():
    result = check(employees=600, tech_staff=300)
    with translation.override("zh-hans"):
        met, not_met = translation.gettext("met"), translation.gettext("not met")
        texts = {c.code: c.text for c in result.criteria}
    assert set(texts) == set(CRITERIA)
    assert "600" in texts["employees"] and "500" in texts["employees"] and not_met in texts["employees"]
    assert "50.00%" in texts["tech_staff_ratio"] and "60%" in texts["tech_staff_ratio"]
    assert met in texts["revenue"] and not_met not in texts["revenue"]  # 50,000,000 is within the limit
    assert all(not any(word in t for word in ("Sales revenue", "Employees", "required")) for t in texts.values())


# --- revenue 0, employees 0, the registration -----------------------------------------------------


def test_evaluate_zero_revenue_passes_revenue_but_fails_rd_intensity_even_with_rd_expense_zero():
    for rd_expense in (Decimal("0"), 0, "0.00", Decimal("100")):
        result = check(revenue=0, rd_expense=rd_expense)
        assert result["revenue"].passed  # 0 is not more than 2亿
        assert result.failed == ["rd_intensity"]
        assert result["rd_intensity"].note == "no_revenue" and result["rd_intensity"].value is None
    with translation.override("zh-hans"):
        assert "没有销售收入" in check(revenue="0")["rd_intensity"].text


def test_evaluate_zero_employees_passes_employees_but_fails_tech_staff_ratio_with_explanation():
    result = check(employees=0, tech_staff=0)
    assert result["employees"].passed
    assert result.failed == ["tech_staff_ratio"]
    assert result["tech_staff_ratio"].value is None
    with translation.override("en"):
        assert "no employees" in result["tech_staff_ratio"].text
    with translation.override("zh-hans"):
        assert translation.gettext("cannot be computed: no employees") in result["tech_staff_ratio"].text
        assert "cannot be computed" not in result["tech_staff_ratio"].text


def test_evaluate_registration_of_another_year_says_which_year():
    result = check(registered_year=YEAR - 1)
    criterion = result["registered"]
    assert not criterion.passed and criterion.note == "other_year" and criterion.value == YEAR - 1
    assert criterion.threshold == str(YEAR)
    with translation.override("en"):
        assert str(YEAR - 1) in criterion.text and str(YEAR) in criterion.text


def test_evaluate_registration_none_is_not_registered():
    criterion = check(registered_year=None)["registered"]
    assert not criterion.passed and criterion.note == "missing"
    with translation.override("en"):
        assert "not registered" in criterion.text


@pytest.mark.parametrize(
    ("revenue", "passed"),
    [(200_000_000, True), (199_999_999, True), (200_000_001, False), ("200000000", True), ("200000000.01", False)],
)
def test_evaluate_revenue_threshold_as_int_and_string(revenue, passed):
    result = check(revenue=revenue, rd_expense=20_000_000)
    assert result.failed == ([] if passed else ["revenue"])


@pytest.mark.parametrize(("ip", "transfers", "passed"), [(5, 0, False), (0, 5, False), (5, 1, True), (1, 5, True)])
def test_evaluate_results_at_and_just_above_five_from_either_side(ip, transfers, passed):
    assert check(high_value_ip=ip, transfers=transfers).eligible is passed
