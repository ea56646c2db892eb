"""Post-subsidies in the reports: the R&D post-subsidy of a year by region, industry and band, how
many enterprises' R&D expense grew, and the incubator post-subsidies over the years.

One function gives the figures (`figures`), one the dashboard's section (`dashboard_section`), one
the annual report's sheet (`report_sheet`); the PDF's fragment is reports/pdf/_post_subsidies.html.
"""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

ZERO = Decimal("0")
TEN_THOUSAND = Decimal(10000)


def figures(*, cycle, region=None, years=5):
    """{"rd": {...} or None when the year has no computed R&D rule, "incubators": [{year, n, total}]}."""
    from enterprises.models import Industry
    from funding.domain.rd_subsidy import listed
    from funding.models import RdCandidate, RdSubsidyRule
    from incubators.models import PostSubsidy

    rd = None
    rule = RdSubsidyRule.objects.filter(cycle=cycle, computed_at__isnull=False).first()
    if rule is not None:
        on_list = listed(rule)
        everyone = RdCandidate.objects.filter(rule=rule)
        if region is not None:
            on_list, everyone = on_list.filter(region=region), everyone.filter(region=region)
        labels = dict(Industry.choices)

        def grouped(field, label=lambda v: v):
            # The amount each enterprise gets: the office's adjustment where there is one.
            rows = (on_list.values(key=F(field)).annotate(
                n=Count("pk"), adjusted=Sum("adjusted_amount"),
                computed=Sum("computed", filter=Q(adjusted_amount__isnull=True))).order_by("key"))
            return [{"label": label(r["key"]), "n": r["n"], "total": (r["adjusted"] or ZERO) + (r["computed"] or ZERO)}
                    for r in rows]

        growth = everyone.aggregate(grew=Count("pk", filter=Q(expense__gt=F("previous_expense"))),
                                    both=Count("pk", filter=Q(expense__isnull=False, previous_expense__isnull=False)))
        by_region = grouped("region__name")
        rd = {
            "state": rule.get_state_display(), "by_region": by_region,
            "by_industry": grouped("enterprise__industry", lambda v: labels.get(v, v or "—")),
            "by_band": grouped("band_index", lambda v: _("band %(n)s") % {"n": v + 1} if v is not None else "—"),
            "n": sum(r["n"] for r in by_region), "total": sum((r["total"] for r in by_region), ZERO),
            "grew": growth["grew"], "with_previous": growth["both"],
        }
    subsidies = PostSubsidy.objects.filter(year__lte=cycle.year, year__gt=cycle.year - years)
    if region is not None:
        subsidies = subsidies.filter(incubator__region=region)
    found = {r["year"]: r for r in subsidies.values("year").annotate(n=Count("pk"), total=Sum("amount"))}
    # Every one of the years, none left out: a year without support shows as 0 (rolling support reads as a run).
    incubators = [{"year": y, "n": found[y]["n"] if y in found else 0,
                   "total": (found[y]["total"] or ZERO) if y in found else ZERO}
                  for y in range(cycle.year - years + 1, cycle.year + 1)]
    return {"rd": rd, "incubators": incubators, "any_incubators": bool(found)}


def _rows(data):
    rows = []
    rd = data["rd"]
    if rd is not None:
        for title, key in ((_("R&D post-subsidy by region"), "by_region"),
                           (_("R&D post-subsidy by industry"), "by_industry"),
                           (_("R&D post-subsidy by band"), "by_band")):
            rows += [[title, r["label"], r["n"], r["total"]] for r in rd[key]]
        rows.append([_("R&D post-subsidy"), _("Total"), rd["n"], rd["total"]])
    rows += [[_("Incubator post-subsidies"), r["year"], r["n"], r["total"]] for r in data["incubators"]]
    return rows


def HEADERS():  # noqa: N802 - read like a constant, built when the language is known
    return [_("Breakdown"), _("Group"), _("Number"), _("Amount (yuan)")]


def dashboard_section(cycle):
    """The dashboard's section (reports.domain.dashboard): a table, two charts and the key numbers."""
    from . import charts

    data = figures(cycle=cycle)
    rd = data["rd"]
    out = {"headers": HEADERS(), "rows": _rows(data), "money_columns": [3], "charts": [], "notes": [], "numbers": []}
    if rd is None:
        out["notes"].append(_("The R&D post-subsidy candidates of %(year)s are not computed yet.") % {"year": cycle.year})
    else:
        out["charts"].append(charts.bar_chart(
            [r["label"] for r in rd["by_region"]], [(_("Amount (10,000 yuan)"), [r["total"] / TEN_THOUSAND for r in rd["by_region"]])],
            title=_("R&D post-subsidy by region (10,000 yuan)"), horizontal=True))
        out["notes"].append(grew_sentence(rd))
        out["numbers"] += [(_("R&D post-subsidy enterprises"), rd["n"]),
                           (_("R&D expense grew"), f"{rd['grew']} / {rd['with_previous']}")]
    if data["incubators"]:  # drawn even when all are 0: the years without support are the news
        out["charts"].append(charts.line_chart(
            [str(r["year"]) for r in data["incubators"]],
            [(_("Incubator post-subsidies (10,000 yuan)"), [r["total"] / TEN_THOUSAND for r in data["incubators"]])],
            title=_("Incubator post-subsidies over the years (10,000 yuan)")))
    return out


def grew_sentence(rd):
    return _("R&D expense grew at %(grew)s of %(n)s enterprises with tax figures of both years.") % {
        "grew": rd["grew"], "n": rd["with_previous"]}


def report_sheet(data):
    """The annual report workbook's sheet (title, headers, rows, widths)."""
    rows = _rows(data["post_subsidies"]) or [[_("Not available yet")]]
    return (_("Post-subsidies"), HEADERS(), rows, [30, 24, 10, 18])
