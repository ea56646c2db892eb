"""Years of tracking (跟踪问效): each year's selected enterprises (a cohort) followed through the years.

A cohort is the enterprises selected in programme year Y (in a region, or all). Its base is the
figures year the selection judged on (the rulebook's, by default Y-1); each later fiscal year is
summed over the cohort's enterprises that have figures in the base year too, so a growth index
compares like with like. Tier standings of the cohort are counted per year, with the moves.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Sum
from django.db.models.functions import Coalesce

from pojian.models import NominationState

from ..models import EnterpriseNomination, EnterpriseYear, PoolEntry, TierStanding
from .rulebook import figures_year_for
from .tiers import movement

METRICS = ("revenue", "rd_expense", "employees")


def cohort_years(*, region_id=None):
    """The programme years that have selected enterprises, newest first."""
    qs = EnterpriseNomination.objects.filter(state=NominationState.SELECTED)
    if region_id:
        qs = qs.filter(region_id=region_id)
    return list(qs.values_list("cycle__year", flat=True).distinct().order_by("-cycle__year"))


def cohort_ids(year, *, region_id=None):
    qs = EnterpriseNomination.objects.filter(cycle__year=year, state=NominationState.SELECTED)
    if region_id:
        qs = qs.filter(region_id=region_id)
    return qs.values("enterprise_id")


def _index(value, base):
    if value is None or not base:
        return None
    return (Decimal(value) * 100 / Decimal(base)).quantize(Decimal("0.1"))


def figures_by_year(year, *, region_id=None):
    """[{year, enterprises, revenue, rd_expense, employees, *_index}] from the base year on (one query)."""
    base_year = figures_year_for(year)
    members = cohort_ids(year, region_id=region_id)
    has_base = EnterpriseYear.objects.filter(enterprise_id=OuterRef("enterprise_id"), year=base_year)
    rows = (
        EnterpriseYear.objects.filter(enterprise_id__in=members, year__gte=base_year)
        .filter(Exists(has_base))
        .values("year")
        .annotate(
            enterprises=Count("pk"),
            revenue=Sum(Coalesce(F("revenue_tax"), F("revenue"))),
            rd_expense=Sum(Coalesce(F("rd_expense_tax"), F("rd_expense"))),
            employees=Sum(Coalesce(F("employees_tax"), F("employees"))),
        )
        .order_by("year")
    )
    rows = list(rows)
    base = next((r for r in rows if r["year"] == base_year), None)
    for r in rows:
        for m in METRICS:
            r[f"{m}_index"] = _index(r[m], base[m] if base else None)
        r["is_base"] = r["year"] == base_year
    return {"base_year": base_year, "rows": rows}


def tiers_by_year(year, *, region_id=None):
    """The cohort's tier standings per year from the selection on: counts per tier, and moves up/down/same."""
    members = cohort_ids(year, region_id=region_id)
    standings = TierStanding.objects.filter(enterprise_id__in=members, year__gte=year - 1).values_list(
        "enterprise_id", "year", "rank", "code", "name")
    by_enterprise = defaultdict(dict)
    counts = defaultdict(Counter)
    names = {}
    for e, y, rank, code, name in standings:
        by_enterprise[e][y] = rank
        counts[y][code] += 1
        names[code] = (rank, name)
    years = sorted(counts)
    moves = defaultdict(Counter)
    for ranks in by_enterprise.values():
        for y in years:
            if y - 1 in ranks or y in ranks:
                m = movement(ranks.get(y - 1), ranks.get(y)) if (y - 1) in ranks else None
                if m:
                    moves[y][m] += 1
    tiers = sorted(names.items(), key=lambda item: item[1][0])
    return {
        "years": years,
        "tiers": [{"code": code, "name": name, "counts": [counts[y].get(code, 0) for y in years]}
                  for code, (_rank, name) in tiers],
        "moves": [{"year": y, "up": moves[y]["up"], "down": moves[y]["down"], "same": moves[y]["same"]} for y in years],
    }


def size(year, *, region_id=None):
    return EnterpriseNomination.objects.filter(cycle__year=year, state=NominationState.SELECTED,
                                               **({"region_id": region_id} if region_id else {})).count()


def pool_growth(*, region_id=None):
    """The pool by tier and year (standings counted), for the pool's growth table: {years, tiers: [{name, counts}]}."""
    qs = TierStanding.objects.all()
    if region_id:
        qs = qs.filter(enterprise__pool_entry__region_id=region_id)
    rows = qs.values("year", "code", "rank", "name").annotate(n=Count("pk")).order_by("year", "rank")
    years, tiers = [], {}
    for r in rows:
        if r["year"] not in years:
            years.append(r["year"])
        tiers.setdefault((r["rank"], r["code"]), {"name": r["name"], "counts": {}})["counts"][r["year"]] = r["n"]
    return {"years": years,
            "tiers": [{"name": t["name"], "counts": [t["counts"].get(y, 0) for y in years]}
                      for _key, t in sorted(tiers.items())]}


def pool_size(*, region_id=None):
    qs = PoolEntry.objects.all()
    if region_id:
        qs = qs.filter(region_id=region_id)
    return qs.values("status").annotate(n=Count("pk")).order_by("status")


def index_chart(rows, *, width=560, height=200):
    """Polylines (SVG points) of the three growth indexes over the years, base year = 100; for the template."""
    years = [r["year"] for r in rows]
    values = [float(r[f"{m}_index"]) for r in rows for m in METRICS if r[f"{m}_index"] is not None]
    if len(years) < 2 or not values:
        return None
    top = max(values + [100.0]) * 1.1
    bottom = 0.0
    pad = 40

    def x(i):
        return pad + i * (width - 2 * pad) / (len(years) - 1)

    def y(v):
        return height - pad - (v - bottom) * (height - 2 * pad) / (top - bottom)

    lines = []
    for m in METRICS:
        points = [(x(i), y(float(r[f"{m}_index"]))) for i, r in enumerate(rows) if r[f"{m}_index"] is not None]
        lines.append({"metric": m, "points": " ".join(f"{px:.1f},{py:.1f}" for px, py in points)})
    return {"width": width, "height": height, "lines": lines, "base_y": f"{y(100.0):.1f}",
            "labels": [{"x": f"{x(i):.1f}", "year": yr} for i, yr in enumerate(years)], "left": pad,
            "right": width - pad, "label_y": height - pad + 16}
