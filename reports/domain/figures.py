"""The annual report's data for a year and an optional region: one function, `report_data`.

Everything is counted with set-based queries (one grouped query for the pipeline of every
region, one aggregate for the 四科 results, one query for the selected enterprises with their
figures, ...); the number of queries does not grow with the regions or the nominations.

The funnel (a later stage is a subset of the earlier one):

    nominated   every nomination of the year that is not withdrawn (drafts included)
    submitted   it reached the province: submitted, returned, accepted, rejected, selected, not selected
    accepted    it passed the acceptance check: accepted, selected, not selected
    selected    selected

Money stays Decimal (yuan) throughout; the PDF shows 万元, the workbook yuan as numbers.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from enterprises.domain.rulebook import figures_year_for
from enterprises.models import (
    EnterpriseNomination,
    EnterpriseYear,
    FigureSource,
    Industry,
    IPItem,
    Registration,
    Transfer,
    Verdict,
)
from pojian.domain.errors import ValidationError
from pojian.models import Cycle, NominationState, Region

from . import section_contracts, sources
from .matching import matching_figures

HUNDRED = Decimal("100")
TWO = Decimal("0.01")

CRITERIA = Verdict.CRITERIA
CRITERION_LABELS = {
    "revenue": gettext_lazy("Sales revenue at most 200 million yuan"),
    "employees": gettext_lazy("At most 500 employees"),
    "core_tech_product": gettext_lazy("A product with key core technology"),
    "tech_staff_ratio": gettext_lazy("S&T staff above 60%"),
    "ip_and_transfers": gettext_lazy("High-value IP and transfers above 5"),
    "rd_intensity": gettext_lazy("R&D intensity above 6%"),
    "registered": gettext_lazy("Registered as a tech SME for the year"),
}
STAGES = sources.STAGES


class UnknownYear(ValidationError):
    pass


def percent(part, whole):
    """part / whole as a percentage with two decimals (Decimal), None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TWO, rounding=ROUND_HALF_UP)


def cycle_for(year):
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        known = ", ".join(str(y) for y in Cycle.objects.order_by("year").values_list("year", flat=True)) or "—"
        raise UnknownYear(_("There is no programme year %(year)s (known years: %(known)s).") % {"year": year, "known": known})
    return cycle


def _nominations(cycle, region):
    qs = EnterpriseNomination.objects.filter(cycle=cycle)
    return qs.filter(region=region) if region is not None else qs


def pipeline(*, cycle, region=None):
    """[{region, code, nominated, submitted, accepted, selected}] for every active region (or the one), and the total."""
    counts = sources.pipeline_counts(EnterpriseNomination, cycle=cycle, region=region)
    regions = [region] if region is not None else list(Region.objects.nominating().filter(active=True))
    rows = []
    for r in regions:
        c = counts.get(r.pk, {})
        rows.append({"region": r.name, "code": r.code, **{s: c.get(s, 0) for s in STAGES}})
    # Inactive regions that still hold nominations of the year are counted too.
    seen = {r.pk for r in regions}
    extra = [pk for pk in counts if pk not in seen]
    if extra:
        for r in Region.objects.filter(pk__in=extra):
            rows.append({"region": r.name, "code": r.code, **{s: counts[r.pk].get(s, 0) for s in STAGES}})
    total = {"region": _("Total"), "code": "", **{s: sum(r[s] for r in rows) for s in STAGES}}
    by_state = {}
    for c in counts.values():
        for state, n in c["by_state"].items():
            by_state[state] = by_state.get(state, 0) + n
    return rows, total, by_state


def sike(*, cycle, region=None):
    """The 四科 results of the year's live nominations: checked, passed, pass rate, failures per criterion."""
    qs = Verdict.objects.filter(nomination__cycle=cycle, nomination__state__in=sources.LIVE)
    if region is not None:
        qs = qs.filter(nomination__region=region)
    agg = qs.aggregate(
        checked=Count("pk"), passed=Count("pk", filter=Q(eligible=True)),
        **{f"fail_{c}": Count("pk", filter=Q(**{f"fail_{c}": True})) for c in CRITERIA},
    )
    failed = [{"code": c, "label": str(CRITERION_LABELS[c]), "count": agg[f"fail_{c}"],
               "share": percent(agg[f"fail_{c}"], agg["checked"])} for c in CRITERIA]
    failed.sort(key=lambda f: (-f["count"], CRITERIA.index(f["code"])))
    return {
        "checked": agg["checked"], "passed": agg["passed"], "failed_count": agg["checked"] - agg["passed"],
        "rate": percent(agg["passed"], agg["checked"]), "failed": failed,
    }


def _count_subquery(model, *, year_end, date_field, **filters):
    sub = (
        model.objects.filter(enterprise=OuterRef("enterprise_id"), **{f"{date_field}__lte": year_end}, **filters)
        .order_by().values("enterprise").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def selected_enterprises(*, cycle, region=None):
    """The selected enterprises with their key figures for the year (tax figures win), in one query."""
    year_end = datetime.date(cycle.year, 12, 31)
    qs = (
        _nominations(cycle, region).filter(state__in=sources.SELECTED)
        # The figures are those of the year's figures year (its rulebook's; by default the year before).
        .annotate(fy=FilteredRelation("enterprise__years",
                                      condition=Q(enterprise__years__year=figures_year_for(cycle.year))))
        .annotate(
            revenue=Coalesce(F("fy__revenue_tax"), F("fy__revenue")),
            rd_expense=Coalesce(F("fy__rd_expense_tax"), F("fy__rd_expense")),
            employees=Coalesce(F("fy__employees_tax"), F("fy__employees")),
            tech_staff=F("fy__tech_staff"),
            high_value_ip=_count_subquery(IPItem, year_end=year_end, date_field="granted_on", high_value=True),
            transfers=_count_subquery(Transfer, year_end=year_end, date_field="date"),
        )
        .values("pk", "enterprise__name", "enterprise__uscc", "enterprise__industry", "region__name", "decided_at",
                "revenue", "rd_expense", "employees", "tech_staff", "high_value_ip", "transfers")
        .order_by("region__sort_order", "enterprise__name")
    )
    industries = dict(Industry.choices)
    scores = sources.review_scores(cycle=cycle, nomination_model=EnterpriseNomination) or {}
    rows = []
    for r in qs:
        aggregate, rank = scores.get(r["pk"], (None, None))
        rows.append({
            "name": r["enterprise__name"], "uscc": r["enterprise__uscc"], "region": r["region__name"],
            "industry": str(industries.get(r["enterprise__industry"], r["enterprise__industry"])),
            "revenue": r["revenue"], "rd_expense": r["rd_expense"],
            "rd_intensity": percent(r["rd_expense"], r["revenue"]) if r["rd_expense"] is not None else None,
            "employees": r["employees"], "tech_staff": r["tech_staff"],
            "tech_staff_share": percent(r["tech_staff"], r["employees"]) if r["tech_staff"] is not None else None,
            "high_value_ip": r["high_value_ip"], "transfers": r["transfers"],
            "score": aggregate, "rank": rank,
            "selected_on": timezone.localtime(r["decided_at"]).date() if r["decided_at"] else None,
        })
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return rows


def nomination_rows(*, cycle, region=None):
    """Every nomination that reached the province, with its state and 四科 result (the report's annex)."""
    states = dict(NominationState.choices)
    industries = dict(Industry.choices)
    qs = (
        _nominations(cycle, region).filter(state__in=sources.SUBMITTED)
        .values("enterprise__name", "enterprise__uscc", "enterprise__industry", "region__name", "state",
                "submitted_at", "decided_at", "verdict__eligible")
        .order_by("region__sort_order", "enterprise__name", "pk")
    )
    tz = timezone.get_current_timezone()
    return [
        {"name": r["enterprise__name"], "uscc": r["enterprise__uscc"], "region": r["region__name"],
         "industry": str(industries.get(r["enterprise__industry"], r["enterprise__industry"])),
         "state": str(states.get(r["state"], r["state"])),
         "submitted_on": timezone.localtime(r["submitted_at"], tz).date() if r["submitted_at"] else None,
         "decided_on": timezone.localtime(r["decided_at"], tz).date() if r["decided_at"] else None,
         "eligible": r["verdict__eligible"]}
        for r in qs
    ]


def trends(*, up_to_year, region=None):
    """Per year up to this one: nominated/accepted/selected, pass rate, investments. Three grouped queries."""
    qs = EnterpriseNomination.objects.filter(cycle__year__lte=up_to_year)
    vq = Verdict.objects.filter(nomination__cycle__year__lte=up_to_year, nomination__state__in=sources.LIVE)
    if region is not None:
        qs, vq = qs.filter(region=region), vq.filter(nomination__region=region)
    years = {}
    for r in qs.values("cycle__year", "state").annotate(n=Count("pk")).order_by():
        y = years.setdefault(r["cycle__year"], {s: 0 for s in STAGES})
        n, state = r["n"], r["state"]
        y["nominated"] += n if state in sources.LIVE else 0
        y["submitted"] += n if state in sources.SUBMITTED else 0
        y["accepted"] += n if state in sources.ACCEPTED else 0
        y["selected"] += n if state in sources.SELECTED else 0
    passes = {r["nomination__cycle__year"]: r for r in vq.values("nomination__cycle__year")
              .annotate(checked=Count("pk"), passed=Count("pk", filter=Q(eligible=True))).order_by()}
    invest = sources.investments_by_year() if region is None else None
    for year in Cycle.objects.filter(year__lte=up_to_year).values_list("year", flat=True):
        years.setdefault(year, {s: 0 for s in STAGES})
    rows = []
    for year in sorted(years):
        p = passes.get(year, {"checked": 0, "passed": 0})
        inv = (invest or {}).get(year, (0, Decimal("0")))
        rows.append({"year": year, **years[year], "pass_rate": percent(p["passed"], p["checked"]),
                     "investments": inv[0] if invest is not None else None,
                     "investment_amount": inv[1] if invest is not None else None})
    return rows


def report_data(*, year, region=None, with_annex=True):
    """Everything the annual report shows for a year, for the province (region None) or one region.

    Raises UnknownYear when there is no programme year `year`.
    """
    cycle = cycle_for(year)
    rows, total, by_state = pipeline(cycle=cycle, region=region)
    sike_result = sike(cycle=cycle, region=region)
    selected = selected_enterprises(cycle=cycle, region=region)
    registrations = Registration.objects.filter(year=year)
    if region is not None:
        registrations = registrations.filter(enterprise__region=region)
    incubator_counts = sources.incubator_pipeline(cycle=cycle, region=region)
    incubator_total = None
    if incubator_counts is not None:
        incubator_total = {s: sum(c[s] for c in incubator_counts.values()) for s in STAGES}
    incubators = sources.incubators_supported(year=year, region=region)
    partners = sources.finance_partners(year=year)
    investments = sources.investment_totals(year=year, region=region)
    investment_list = sources.investment_rows(year=year, region=region)
    assessment = sources.assessment(cycle=cycle, region=region)
    from enterprises.domain.rulebook import figures_label

    figures_year = figures_year_for(year)
    data = {
        "year": year,
        "figures_year": figures_year,
        # One wording everywhere: 2025年度财务数据（2026年度推荐）.
        "figures_label": figures_label(figures_year=figures_year, year=year),
        "cycle": cycle,
        "region": region,
        "scope": region.name if region is not None else _("Jilin Province"),
        "generated_at": timezone.localtime(),
        "quota": cycle.enterprise_quota if region is None else None,
        "incubator_quota": cycle.incubator_quota if region is None else None,
        "pipeline": rows,
        "pipeline_total": total,
        "by_state": by_state,
        "sike": sike_result,
        "registrations": registrations.count(),
        "selected": selected,
        "incubator_pipeline": incubator_total,
        "incubators": incubators,
        "partners": partners,
        "investments": investments,
        "investment_rows": investment_list,
        "assessment": assessment,
        "funding": sources.funding(cycle=cycle, region=region),
        "contracts": section_contracts.data(cycle=cycle, region=region),
        "matching": matching_figures(year=year, region=region),  # 双千工程 (reports.domain.matching)
        "trends": trends(up_to_year=year, region=region),
        "nominations": nomination_rows(cycle=cycle, region=region) if with_annex else [],
    }
    from .post_subsidies import figures as post_subsidy_figures

    data["post_subsidies"] = post_subsidy_figures(cycle=cycle, region=region)
    data["summary"] = summary(data)
    return data


def summary(data):
    """The report's key figures as (label, value, unit, kind) rows (kind: count, money, percent): the PDF's summary table and the workbook's first sheet."""
    t, s = data["pipeline_total"], data["sike"]
    rows = [
        (_("Enterprises nominated"), t["nominated"], pgettext("unit", "enterprises"), "count"),
        (_("Nominations submitted to the province"), t["submitted"], pgettext("unit", "enterprises"), "count"),
        (_("Nominations accepted"), t["accepted"], pgettext("unit", "enterprises"), "count"),
        (_("Enterprises selected"), t["selected"], pgettext("unit", "enterprises"), "count"),
    ]
    if data["quota"] is not None:
        rows.append((_("Enterprise quota"), data["quota"], pgettext("unit", "enterprises"), "count"))
    rows += [
        (_("Nominations checked against the 四科 standard"), s["checked"], pgettext("unit", "enterprises"), "count"),
        (_("Meeting the 四科 standard"), s["passed"], pgettext("unit", "enterprises"), "count"),
        (_("四科 pass rate"), s["rate"], "%", "percent"),
        (_("Tech SMEs registered for the year"), data["registrations"], pgettext("unit", "enterprises"), "count"),
    ]
    if data["incubator_pipeline"] is not None:
        rows += [
            (_("Incubators and maker spaces nominated"), data["incubator_pipeline"]["nominated"], pgettext("unit", "incubators"), "count"),
            (_("Incubators and maker spaces selected"), data["incubator_pipeline"]["selected"], pgettext("unit", "incubators"), "count"),
        ]
    if data["incubators"] is not None:
        rows.append((_("Post-subsidies granted to incubators"), data["incubators"]["total_amount"], pgettext("unit", "yuan"), "money"))
    if data["partners"] is not None:
        rows.append((_("Finance institutions on the cooperation list"), len(data["partners"]), pgettext("unit", "institutions"), "count"))
    if data["investments"] is not None:
        rows += [
            (_("Investments in tech SMEs"), data["investments"]["count"], pgettext("unit", "investments"), "count"),
            (_("Amount invested"), data["investments"]["amount"], pgettext("unit", "yuan"), "money"),
        ]
    return rows


def enterprise_year_rows(*, year, region=None):
    """Every enterprise's figures for the year, streamed (for the workbook's full sheet: 100k rows, little memory).

    Yields lists: name, USCC, region, industry, revenue, its source, R&D expense, R&D intensity %,
    total assets, employees, S&T staff, registration number, nomination state.
    """
    industries = dict(Industry.choices)
    states = dict(NominationState.choices)
    qs = EnterpriseYear.objects.filter(year=figures_year_for(year))  # the figures judging the year's nominations
    if region is not None:
        qs = qs.filter(enterprise__region=region)
    registration = Registration.objects.filter(enterprise=OuterRef("enterprise_id"), year=year).values("number")[:1]
    nomination = (
        EnterpriseNomination.objects.filter(enterprise=OuterRef("enterprise_id"), cycle__year=year)
        .exclude(state=NominationState.WITHDRAWN).values("state")[:1]
    )
    qs = (
        qs.annotate(registration_number=Subquery(registration), nomination_state=Subquery(nomination))
        .values_list(
            "enterprise__name", "enterprise__uscc", "enterprise__region__name", "enterprise__industry",
            "revenue", "revenue_tax", "rd_expense", "rd_expense_tax", "total_assets", "total_assets_tax",
            "employees", "employees_tax", "tech_staff", "registration_number", "nomination_state",
        )
        .order_by("enterprise__region__sort_order", "enterprise__name", "pk")
    )
    tax, declared = str(FigureSource.TAX.label), str(FigureSource.DECLARED.label)
    for (name, uscc, region_name, industry, revenue, revenue_tax, rd, rd_tax, assets, assets_tax,
         employees, employees_tax, tech_staff, reg_no, state) in qs.iterator(chunk_size=5000):
        rev = revenue_tax if revenue_tax is not None else revenue
        r_d = rd_tax if rd_tax is not None else rd
        yield [
            name, uscc, region_name, str(industries.get(industry, industry)),
            rev, tax if revenue_tax is not None else declared, r_d,
            percent(r_d, rev) if r_d is not None else None,
            assets_tax if assets_tax is not None else assets,
            employees_tax if employees_tax is not None else employees, tech_staff,
            reg_no or "", str(states.get(state, "")) if state else "",
        ]


def enterprise_year_count(*, year, region=None):
    qs = EnterpriseYear.objects.filter(year=figures_year_for(year))  # the figures judging the year's nominations
    return (qs.filter(enterprise__region=region) if region is not None else qs).count()
