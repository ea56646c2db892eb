"""A city bureau's dashboard (reports:bureau_dashboard): its region's figures for the programme year beside
last year's, charts, and its standing in the latest published assessment.

Each section has the shape of the office dashboard's (reports.domain.dashboard): a table, charts and notes,
rendered by the same fragment. Grouped queries only; the existing figure functions are reused where they
exist (figures.trends for the nominations, the funding ledger's execution for the grants).
"""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from enterprises.models import TierStanding
from pojian.models import Cycle

from . import charts, sources
from .figures import trends

ZERO = Decimal("0")
TEN_THOUSAND = Decimal(10000)


def _section(key, title, headers, rows, *, chart=None, notes=(), money_columns=(), available=True):
    return {"key": key, "title": title, "headers": headers, "rows": rows, "charts": [chart] if chart else [],
            "notes": list(notes), "money_columns": list(money_columns), "available": available, "local": True}


def _years(cycle):
    return cycle.year, cycle.year - 1


def _two_year_chart(title, labels, this, last, years, *, unit=""):
    return charts.bar_chart(labels, [(str(years[1]), last), (str(years[0]), this)], title=title, horizontal=True,
                            unit=unit)


def nominations(region, cycle):
    """Enterprise nominations of the region: nominated, submitted, accepted, selected and the 四科 pass rate."""
    years = _years(cycle)
    by_year = {t["year"]: t for t in trends(up_to_year=cycle.year, region=region)}
    this, last = by_year.get(years[0], {}), by_year.get(years[1], {})
    stages = ("nominated", "submitted", "accepted", "selected")
    labels = [_("Nominated"), _("Submitted"), _("Accepted"), _("Selected")]
    rows = [[y, *[t.get(k, 0) for k in stages], t.get("pass_rate")] for y, t in ((years[0], this), (years[1], last))]
    chart = _two_year_chart(_("Enterprise nominations"), labels, rows[0][1:5], rows[1][1:5], years)
    return _section("nominations", _("Enterprise nominations"), [_("Year"), *labels, _("四科 pass rate (%)")], rows,
                    chart=chart)


def pool(region, cycle):
    """The region's enterprises by tier (梯次) in the year and the year before (their tier standings), and
    the pool's entries today by status."""
    years = _years(cycle)
    counts = (TierStanding.objects.filter(enterprise__region=region, year__in=years)
              .values("year", "rank", "code", "name").annotate(n=Count("pk")).order_by("rank", "code"))
    tiers, by = {}, {}
    for r in counts:
        tiers.setdefault(r["code"], (r["rank"], r["name"]))
        by[(r["code"], r["year"])] = r["n"]
    ordered = sorted(tiers.items(), key=lambda kv: kv[1])
    rows = [[name, by.get((code, years[0]), 0), by.get((code, years[1]), 0)] for code, (_rank, name) in ordered]
    from enterprises.models import PoolEntry

    statuses = dict(PoolEntry.objects.filter(region=region).values_list("status").annotate(n=Count("pk")).order_by())
    in_pool = statuses.get(PoolEntry.Status.IN_POOL, 0)
    chart = _two_year_chart(_("Enterprises by tier"), [r[0] for r in rows], [r[1] for r in rows],
                            [r[2] for r in rows], years) if rows else None
    notes = [_("In the cultivation pool today: %(n)s (of %(all)s entries).") % {"n": in_pool,
                                                                               "all": sum(statuses.values())}]
    return _section("pool", _("Cultivation pool by tier"), [_("Tier"), str(years[0]), str(years[1])], rows,
                    chart=chart, notes=notes)


def contracts(region, cycle):
    """双千工程: in-force technology contracts of the region's enterprises registered in each year, their
    value, and the amounts paid on the region's in-force contracts in each year."""
    contract = sources.model("techtransfer.TechContract")
    if contract is None:
        return _section("contracts", _("Technology contracts"), [], [], available=False)
    from techtransfer.models import ContractPayment

    years = _years(cycle)
    qs = contract.objects.in_force().filter(enterprise__region=region)
    signed = {r["year"]: r for r in qs.filter(registered_on__year__in=years).values(year=ExtractYear("registered_on"))
              .annotate(n=Count("pk"), value=Sum("contract_amount")).order_by()}
    paid = dict(ContractPayment.objects.filter(contract__in=qs, paid_on__year__in=years)
                .values_list(ExtractYear("paid_on")).annotate(s=Sum("amount")).order_by())
    rows = [[y, signed.get(y, {}).get("n", 0), signed.get(y, {}).get("value") or ZERO, paid.get(y) or ZERO]
            for y in years]
    chart = _two_year_chart(_("Technology contracts (10,000 yuan)"), [_("Contract value"), _("Paid")],
                            [rows[0][2] / TEN_THOUSAND, rows[0][3] / TEN_THOUSAND],
                            [rows[1][2] / TEN_THOUSAND, rows[1][3] / TEN_THOUSAND], years)
    return _section("contracts", _("双千工程: technology contracts"),
                    [_("Year"), _("Contracts registered"), _("Contract value (yuan)"), _("Paid on contracts (yuan)")],
                    rows, chart=chart, notes=[_("Cancelled contracts are left out.")], money_columns=(2, 3))


def grants(region, cycle):
    """Grants committed and paid to the region in the year and the year before (the funding ledger)."""
    previous = Cycle.objects.filter(year=cycle.year - 1).first()
    this = sources.funding(cycle=cycle, region=region)
    if this is None:
        return _section("grants", _("Grants: committed and paid"), [], [], available=False)
    last = sources.funding(cycle=previous, region=region) if previous is not None else None
    years = _years(cycle)

    def total(result, key):
        return result["total"][key] if result is not None else None

    rows = [[years[0], total(this, "committed"), total(this, "paid")],
            [years[1], total(last, "committed"), total(last, "paid")]]
    chart = _two_year_chart(_("Grants (10,000 yuan)"), [_("Committed"), _("Paid")],
                            [(v or ZERO) / TEN_THOUSAND for v in rows[0][1:]],
                            [(v or ZERO) / TEN_THOUSAND for v in rows[1][1:]], years)
    return _section("grants", _("Grants: committed and paid"), [_("Year"), _("Committed (yuan)"), _("Paid (yuan)")],
                    rows, chart=chart, money_columns=(1, 2))


def standing(region):
    """The region's place in the latest PUBLISHED assessment: rank, weighted total and each indicator's score
    (with last year's score of the indicator of the same code). Nothing before publication."""
    if sources.model("assessment.Assessment") is None:
        return None
    from assessment.domain import results
    from assessment.models import Assessment

    latest = (Assessment.objects.filter(published_at__isnull=False).select_related("cycle").order_by("-cycle__year").first())
    if latest is None:
        return {"published": False}
    report = results.region_report(latest.cycle, region)
    rows = []
    for row in report["rows"]:
        r, last = row["result"], row["last"]
        rows.append([row["indicator"].name, r.value if r else None, r.score if r else None, r.weighted if r else None,
                     last.score if last else None])
    chart = charts.bar_chart(
        [r[0] for r in rows], [(str(latest.cycle.year - 1), [r[4] or 0 for r in rows]),
                               (str(latest.cycle.year), [r[2] or 0 for r in rows])],
        title=_("Scores by indicator"), horizontal=True,
    ) if rows else None
    section = _section("standing", _("Assessment %(year)s: scores by indicator") % {"year": latest.cycle.year},
                       [_("Indicator"), _("Raw value"), _("Score"), _("Weighted"),
                        _("Score in %(year)s") % {"year": latest.cycle.year - 1}], rows, chart=chart)
    result = report["region_result"]
    return {"published": True, "year": latest.cycle.year, "published_at": latest.published_at,
            "rank": result.rank if result else None, "total": result.total if result else None,
            "last_total": report["last_total"], "commended": bool(result and result.commended),
            "regions": latest.results.count(), "section": section}


def dashboard(region, cycle):
    """Everything on the page: the sections (None without a programme year) and the standing."""
    sections = [nominations(region, cycle), pool(region, cycle), contracts(region, cycle), grants(region, cycle)] \
        if cycle is not None else []
    return {"sections": sections, "standing": standing(region)}


def sheets(region, cycle, data=None):
    """The page's figures as workbook sheets [(title, headers, rows, widths)] for write_workbook: one sheet per
    section (its notes below the table), then the standing. `data`: dashboard(region, cycle) if already made."""
    data = data if data is not None else dashboard(region, cycle)
    out = []
    for s in data["sections"]:
        rows = list(s["rows"]) if s["available"] else [[_("Not available yet.")]]
        if s["notes"]:
            rows += [[], *[[note] for note in s["notes"]]]
        out.append((s["title"], s["headers"], rows, None))
    standing = data["standing"]
    title = _("Standing in the assessment of the bureaus")
    if standing is None:
        out.append((title, [_("Assessment")], [[_("Not available yet.")]], None))
    elif not standing["published"]:
        out.append((title, [_("Assessment")], [[_("No assessment has been published yet.")]], None))
    else:
        section = standing["section"]
        summary = [[_("Assessment"), standing["year"]], [_("Rank"), standing["rank"]],
                   [_("Of regions"), standing["regions"]], [_("Weighted total"), standing["total"]],
                   [_("Weighted total the year before"), standing["last_total"]],
                   [_("Commended"), _("yes") if standing["commended"] else _("no")]]
        out.append((title, section["headers"], [*section["rows"], [], *summary], None))
    return out
