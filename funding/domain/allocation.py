"""Allocation helpers every rule-based funding line uses (pinned API; see issue 14).

- `allocate` scales capped requests to a budget by largest remainder, in whole units rounded down.
- `tiered` applies marginal bands to a base, like income tax.

Money is exact: Decimal in and out; shares are computed as exact integers, never floats.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def _decimal(value, what):
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal or an int, not a float: {value!r}")
    d = Decimal(value)
    if not d.is_finite():
        raise ValueError(f"{what} must be finite: {value!r}")
    return d


def _scaled(d: Decimal, places: int) -> int:
    """d × 10**places as an exact integer (no context rounding, whatever the number of digits)."""
    sign, digits, exponent = d.as_tuple()
    n = int("".join(map(str, digits)) or "0") * 10 ** (exponent + places)
    return -n if sign else n


def _key_order(keys):
    """Keys in their sorted order when they compare, else in the order given."""
    try:
        return sorted(keys)
    except TypeError:
        return list(keys)


def allocate(requests, *, budget, cap=None, unit=Decimal("1")) -> dict:
    """Grant each key its request, capped at `cap`, within `budget`, in whole multiples of `unit`.

    `requests` is a mapping (or pairs) of key → amount. If the capped total fits the budget, each
    key gets its capped request rounded down to the unit. Otherwise shares are proportional to the
    capped requests, rounded down to the unit, and the units left over (up to the budget rounded
    down to the unit) go one each to the largest remainders, ties by key order. No key ever gets
    more than its capped request. A negative request, budget or cap, or a unit ≤ 0, is a ValueError.
    """
    pairs = list(requests.items() if isinstance(requests, Mapping) else requests)
    unit = _decimal(unit, "unit")
    if unit <= 0:
        raise ValueError(f"unit must be positive: {unit}")
    budget = _decimal(budget, "budget")
    if budget < 0:
        raise ValueError(f"budget must not be negative: {budget}")
    if cap is not None:
        cap = _decimal(cap, "cap")
        if cap < 0:
            raise ValueError(f"cap must not be negative: {cap}")
    capped = {}
    for key, amount in pairs:
        if key in capped:
            raise ValueError(f"duplicate key: {key!r}")
        amount = _decimal(amount, f"request {key!r}")
        if amount < 0:
            raise ValueError(f"request {key!r} is negative: {amount}")
        capped[key] = min(amount, cap) if cap is not None else amount

    # Exact integer arithmetic: every amount times 10**places is a whole number, so the shares,
    # their whole units and their remainders compare as integers over one common denominator
    # (the same results as exact fractions, several times faster on large sets).
    places = max([0, *(-d.as_tuple().exponent for d in (unit, budget, *capped.values()) if d.as_tuple().exponent < 0)])
    u = _scaled(unit, places)
    ints = {key: _scaled(amount, places) for key, amount in capped.items()}
    total = sum(ints.values())
    b = _scaled(budget, places)
    if total <= b:
        return {key: (c // u) * unit for key, c in ints.items()}

    # Proportional shares, exact: share = capped × budget / total, in units of `unit`.
    denominator = total * u
    whole, remainder = {}, {}
    for key, c in ints.items():
        whole[key], remainder[key] = divmod(c * b, denominator)
    left = b // u - sum(whole.values())
    position = {key: i for i, key in enumerate(_key_order(capped))}
    for key in sorted(capped, key=lambda k: (-remainder[k], position[k])):
        if left <= 0:
            break
        # One more unit only where it stays within the capped request.
        if remainder[key] > 0 and (whole[key] + 1) * u <= ints[key]:
            whole[key] += 1
            left -= 1
    return {key: whole[key] * unit for key in capped}


def tiered(base, bands) -> Decimal:
    """Marginal bands: each part of `base` within a band is multiplied by that band's rate.

    `bands` is [(upper bound or None, rate), …] ascending. Above the last bound nothing counts
    unless that bound is None. A base ≤ 0 gives 0. The result is rounded half up to 0.01.
    """
    base = _decimal(base, "base")
    bands = [(None if upper is None else _decimal(upper, "band bound"), _decimal(rate, "rate")) for upper, rate in bands]
    lower = Decimal(0)
    for i, (upper, rate) in enumerate(bands):
        if upper is None and i != len(bands) - 1:
            raise ValueError("only the last band may be open (None)")
        if upper is not None and upper <= lower:
            raise ValueError(f"band bounds must ascend and be positive: {upper}")
        if rate < 0:
            raise ValueError(f"a rate must not be negative: {rate}")
        if upper is not None:
            lower = upper
    if base <= 0:
        return Decimal("0.00")
    total, lower = Decimal(0), Decimal(0)
    for upper, rate in bands:
        if base <= lower:
            break
        top = base if upper is None else min(base, upper)
        total += (top - lower) * rate
        if upper is None:
            break
        lower = upper
    return total.quantize(CENT, rounding=ROUND_HALF_UP)
