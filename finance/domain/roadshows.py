"""Roadshows (路演): judges score presentations, 0–100 or on the roadshow's weighted score sheet
(criteria with maximum and weight, as a review round's 评分表: the score is the weighted total as a
percentage of the sheet's maximum), until the deadline; the results rank them by mean score."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import rules
from django.db import transaction
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError

from ..models import RoadshowCriterionScore, RoadshowScore


def _weighted(criteria, values):
    """(percent of the maximum, [(criterion, value)]) or a ValidationError listing every bad value."""
    errors, rows = [], []
    for c in criteria:
        raw = values.get(c.pk) if values else None
        try:
            value = Decimal(str(raw)) if raw not in (None, "") else None
        except ArithmeticError:
            value = None
        if value is None or not Decimal(0) <= value <= c.max_score:
            errors.append(_("%(criterion)s: give a score from 0 to %(max)s.") % {"criterion": c.name, "max": c.max_score})
        else:
            rows.append((c, value))
    if errors:
        raise ValidationError(errors, code="score_range")
    top = sum((c.max_score * c.weight for c in criteria), Decimal(0))
    if not top:
        raise ValidationError(_("The score sheet has no weight."), code="sheet")
    total = sum((v * c.weight for c, v in rows), Decimal(0))
    return (total * 100 / top).quantize(Decimal("0.0001"), ROUND_HALF_UP), rows


def score_presentation(*, presentation, judge, score=None, comment="", values=None):
    """A judge gives (or changes) their score of one presentation: `score` 0–100, or with a score
    sheet the `values` {criterion id: value} of every criterion."""
    roadshow = presentation.roadshow
    if not rules.has_perm("finance.score_roadshow", judge, roadshow):
        raise PermissionDenied(_("Only the roadshow's judges may score, and only while scoring is open."))
    criteria = list(roadshow.criteria.all())
    percent, rows = None, []
    if criteria:
        percent, rows = _weighted(criteria, values)
        score = int(percent.quantize(Decimal("1"), ROUND_HALF_UP))
    elif isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValidationError(_("The score must be a whole number from 0 to 100."), code="score_range")
    with transaction.atomic():
        row = RoadshowScore.objects.select_for_update().filter(presentation=presentation, judge=judge).first()
        if row is None:
            row = RoadshowScore(presentation=presentation, judge=judge)
        row.score, row.comment, row.percent = score, comment.strip(), percent
        row._history_user = judge
        row._change_reason = "score"
        row.save()
        row.values.all().delete()
        RoadshowCriterionScore.objects.bulk_create(
            [RoadshowCriterionScore(score=row, criterion=c, value=v) for c, v in rows]
        )
    return row


def results(roadshow):
    """[{presentation, count, mean, rank}] best first; presentations nobody scored come last, unranked.

    Ranks compare exact means (fractions), so equal means share a rank (1, 2, 2, 4).
    """
    rows = []
    for p in roadshow.presentations.select_related("enterprise").prefetch_related("scores"):
        scores = [Fraction(s.percent) if s.percent is not None else Fraction(s.score) for s in p.scores.all()]
        exact = sum(scores, Fraction(0)) / len(scores) if scores else None
        mean = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP) if scores else None
        rows.append({"presentation": p, "count": len(scores), "exact": exact, "mean": mean, "rank": None})
    scored = sorted((r for r in rows if r["exact"] is not None), key=lambda r: (-r["exact"], r["presentation"].order, r["presentation"].pk))
    for i, r in enumerate(scored):
        r["rank"] = scored[i - 1]["rank"] if i and r["exact"] == scored[i - 1]["exact"] else i + 1
    unscored = [r for r in rows if r["exact"] is None]
    return scored + unscored
