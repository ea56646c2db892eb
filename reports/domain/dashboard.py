"""The office's dashboard: the year at a glance, each section a table, a chart and a sheet.

`Dashboard(cycle)` computes each shared figure once (cached), with grouped queries only; the
number of queries is the same for 1 region or 13, for 10 nominations or 10,000.
`section(key)` gives one section (for its .xlsx download); `sections()` all of them.
"""

from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import EnterpriseNomination
from pojian.models import NominationState, Region

from . import charts, sources
from .figures import percent, sike, trends

SECTION_TITLES = {
    "states": gettext_lazy("Nominations by state and region"),
    "sike": gettext_lazy("The 四科 check"),
    "review": gettext_lazy("Review progress"),
    "selection": gettext_lazy("Selected against quota"),
    "investments": gettext_lazy("Investments"),
    "incubators": gettext_lazy("Incubator support"),
    "ranking": gettext_lazy("The bureaus' ranking so far"),
    "trends": gettext_lazy("Compared with earlier years"),
    "funding": gettext_lazy("Funding: budget, committed and paid"),
    "contracts": gettext_lazy("双千工程: technology contracts"),
    "post_subsidies": gettext_lazy("Post-subsidies: R&D and incubators"),
    "matching": gettext_lazy("双千工程: results, demands, matching and contracts"),
}
KEYS = tuple(SECTION_TITLES)
TEN_THOUSAND = Decimal(10000)


class Dashboard:
    def __init__(self, cycle):
        self.cycle = cycle

    # Shared figures, each one query (or a few), computed once.

    @cached_property
    def regions(self):
        return list(Region.objects.nominating().filter(active=True))

    @cached_property
    def enterprise_counts(self):
        return sources.pipeline_counts(EnterpriseNomination, cycle=self.cycle)

    @cached_property
    def incubator_counts(self):
        return sources.incubator_pipeline(cycle=self.cycle)

    def _regions_with(self, *count_maps):
        """The active regions, plus any inactive one that appears in the counts."""
        known = {r.pk for r in self.regions}
        extra = {pk for m in count_maps if m for pk in m if pk not in known and pk is not None}
        return self.regions + (list(Region.objects.filter(pk__in=extra)) if extra else [])

    def section(self, key):
        if key not in SECTION_TITLES:
            raise KeyError(key)
        result = getattr(self, f"_{key}")()
        result.setdefault("available", True)
        result.setdefault("charts", [])
        result.setdefault("notes", [])
        return {"key": key, "title": str(SECTION_TITLES[key]), **result}

    def sections(self):
        return [self.section(k) for k in KEYS]

    def sheets(self, keys=None):
        """[(title, headers, rows, widths)] for write_workbook."""
        out = []
        for s in (self.section(k) for k in (keys or KEYS)):
            rows = s["rows"] if s["available"] else [[_("Not available yet")]]
            if s.get("institution_rows") is not None:  # a second table below the first
                rows = [*rows, [], s["institution_headers"], *s["institution_rows"]]
            out.append((s["title"], s["headers"], rows, None))
        return out

    # Sections.

    def _states(self):
        counts = self.enterprise_counts
        states = [s for s in NominationState.values if any(c["by_state"].get(s) for c in counts.values())]
        labels = dict(NominationState.choices)
        regions = self._regions_with(counts)
        rows = []
        for r in regions:
            by_state = counts.get(r.pk, {}).get("by_state", {})
            rows.append([r.name, *[by_state.get(s, 0) for s in states], sum(by_state.values())])
        total = [_("Total"), *[sum(row[i + 1] for row in rows) for i in range(len(states))], sum(row[-1] for row in rows)]
        chart = charts.bar_chart(
            [r.name for r in regions], [(labels[s], [row[i + 1] for row in rows]) for i, s in enumerate(states)],
            title=str(SECTION_TITLES["states"]), horizontal=True, stacked=True,
        )
        return {"headers": [_("Region"), *[str(labels[s]) for s in states], _("Total")], "rows": [*rows, total],
                "charts": [chart], "numbers": [(_("Nominations"), total[-1])]}

    def _sike(self):
        result = sike(cycle=self.cycle)
        rows = [[f["label"], f["count"], f["share"]] for f in result["failed"]]
        pie = charts.pie_chart(
            [(_("Meets the standard"), result["passed"]), (_("Does not meet it"), result["failed_count"])],
            title=_("四科 check results"),
        )
        bar = charts.bar_chart(
            [f["label"] for f in result["failed"]], [(_("Nominations failing"), [f["count"] for f in result["failed"]])],
            title=_("Criteria most often failed"), horizontal=True,
        )
        return {
            "headers": [_("Criterion"), _("Nominations failing"), _("Share of those checked (%)")],
            "rows": [*rows, [_("Checked"), result["checked"], None], [_("Meeting the standard"), result["passed"], result["rate"]]],
            "charts": [pie, bar],
            "numbers": [(_("Checked"), result["checked"]), (_("四科 pass rate"), f"{result['rate']}%" if result["rate"] is not None else "—")],
        }

    def _review(self):
        progress = sources.review_progress(cycle=self.cycle)
        if progress is None:
            return {"available": False, "headers": [], "rows": []}
        rows = [[e["round"], e["expert"], e["done"], e["expected"], percent(e["done"], e["expected"])] for e in progress["experts"]]
        totals = [[r["label"], _("All experts"), r["done"], r["expected"], percent(r["done"], r["expected"])] for r in progress["rounds"]]
        chart = charts.bar_chart(
            [f"{e['expert']}（{e['round']}）" for e in progress["experts"]],
            [(_("Scores in"), [e["done"] for e in progress["experts"]]),
             (_("Still to come"), [e["expected"] - e["done"] for e in progress["experts"]])],
            title=_("Scores in per expert"), horizontal=True, stacked=True,
        )
        return {
            "headers": [_("Review round"), _("Expert"), _("Scores in"), _("Expected"), _("Done (%)")],
            "rows": [*totals, *rows], "charts": [chart],
            "numbers": [(_("Scores in / expected"), f"{progress['done']} / {progress['expected']}")],
        }

    def _selection(self):
        ent = {s: sum(c[s] for c in self.enterprise_counts.values()) for s in sources.STAGES} if self.enterprise_counts else {}
        ranked = sources.review_selected_counts(cycle=self.cycle)
        rows = [[_("Enterprises"), ent.get("accepted", 0), ent.get("selected", 0),
                 (ranked or {}).get("enterprises", 0) if ranked is not None else None, self.cycle.enterprise_quota]]
        if self.incubator_counts is not None:
            inc = {s: sum(c[s] for c in self.incubator_counts.values()) for s in sources.STAGES}
            rows.append([_("Incubators and maker spaces"), inc["accepted"], inc["selected"],
                         (ranked or {}).get("incubators", 0) if ranked is not None else None, self.cycle.incubator_quota])
        chart = charts.bar_chart(
            [r[0] for r in rows],
            [(_("Selected"), [r[2] for r in rows]), (_("Selected in the ranking"), [r[3] for r in rows]),
             (_("Quota"), [r[4] for r in rows])],
            title=str(SECTION_TITLES["selection"]),
        )
        return {"headers": [_("Kind"), _("Accepted"), _("Selected"), _("Selected in the ranking"), _("Quota")], "rows": rows,
                "charts": [chart], "numbers": [(_("Selected / quota"), f"{rows[0][2]} / {rows[0][4]}")]}

    def _investments(self):
        totals = sources.investment_totals(year=self.cycle.year)
        if totals is None:
            return {"available": False, "headers": [], "rows": []}
        rows = [[r["region"], r["count"], r["amount"], r["early_small_count"], r["early_small_amount"]] for r in totals["by_region"]]
        rows.append([_("Total"), totals["count"], totals["amount"], totals["early_small_count"], totals["early_small_amount"]])
        chart = charts.bar_chart(
            [r["region"] for r in totals["by_region"]],
            [(_("Amount invested (10,000 yuan)"), [r["amount"] / TEN_THOUSAND for r in totals["by_region"]])],
            title=_("Investments by region"), horizontal=True,
        )
        return {"headers": [_("Region"), _("Investments"), _("Amount (yuan)"), _("Early or small"), _("Early or small, amount (yuan)")],
                "rows": rows, "charts": [chart], "money_columns": [2, 4],
                "numbers": [(_("Investments"), totals["count"]), (_("Amount (10,000 yuan)"), _wan(totals["amount"]))]}

    def _incubators(self):
        counts = self.incubator_counts
        subsidies = sources.post_subsidy_by_region(year=self.cycle.year)
        if counts is None and subsidies is None:
            return {"available": False, "headers": [], "rows": []}
        counts, subsidies = counts or {}, subsidies or {}
        rows = []
        for r in self._regions_with(counts, subsidies):
            c = counts.get(r.pk, {})
            n, amount = subsidies.get(r.pk, (0, Decimal("0")))
            rows.append([r.name, c.get("nominated", 0), c.get("accepted", 0), c.get("selected", 0), n, amount])
        total = [_("Total"), *[sum(row[i] for row in rows) for i in range(1, 5)], sum((row[5] for row in rows), Decimal("0"))]
        chart = charts.bar_chart(
            [row[0] for row in rows], [(_("Nominated"), [row[1] for row in rows]), (_("Selected"), [row[3] for row in rows]),
                                       (_("Post-subsidies"), [row[4] for row in rows])],
            title=str(SECTION_TITLES["incubators"]), horizontal=True,
        )
        return {"headers": [_("Region"), _("Nominated"), _("Accepted"), _("Selected"), _("Post-subsidies"), _("Post-subsidy amount (yuan)")],
                "rows": [*rows, total], "charts": [chart], "money_columns": [5],
                "numbers": [(_("Incubators selected"), total[3]), (_("Post-subsidies (10,000 yuan)"), _wan(total[5]))]}

    def _ranking(self):
        result = sources.assessment(cycle=self.cycle)
        if result is None:
            return {"available": False, "headers": [], "rows": []}
        rows = [[r["rank"], r["region"], r["total"], _("yes") if r["commended"] else ""] for r in result["rows"]]
        chart = charts.bar_chart([r[1] for r in rows], [(_("Weighted total"), [r[2] for r in rows])],
                                 title=str(SECTION_TITLES["ranking"]), horizontal=True)
        notes = []
        if not result["exists"] or not result["rows"]:
            notes.append(_("The assessment has not been computed yet."))
        elif not result["published"]:
            notes.append(_("Not yet published: for internal use."))
        return {"headers": [_("Rank"), _("Region"), _("Weighted total"), _("Commended")], "rows": rows, "charts": [chart],
                "notes": notes}

    def _trends(self):
        rows = trends(up_to_year=self.cycle.year)
        table = [[t["year"], t["nominated"], t["accepted"], t["selected"], t["pass_rate"], t["investments"], t["investment_amount"]]
                 for t in rows]
        chart = charts.line_chart(
            [str(t["year"]) for t in rows],
            [(_("Nominated"), [t["nominated"] for t in rows]), (_("Accepted"), [t["accepted"] for t in rows]),
             (_("Selected"), [t["selected"] for t in rows])],
            title=str(SECTION_TITLES["trends"]),
        )
        return {"headers": [_("Year"), _("Nominated"), _("Accepted"), _("Selected"), _("四科 pass rate (%)"), _("Investments"),
                            _("Amount invested (yuan)")], "rows": table, "charts": [chart], "money_columns": [6]}

    def _funding(self):
        result = sources.funding(cycle=self.cycle)
        if result is None:
            return {"available": False, "headers": [], "rows": []}
        lines, regions, total = result["lines"], result["regions"], result["total"]
        rows = [[r["line"].name, r["budgeted"], r["committed"], r["paid"], r["remaining"], r["rate"]] for r in lines]
        rows.append([_("Total"), total["budgeted"], total["committed"], total["paid"], total["remaining"], total["rate"]])
        by_line = charts.bar_chart(
            [r["line"].name for r in lines],
            [(_("Budgeted"), [r["budgeted"] / TEN_THOUSAND for r in lines]),
             (_("Committed"), [r["committed"] / TEN_THOUSAND for r in lines]),
             (_("Paid"), [r["paid"] / TEN_THOUSAND for r in lines])],
            title=_("Budget, committed and paid by funding line (10,000 yuan)"), horizontal=True,
        )
        by_region = charts.bar_chart(
            [r["region"].name for r in regions],
            [(_("Committed"), [r["committed"] / TEN_THOUSAND for r in regions]),
             (_("Paid"), [r["paid"] / TEN_THOUSAND for r in regions])],
            title=_("Committed and paid by region (10,000 yuan)"), horizontal=True,
        )
        return {"headers": [_("Funding line"), _("Budgeted (yuan)"), _("Committed (yuan)"), _("Paid (yuan)"),
                            _("Remaining (yuan)"), _("Execution rate (%)")],
                "rows": rows, "charts": [by_line, by_region], "money_columns": [1, 2, 3, 4],
                "numbers": [(_("Budget execution rate"), f"{total['rate']}%" if total["rate"] is not None else "—")]}

    def _contracts(self):
        result = sources.tech_contracts(cycle=self.cycle)
        if result is None:
            return {"available": False, "headers": [], "rows": []}
        regions, institutions, total = result["regions"], result["institutions"], result["total"]
        rows = [[r["name"], r["n"], r["value"], r["paid"], r["granted"]] for r in regions]
        rows.append([_("Total"), total["n"], total["value"], total["paid"], total["granted"]])
        by_institution = charts.bar_chart(
            [r["name"] for r in institutions],
            [(_("Contract value"), [r["value"] / TEN_THOUSAND for r in institutions]),
             (_("Paid"), [r["paid"] / TEN_THOUSAND for r in institutions])],
            title=_("Technology contracts by institution (10,000 yuan)"), horizontal=True,
        )
        return {"headers": [_("Region"), _("Contracts"), _("Contract value (yuan)"), _("Paid (yuan)"),
                            _("Contract subsidy granted (yuan)")],
                "rows": rows, "charts": [by_institution], "money_columns": [2, 3, 4],
                "notes": [_("Contracts registered up to the end of %(year)s; the subsidy is the contract subsidy "
                            "computed for %(year)s.") % {"year": self.cycle.year}]}

    def _matching(self):
        """双千 in the year by region (the table) and by institution (the fragment and a second sheet)."""
        from . import matching

        figures = matching.matching_figures(year=self.cycle.year)
        if figures is None:
            return {"available": False, "headers": [], "rows": []}
        regions, total = figures["regions"], figures["total"]
        chart = charts.bar_chart(
            [r["name"] for r in regions],
            [(_("Results published"), [r["results"] for r in regions]), (_("Demands"), [r["demands"] for r in regions]),
             (_("Matching records (对接)"), [r["matches"] for r in regions]),
             (_("Contracts signed"), [r["contracts"] for r in regions])],
            title=_("双千工程 in %(year)s by region") % {"year": self.cycle.year}, horizontal=True,
        )
        return {"headers": matching.headers(_("Region")), "rows": matching.rows(figures, "regions"),
                "charts": [chart], "money_columns": [5, 6], "fragment": "reports/_matching.html",
                "institution_headers": matching.headers(_("Institution")),
                "institution_rows": matching.rows(figures, "institutions"),
                "numbers": [(_("Results published"), total["results"]), (_("Contracts signed"), total["contracts"]),
                            (_("Paid on contracts (10,000 yuan)"), _wan(total["paid"]))],
                "notes": [_("Published, entered, met, registered and paid in %(year)s; cancelled contracts are "
                            "left out.") % {"year": self.cycle.year}]}

    def _post_subsidies(self):
        """R&D and incubator post-subsidies (reports.domain.post_subsidies)."""
        from .post_subsidies import dashboard_section

        return dashboard_section(self.cycle)


def _wan(amount):
    return f"{(amount or Decimal('0')) / TEN_THOUSAND:,.2f}"
