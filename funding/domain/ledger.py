"""Budget execution (预算执行): per line and per region, budgeted, committed, paid, remaining, rate."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from pojian.models import Region

from ..models import ZERO, Budget, FundingLine, Grant
from .grants import committed_expression


def _rate(part, whole):
    return (part / whole * 100).quantize(Decimal("0.1")) if whole else None


def execution(cycle, *, region=None) -> dict:
    """{"lines": [...], "regions": [...], "total": {...}} for one year, in four queries.

    For one region (`region`), budgets are the province's: budgeted and remaining are left out (None).
    """
    budgets = {b.line_id: b for b in Budget.objects.filter(cycle=cycle)}
    lines = list(FundingLine.objects.all())
    grants = Grant.objects.filter(cycle=cycle)
    if region is not None:
        grants = grants.filter(region=region)
    sums = (
        grants
        .values("line_id", "region_id")
        .annotate(committed=Coalesce(Sum(committed_expression()), Value(ZERO)),
                  paid=Coalesce(Sum("paid_amount"), Value(ZERO)), recovered=Coalesce(Sum("recovered_amount"), Value(ZERO)))
        .order_by()
    )
    by_line = defaultdict(lambda: {"committed": ZERO, "paid": ZERO, "recovered": ZERO})
    by_region = defaultdict(lambda: defaultdict(lambda: {"committed": ZERO, "paid": ZERO}))
    for row in sums:
        for key in ("committed", "paid", "recovered"):
            by_line[row["line_id"]][key] += row[key]
        cell = by_region[row["region_id"]][row["line_id"]]
        cell["committed"] += row["committed"]
        cell["paid"] += row["paid"] - row["recovered"]
    line_rows = []
    for line in lines:
        budget = budgets.get(line.pk)
        if budget is None and line.pk not in by_line:
            continue
        s = by_line[line.pk]
        if region is not None and line.pk not in by_line:
            continue
        budgeted = (budget.amount if budget else ZERO) if region is None else None
        paid = s["paid"] - s["recovered"]
        line_rows.append({
            "line": line, "budget": budget, "budgeted": budgeted, "committed": s["committed"], "paid": paid,
            "remaining": budgeted - s["committed"] if budgeted is not None else None,
            "rate": _rate(paid, budgeted) if budgeted is not None else _rate(paid, s["committed"]),
            "commit_rate": _rate(s["committed"], budgeted) if budgeted is not None else None,
        })
    total = {k: sum((r[k] for r in line_rows), ZERO) for k in ("committed", "paid")}
    if region is None:
        total.update({k: sum((r[k] for r in line_rows), ZERO) for k in ("budgeted", "remaining")})
        total["rate"] = _rate(total["paid"], total["budgeted"])
    else:
        total.update(budgeted=None, remaining=None, rate=_rate(total["paid"], total["committed"]))
    region_rows = []
    for region in Region.objects.filter(pk__in=by_region.keys()):
        cells = by_region[region.pk]
        committed = sum((c["committed"] for c in cells.values()), ZERO)
        paid = sum((c["paid"] for c in cells.values()), ZERO)
        region_rows.append({
            "region": region, "committed": committed, "paid": paid, "unpaid": committed - paid,
            "rate": _rate(paid, committed),
            "lines": [(line_row["line"], cells.get(line_row["line"].pk, {"committed": ZERO, "paid": ZERO}))
                      for line_row in line_rows],
        })
    return {"lines": line_rows, "regions": region_rows, "total": total}
