"""The fixed set of computed indicators: what the portal counts for each region and year.

Each computation runs a few set-based queries for all regions at once and returns, per region,
the value and the underlying list (which enterprises or items were counted), so a bureau can see
exactly why it has the figure it has. A source the portal does not hold yet (an app not built,
a model renamed) makes the computation "unavailable": every region gets no value and a note.

    registered            tech SMEs registered (入库) that year, enterprises of the region
    cultivated            of those, the ones that were not registered the year before
    enterprises_nominated enterprise nominations of the year, submitted and not withdrawn
    enterprises_accepted  … that passed the office's check (accepted, selected or not selected)
    enterprises_selected  … selected after the expert review
    incubators_nominated  incubator / maker-space nominations, submitted and not withdrawn
    incubators_supported  incubators of the region granted a post-subsidy for the year
    subsidy_amount        the post-subsidies' total amount (yuan)
    incubator_tenants     enterprises hosted during the year by the incubators the region nominated that year
    investments_count     investments by finance institutions into the region's enterprises that year
    investments_amount    their total amount (yuan)
    early_small_share     the share of that amount invested early or small (投早投小), in %
    local_policies        local supporting policies listed in the region's accepted summary
    returns_on_time       the share (%) of the year's statistics returns the bureau had to file that it filed on time

A county-level division has its own versions of those that fit a county (assessment.domain.counties).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from pojian.models import NominationState as S

from . import sources

NOMINATED = (S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.REJECTED, S.SELECTED, S.NOT_SELECTED)
ACCEPTED = (S.ACCEPTED, S.SELECTED, S.NOT_SELECTED)
SELECTED = (S.SELECTED,)


class Unavailable(Exception):
    """The data this computation needs is not in the portal (yet)."""


@dataclass
class Figure:
    value: Decimal | None
    items: list = field(default_factory=list)
    note: str = ""  # "unavailable" | "missing" | ""
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Computation:
    code: str
    label: object
    explanation: object  # "%(year)s" is the assessment's year, "%(previous)s" the year before
    unit: str  # "count" | "yuan" | "percent"
    function: object

    def run(self, *, year, region_ids):
        try:
            figures = self.function(year=year, region_ids=list(region_ids))
        except Unavailable:
            return {r: Figure(None, note="unavailable") for r in region_ids}
        return {r: figures.get(r) or Figure(Decimal(0)) for r in region_ids}


def _counted(rows, *, item):
    """rows: iterable of (region_id, ...) -> {region_id: Figure(count, items)}."""
    by_region = defaultdict(list)
    for row in rows:
        by_region[row[0]].append(item(row))
    return {r: Figure(Decimal(len(items)), items) for r, items in by_region.items()}


def _require(label):
    m = sources.model(label)
    if m is None:
        raise Unavailable(label)
    return m


def _path(m, *candidates):
    path = sources.resolve(m, *candidates)
    if path is None:
        raise Unavailable(f"{m._meta.label}: {candidates}")
    return path


# --- enterprises -------------------------------------------------------------------------


def registered(*, year, region_ids):
    Registration = _require("enterprises.Registration")
    rows = (
        Registration.objects.filter(year=year, enterprise__region_id__in=region_ids)
        .order_by("enterprise__region_id", "enterprise__name", "pk")
        .values_list("enterprise__region_id", "enterprise__name", "enterprise__uscc", "number")
    )
    return _counted(rows, item=lambda r: {"name": r[1], "code": r[2], "detail": r[3]})


def cultivated(*, year, region_ids):
    Registration = _require("enterprises.Registration")
    last_year = Registration.objects.filter(enterprise=OuterRef("enterprise"), year=year - 1)
    rows = (
        Registration.objects.filter(year=year, enterprise__region_id__in=region_ids)
        .filter(~Exists(last_year))
        .order_by("enterprise__region_id", "enterprise__name", "pk")
        .values_list("enterprise__region_id", "enterprise__name", "enterprise__uscc", "number")
    )
    return _counted(rows, item=lambda r: {"name": r[1], "code": r[2], "detail": r[3]})


def _nominations(label, states, *, year, region_ids):
    m = _require(label)
    nominee = sources.nominee_field(m)
    name_path = sources.resolve(m, f"{nominee}__name") if nominee else None
    code_path = sources.resolve(m, f"{nominee}__uscc") if nominee else None
    columns = ["region_id", "state", name_path or "pk", code_path or "pk"]
    rows = (
        m.objects.filter(cycle__year=year, region_id__in=region_ids, state__in=states)
        .order_by("region_id", name_path or "pk", "pk")
        .values_list(*columns)
    )
    return _counted(
        rows,
        item=lambda r: {"name": r[2] if name_path else f"#{r[2]}", "code": r[3] if code_path else "", "state": r[1]},
    )


def enterprises_nominated(**kw):
    return _nominations("enterprises.EnterpriseNomination", NOMINATED, **kw)


def enterprises_accepted(**kw):
    return _nominations("enterprises.EnterpriseNomination", ACCEPTED, **kw)


def enterprises_selected(**kw):
    return _nominations("enterprises.EnterpriseNomination", SELECTED, **kw)


# --- incubators and maker spaces ------------------------------------------------------------


def incubators_nominated(**kw):
    return _nominations("incubators.IncubatorNomination", NOMINATED, **kw)


def _subsidies(*, year):
    m = _require("incubators.PostSubsidy")
    region = _path(m, "incubator__region", "nomination__region", "region", "nomination__incubator__region")
    year_path = _path(m, "cycle__year", "year", "nomination__cycle__year")
    incubator = _path(m, "incubator", "nomination__incubator")
    name = sources.resolve(m, f"{incubator}__name")
    code = sources.resolve(m, f"{incubator}__uscc")
    amount = sources.resolve(m, "amount")
    return m.objects.filter(**{year_path: year}), region, incubator, name, code, amount


def incubators_supported(*, year, region_ids):
    qs, region, incubator, name, code, amount = _subsidies(year=year)
    rows = (
        qs.filter(**{f"{region}__in": region_ids})
        .order_by(name or incubator, "pk")
        .values_list(region, incubator, name or incubator, code or incubator, amount or incubator)
    )
    by_region = defaultdict(dict)
    for region_id, incubator_id, label, uscc, money in rows:
        entry = by_region[region_id].setdefault(incubator_id, {"name": label, "code": uscc if code else "", "amount": Decimal(0)})
        if amount and money is not None:
            entry["amount"] += Decimal(money)
    return {
        r: Figure(Decimal(len(found)), [{**e, "amount": str(e["amount"]) if amount else ""} for e in found.values()])
        for r, found in by_region.items()
    }


def subsidy_amount(*, year, region_ids):
    qs, region, incubator, name, code, amount = _subsidies(year=year)
    if not amount:
        raise Unavailable("PostSubsidy.amount")
    supported = incubators_supported(year=year, region_ids=region_ids)
    return {
        r: Figure(sum((Decimal(i["amount"]) for i in f.items), Decimal(0)), f.items) for r, f in supported.items()
    }


def incubator_tenants(*, year, region_ids):
    """Enterprises hosted at some time in the year (entered by 31 Dec, not graduated before 1 Jan)."""
    Nomination = _require("incubators.IncubatorNomination")
    Tenancy = _require("incubators.Tenancy")
    for path in ("incubator", "enterprise__name", "entered", "graduated"):
        _path(Tenancy, path)
    nominee = sources.nominee_field(Nomination)
    if nominee is None:
        raise Unavailable("IncubatorNomination")
    nominated = Nomination.objects.filter(cycle__year=year, region_id__in=region_ids, state__in=NOMINATED)
    by_incubator = dict(nominated.values_list(nominee, "region_id"))
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rows = (
        Tenancy.objects.filter(incubator_id__in=list(by_incubator), entered__lte=end)
        .filter(Q(graduated__isnull=True) | Q(graduated__gte=start))
        .order_by("incubator__name", "enterprise__name", "pk")
        .values_list("incubator_id", "enterprise_id", "enterprise__name", "enterprise__uscc", "incubator__name")
    )
    by_region = defaultdict(dict)
    for incubator_id, enterprise_id, name, uscc, incubator_name in rows:
        # An enterprise hosted by two of the region's incubators (or twice) counts once.
        by_region[by_incubator[incubator_id]].setdefault(
            enterprise_id, {"name": name, "code": uscc, "detail": incubator_name}
        )
    return {r: Figure(Decimal(len(found)), list(found.values())) for r, found in by_region.items()}


# --- finance -----------------------------------------------------------------------------------


def _investments(*, year, region_ids):
    m = _require("finance.Investment")
    region = _path(m, "enterprise__region")
    when = _path(m, "date", "invested_on", "investment_date", "made_on")
    amount = _path(m, "amount")
    early = _path(m, "early_or_small", "is_early_or_small", "early_small")
    institution = sources.resolve(m, "institution__name", "finance_institution__name", "investor__name")
    rows = (
        m.objects.filter(**{f"{when}__year": year, f"{region}__in": region_ids})
        .order_by("enterprise__name", when, "pk")
        .values_list(f"{region}", "enterprise__name", "enterprise__uscc", amount, early, institution or "pk", when)
    )
    by_region = defaultdict(list)
    for region_id, name, uscc, money, is_early, investor, on in rows:
        by_region[region_id].append({
            "name": name, "code": uscc, "amount": str(money or 0), "early_small": bool(is_early),
            "detail": investor if institution else "", "date": on.isoformat() if on else "",
        })
    return by_region


def investments_count(*, year, region_ids):
    return {r: Figure(Decimal(len(items)), items) for r, items in _investments(year=year, region_ids=region_ids).items()}


def investments_amount(*, year, region_ids):
    return {
        r: Figure(sum((Decimal(i["amount"]) for i in items), Decimal(0)), items)
        for r, items in _investments(year=year, region_ids=region_ids).items()
    }


def early_small_share(*, year, region_ids):
    result = {}
    for r, items in _investments(year=year, region_ids=region_ids).items():
        total = sum((Decimal(i["amount"]) for i in items), Decimal(0))
        early = sum((Decimal(i["amount"]) for i in items if i["early_small"]), Decimal(0))
        share = (early / total * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if total else Decimal(0)
        result[r] = Figure(share, items, facts={"early_small_amount": str(early), "total_amount": str(total)})
    return result


# --- the bureau's own summary ------------------------------------------------------------------


def local_policies(*, year, region_ids):
    LocalPolicy = _require("assessment.LocalPolicy")
    rows = (
        LocalPolicy.objects.filter(
            summary__cycle__year=year, summary__region_id__in=region_ids, summary__state=S.ACCEPTED
        )
        .order_by("summary__region_id", "issued_on", "pk")
        .values_list("summary__region_id", "title", "number", "issued_on")
    )
    return _counted(rows, item=lambda r: {"name": r[1], "code": r[2], "date": r[3].isoformat()})


# --- statistics returns (统计报表) --------------------------------------------------------------


def returns_on_time(*, year, region_ids):
    """Of the year's returns (periods starting that year, opened) a bureau had to file — a county only those
    that include the counties — the percentage it filed on time; a return not filed counts as not on time."""
    Return = _require("reports.StatisticsReturn")
    Filing = _require("reports.ReturnFiling")
    from pojian.models import Region

    returns = list(Return.objects.filter(period_start__year=year).exclude(status="draft")
                   .order_by("period_start", "pk").values_list("pk", "include_counties", "title", "period_start"))
    filed = {(r, f): late for r, f, late in Filing.objects.filter(
        statistics_return_id__in=[r[0] for r in returns], region_id__in=region_ids,
    ).values_list("region_id", "statistics_return_id", "late")}
    result = {}
    for region_id, kind in Region.objects.filter(pk__in=region_ids).values_list("pk", "kind"):
        asked = [r for r in returns if kind != Region.Kind.COUNTY or r[1]]
        if not asked:  # nothing to file that year: 0, as every region that had nothing to count
            result[region_id] = Figure(Decimal(0), facts={"asked": 0, "on_time": 0})
            continue
        items, on_time = [], 0
        for pk, _counties, title, start in asked:
            late = filed.get((region_id, pk))
            on_time += late is False
            status = _("not filed") if late is None else (_("late") if late else _("on time"))
            items.append({"name": title, "date": start.isoformat(), "detail": str(status)})
        share = (Decimal(on_time) * 100 / len(asked)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        result[region_id] = Figure(share, items, facts={"asked": len(asked), "on_time": on_time})
    return result


COMPUTATIONS = {
    c.code: c
    for c in [
        Computation("registered", _("Tech SMEs registered"),
                    _("Enterprises of the region holding a tech SME registration (入库) for %(year)s."), "count", registered),
        Computation("cultivated", _("Tech SMEs cultivated"),
                    _("Enterprises of the region registered for %(year)s that were not registered for %(previous)s."),
                    "count", cultivated),
        Computation("enterprises_nominated", _("Enterprises nominated"),
                    _("The region's enterprise nominations for %(year)s that were submitted and not withdrawn."),
                    "count", enterprises_nominated),
        Computation("enterprises_accepted", _("Enterprises accepted"),
                    _("The region's enterprise nominations for %(year)s that passed the office's check (accepted, selected or not selected)."),
                    "count", enterprises_accepted),
        Computation("enterprises_selected", _("Enterprises selected"),
                    _("The region's enterprise nominations for %(year)s selected after the expert review."),
                    "count", enterprises_selected),
        Computation("incubators_nominated", _("Incubators and maker spaces nominated"),
                    _("The region's incubator and maker-space nominations for %(year)s that were submitted and not withdrawn."),
                    "count", incubators_nominated),
        Computation("incubators_supported", _("Incubators and maker spaces supported"),
                    _("Incubators and maker spaces of the region granted a post-subsidy for %(year)s."),
                    "count", incubators_supported),
        Computation("subsidy_amount", _("Post-subsidies to incubators (yuan)"),
                    _("The total of the post-subsidies granted for %(year)s to the region's incubators and maker spaces."),
                    "yuan", subsidy_amount),
        Computation("incubator_tenants", _("Tenants of the nominated incubators"),
                    _("Enterprises of the portal hosted at some time in %(year)s (entered by 31 December, not graduated before 1 January) by the incubators and maker spaces the region nominated that year; each enterprise counts once."),
                    "count", incubator_tenants),
        Computation("investments_count", _("Investments into the region's tech SMEs"),
                    _("Investments by finance institutions made in %(year)s into enterprises of the region."),
                    "count", investments_count),
        Computation("investments_amount", _("Amount invested (yuan)"),
                    _("The total amount of the investments made in %(year)s into enterprises of the region."),
                    "yuan", investments_amount),
        Computation("early_small_share", _("Share invested early or small (%)"),
                    _("Of the amount invested in %(year)s into enterprises of the region, the percentage marked early or small (投早投小)."),
                    "percent", early_small_share),
        Computation("local_policies", _("Local supporting policies"),
                    _("Local supporting policies listed in the region's accepted summary for %(year)s."),
                    "count", local_policies),
        Computation("returns_on_time", _("Statistics returns filed on time (%)"),
                    _("Of the statistics returns for periods starting in %(year)s that the bureau had to file, the percentage it filed by the due date; a return not filed counts as late."),
                    "percent", returns_on_time),
    ]
}

COMPUTATION_CHOICES = [(c.code, c.label) for c in COMPUTATIONS.values()]
