"""Roadshows (路演): judges score presentations 0–100; the results rank them by mean score."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import rules
from django.db import transaction
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError

from ..models import RoadshowScore


def score_presentation(*, presentation, judge, score, comment=""):
    """A judge gives (or changes) their score of one presentation."""
    roadshow = presentation.roadshow
    if not rules.has_perm("finance.score_roadshow", judge, roadshow):
        raise PermissionDenied(_("Only the roadshow's judges may score, and only while scoring is open."))
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValidationError(_("The score must be a whole number from 0 to 100."), code="score_range")
    with transaction.atomic():
        row = RoadshowScore.objects.select_for_update().filter(presentation=presentation, judge=judge).first()
        if row is None:
            row = RoadshowScore(presentation=presentation, judge=judge)
        row.score, row.comment = score, comment.strip()
        row._history_user = judge
        row._change_reason = "score"
        row.save()
    return row


def results(roadshow):
    """[{presentation, count, mean, rank}] best first; presentations nobody scored come last, unranked.

    Ranks compare exact means (fractions), so equal means share a rank (1, 2, 2, 4).
    """
    rows = []
    for p in roadshow.presentations.select_related("enterprise").prefetch_related("scores"):
        scores = [s.score for s in p.scores.all()]
        exact = Fraction(sum(scores), len(scores)) if scores else None
        mean = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP) if scores else None
        rows.append({"presentation": p, "count": len(scores), "exact": exact, "mean": mean, "rank": None})
    scored = sorted((r for r in rows if r["exact"] is not None), key=lambda r: (-r["exact"], r["presentation"].order, r["presentation"].pk))
    for i, r in enumerate(scored):
        r["rank"] = scored[i - 1]["rank"] if i and r["exact"] == scored[i - 1]["exact"] else i + 1
    unscored = [r for r in rows if r["exact"] is None]
    return scored + unscored
