"""Scoring the indicators, weighting them, and ranking the regions with an explicit tie rule.

Scores are on a 0–100 scale, Decimal, rounded to two places (half up):

    scaled   score = value ÷ (the best region's value) × 100; 0 when the best value is 0 or less,
             and for a region with no value or a negative one
    bands    the points of the highest band whose threshold the value reaches (value ≥ threshold);
             0 below the lowest band or with no value

Weighted part of an indicator = score × weight ÷ (sum of the year's weights), rounded to two
places; the total is the sum of the weighted parts as shown, so the table always adds up and the
total stays on the 0–100 scale whatever the weights add up to.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TWO = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")

TIE_RULE = gettext_lazy(
    "Regions are ranked by weighted total, highest first. When totals are equal, the region with the "
    "higher score on the most heavily weighted indicator ranks first, then the next most heavily weighted "
    "indicator, and so on (equal weights: in the order the indicators are listed). Regions equal on the "
    "total and on every indicator share the rank, and the next rank is skipped (1, 2, 2, 4)."
)


def q2(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def as_decimal(value, *, field=""):
    if isinstance(value, bool):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not result.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    return result


def parse_bands(raw):
    """Bands as stored: [{"min": "10", "points": "60"}, ...], sorted by threshold, validated.

    Accepts the stored form, [[threshold, points], ...], or text with one "threshold: points" a line.
    """
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        pairs = []
        for number, line in enumerate(raw.replace("：", ":").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            if ":" not in line:
                raise ValidationError(
                    _("Line %(n)d: write “threshold: points”, e.g. “20: 100”.") % {"n": number}
                )
            left, right = line.split(":", 1)
            pairs.append((left, right))
    elif isinstance(raw, (list, tuple)):
        pairs = []
        for band in raw:
            if isinstance(band, dict):
                pairs.append((band.get("min"), band.get("points")))
            elif isinstance(band, (list, tuple)) and len(band) == 2:
                pairs.append((band[0], band[1]))
            else:
                raise ValidationError(_("Each band needs a threshold and points."))
    else:
        raise ValidationError(_("Each band needs a threshold and points."))
    bands = []
    for threshold, points in pairs:
        t = as_decimal(threshold)
        p = as_decimal(points)
        if p < ZERO or p > HUNDRED:
            raise ValidationError(_("Points must be between 0 and 100 (got %(p)s).") % {"p": p})
        bands.append((t, p))
    bands.sort(key=lambda b: b[0])
    thresholds = [t for t, _p in bands]
    if len(set(thresholds)) != len(thresholds):
        raise ValidationError(_("Two bands have the same threshold."))
    return [{"min": str(t), "points": str(p)} for t, p in bands]


def bands_as_text(bands) -> str:
    return "\n".join(f"{b['min']}: {b['points']}" for b in (bands or []))


def band_score(value, bands) -> Decimal:
    if value is None:
        return q2(ZERO)
    points = ZERO
    for band in parse_bands(bands):
        if Decimal(value) >= Decimal(band["min"]):
            points = Decimal(band["points"])
    return q2(points)


def scaled_score(value, best) -> Decimal:
    if value is None or best is None or best <= ZERO or value <= ZERO:
        return q2(ZERO)
    return q2(Decimal(value) / Decimal(best) * HUNDRED)


def score_values(*, scoring, bands, values):
    """{region_id: value or None} -> {region_id: score} for one indicator."""
    if scoring == "bands":
        return {r: band_score(v, bands) for r, v in values.items()}
    present = [v for v in values.values() if v is not None]
    best = max(present) if present else None
    return {r: scaled_score(v, best) for r, v in values.items()}


def weighted_part(score, weight, weight_sum) -> Decimal:
    if not weight_sum:
        return q2(ZERO)
    return q2(Decimal(score) * Decimal(weight) / Decimal(weight_sum))


def tie_break_order(indicators):
    """The indicators in the order the tie rule looks at them: heaviest first, then as listed."""
    return sorted(indicators, key=lambda i: (-Decimal(i.weight), i.order, i.pk))


def rank(rows, *, names=None, indicator_names=None):
    """rows: [(region_id, total, [score on each indicator in tie-break order])].

    Returns {region_id: (rank, tie)} with tie = {} when the total is unique, else
    {"with": [other region names], "by": deciding indicator name or "", "shared": bool}.
    """
    names = names or {}
    indicator_names = indicator_names or []
    keyed = sorted(rows, key=lambda r: (-Decimal(r[1]), [-Decimal(s) for s in r[2]], str(names.get(r[0], r[0]))))
    result = {}
    previous_key = None
    previous_rank = 0
    for position, (region_id, total, scores) in enumerate(keyed, start=1):
        key = (Decimal(total), [Decimal(s) for s in scores])
        current_rank = previous_rank if key == previous_key else position
        result[region_id] = [current_rank, {}]
        previous_key, previous_rank = key, current_rank
    # Explain the ties on the total.
    by_total = {}
    for region_id, total, scores in keyed:
        by_total.setdefault(Decimal(total), []).append((region_id, [Decimal(s) for s in scores]))
    for group in by_total.values():
        if len(group) < 2:
            continue
        deciding = ""
        for i in range(len(indicator_names)):
            if len({tuple([s[1][i]]) for s in group}) > 1:
                deciding = str(indicator_names[i])
                break
        for region_id, scores in group:
            others = [str(names.get(r, r)) for r, _s in group if r != region_id]
            shared = any(s == scores for r, s in group if r != region_id)
            result[region_id][1] = {"with": others, "by": deciding, "shared": shared}
    return {r: (v[0], v[1]) for r, v in result.items()}
