"""Aggregating the experts' totals for one nomination, and per-expert normalisation.

`aggregate(scores, method)`:
    mean          the arithmetic mean
    median        the middle value (the mean of the two middle values for an even count)
    trimmed_mean  with at least five scores, drop ONE highest and ONE lowest and take the mean
                  of the rest; with fewer than five it is the plain mean
The result is a Decimal rounded to two places, half up. Exact decimal arithmetic throughout.

`normalised_totals(reviews)`: for rounds with `normalise` set, each expert's totals become
z-scores over that expert's submitted reviews in the round (an expert with one review, or who
gave every nomination the same total, gets 0), mapped back onto the round's overall scale
(overall mean + z × overall standard deviation) so the aggregate still reads like a score.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils.translation import gettext as _

METHODS = ("mean", "median", "trimmed_mean")
TWO_PLACES = Decimal("0.01")


def _as_decimal(value):
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError(_("A score must be a number, not %(value)r.") % {"value": value})
    else:
        try:
            result = Decimal(str(value))
        except (InvalidOperation, ValueError, TypeError):
            raise ValueError(_("A score must be a number, not %(value)r.") % {"value": value}) from None
    if not result.is_finite():
        raise ValueError(_("A score must be a number, not %(value)r.") % {"value": value})
    return result


def aggregate(scores, method):
    """Aggregate a list of numbers by "mean", "median" or "trimmed_mean"; a Decimal to 2 places (half up)."""
    if method not in METHODS:
        raise ValueError(
            _("Unknown aggregation method “%(method)s”; use one of: %(methods)s.")
            % {"method": method, "methods": ", ".join(METHODS)}
        )
    values = sorted(_as_decimal(s) for s in scores)
    if not values:
        raise ValueError(_("There are no scores to aggregate."))
    with localcontext() as ctx:
        ctx.prec = 34
        if method == "median":
            mid = len(values) // 2
            result = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
        else:
            if method == "trimmed_mean" and len(values) >= 5:
                values = values[1:-1]
            result = sum(values, Decimal(0)) / len(values)
        return result.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _mean_sd(values):
    n = len(values)
    mean = sum(values, Decimal(0)) / n
    if n < 2:
        return mean, Decimal(0)
    variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / n
    return mean, variance.sqrt()


def normalised_totals(rows):
    """rows: [(expert_id, item_id, total)] -> {(expert_id, item_id): normalised total} (Decimals)."""
    rows = [(e, i, _as_decimal(t)) for e, i, t in rows]
    if not rows:
        return {}
    with localcontext() as ctx:
        ctx.prec = 34
        overall_mean, overall_sd = _mean_sd([t for _, _, t in rows])
        by_expert = defaultdict(list)
        for e, _i, t in rows:
            by_expert[e].append(t)
        stats = {e: _mean_sd(ts) for e, ts in by_expert.items()}
        result = {}
        for e, i, t in rows:
            mean, sd = stats[e]
            z = (t - mean) / sd if sd else Decimal(0)
            result[(e, i)] = overall_mean + z * overall_sd
        return result
