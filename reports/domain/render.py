"""The annual report's files: the PDF (WeasyPrint, Chinese, rendered in chunks) and the workbook.

The PDF is the main part (cover, summary, tables, charts) plus the annex (every nomination that
reached the province) cut into chunks of ANNEX_ROWS rows: WeasyPrint slows down on long tables
(DESIGN.md), so each chunk is its own small document and the pages are joined, as
`pojian.domain.pdf.render_pdf_chunks` does. This module runs the same loop itself because it
needs two things that function does not offer: a progress call after each chunk (the office's
progress bar), and page numbers that continue across chunks (each chunk starts counting where
the previous one ended).
"""

from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pojian.domain.xlsx import write_workbook

from . import charts, section_contracts
from .figures import CRITERION_LABELS, enterprise_year_rows

ANNEX_ROWS = 400
TEMPLATE = "reports/pdf/annual.html"
LANGUAGE = "zh-hans"


def report_charts(data, *, width=640):
    """The report's charts as inline SVG (the same ones the pages show)."""
    rows = data["pipeline"]
    result = {
        "pipeline": charts.bar_chart(
            [r["region"] for r in rows],
            [(_("Nominated"), [r["nominated"] for r in rows]), (_("Accepted"), [r["accepted"] for r in rows]),
             (_("Selected"), [r["selected"] for r in rows])],
            title=_("Nominations by region"), horizontal=True, width=width,
        ),
        "sike": charts.pie_chart(
            [(_("Meets the standard"), data["sike"]["passed"]), (_("Does not meet it"), data["sike"]["failed_count"])],
            title=_("四科 check results"),
        ),
        "failed": charts.bar_chart(
            [f["label"] for f in data["sike"]["failed"]], [(_("Nominations failing"), [f["count"] for f in data["sike"]["failed"]])],
            title=_("Criteria most often failed"), horizontal=True, width=width,
        ),
        "trends": charts.line_chart(
            [str(t["year"]) for t in data["trends"]],
            [(_("Nominated"), [t["nominated"] for t in data["trends"]]), (_("Accepted"), [t["accepted"] for t in data["trends"]]),
             (_("Selected"), [t["selected"] for t in data["trends"]])],
            title=_("Earlier years"), width=width,
        ),
    }
    if data["investments"] is not None:
        by_region = data["investments"]["by_region"]
        result["investments"] = charts.bar_chart(
            [r["region"] for r in by_region], [(_("Amount invested (10,000 yuan)"), [r["amount"] / Decimal(10000) for r in by_region])],
            title=_("Investments by region"), horizontal=True, width=width,
        )
    if data["assessment"] is not None and data["assessment"]["rows"]:
        rows_a = data["assessment"]["rows"]
        result["assessment"] = charts.bar_chart(
            [r["region"] for r in rows_a], [(_("Weighted total"), [r["total"] for r in rows_a])],
            title=_("The bureaus' assessment"), horizontal=True, width=width,
        )
    if data.get("funding") is not None and data["funding"]["lines"]:
        lines = data["funding"]["lines"]
        series = [(_("Committed"), [r["committed"] / Decimal(10000) for r in lines]),
                  (_("Paid"), [r["paid"] / Decimal(10000) for r in lines])]
        if data["region"] is None:
            series.insert(0, (_("Budgeted"), [r["budgeted"] / Decimal(10000) for r in lines]))
        result["funding"] = charts.bar_chart([r["line"].name for r in lines], series,
                                             title=_("Budget, committed and paid by funding line (10,000 yuan)"),
                                             horizontal=True, width=width)
    return result


def pdf_contexts(data, *, annex_rows=ANNEX_ROWS):
    """The chunks: the main part, then the annex in slices of `annex_rows`."""
    base = {"data": data, "year": data["year"], "scope": data["scope"],
            "partner_names": "、".join(p["name"] for p in data["partners"] or [])}
    contexts = [{**base, "part": "main", "charts": report_charts(data)}]
    nominations = data["nominations"]
    for start in range(0, len(nominations), annex_rows):
        contexts.append({**base, "part": "annex", "rows": nominations[start:start + annex_rows],
                         "first_annex": start == 0, "row_offset": start})
    return contexts


def render_report_pdf(data, *, on_chunk=None, annex_rows=ANNEX_ROWS, contexts=None):
    """The report's PDF as bytes: each chunk rendered on its own, pages numbered across chunks.

    `on_chunk(i, n)` is called after chunk i of n is laid out (for progress).
    """
    from weasyprint import HTML

    contexts = contexts if contexts is not None else pdf_contexts(data, annex_rows=annex_rows)
    documents, pages = [], 0
    with translation.override(LANGUAGE):
        for i, context in enumerate(contexts):
            html = render_to_string(TEMPLATE, {**context, "page_start": pages + 1})
            doc = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
            documents.append(doc)
            pages += len(doc.pages)
            if on_chunk:
                on_chunk(i + 1, len(contexts))
    if not documents:
        return b"", 0
    all_pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(all_pages).write_pdf(), len(all_pages)


def _yes_no(value):
    if value is None:
        return _("not checked")
    return _("yes") if value else _("no")


def workbook_sheets(data, *, enterprise_rows=None):
    """[(title, headers, rows, widths)] for `pojian.domain.xlsx.write_workbook`: a sheet per table."""
    na = [[_("Not available yet")]]

    def fy(label):  # a figure's column says its fiscal year: 销售收入（元）（2025年度）
        return _("%(label)s (%(figures_year)s)") % {"label": label, "figures_year": data["figures_year"]}

    sheets = [
        (_("Summary"), [_("Figure"), pgettext("report", "Value"), _("Unit")],
         [[label, value, unit] for label, value, unit, _kind in data["summary"]], [44, 16, 10]),
        (_("Pipeline by region"), [_("Region"), _("Region code"), _("Nominated"), _("Submitted"), _("Accepted"), _("Selected")],
         [[r["region"], r["code"], r["nominated"], r["submitted"], r["accepted"], r["selected"]]
          for r in [*data["pipeline"], data["pipeline_total"]]], [26, 10, 12, 12, 12, 12]),
        (_("四科 check"), [_("Criterion"), _("Nominations failing"), _("Share of those checked (%)")],
         [[str(CRITERION_LABELS[f["code"]]), f["count"], f["share"]] for f in data["sike"]["failed"]]
         + [[_("Checked"), data["sike"]["checked"], None], [_("Meeting the standard"), data["sike"]["passed"], data["sike"]["rate"]]],
         [40, 16, 20]),
        (_("Selected enterprises"),
         [_("Rank"), _("Enterprise"), _("Unified social credit code"), _("Region"), _("Industry"), fy(_("Sales revenue (yuan)")),
          fy(_("R&D expense (yuan)")), fy(_("R&D intensity (%)")), fy(_("Employees")), fy(_("S&T staff")),
          fy(_("S&T staff share (%)")),
          _("High-value IP items"), _("Transfers"), _("Aggregate score"), _("Selected on")],
         [[r["rank"], r["name"], r["uscc"], r["region"], r["industry"], r["revenue"], r["rd_expense"], r["rd_intensity"],
           r["employees"], r["tech_staff"], r["tech_staff_share"], r["high_value_ip"], r["transfers"], r["score"],
           r["selected_on"]] for r in data["selected"]],
         [6, 34, 22, 18, 20, 18, 18, 12, 10, 10, 12, 12, 10, 12, 12]),
        (_("Nominations"),
         [_("Enterprise"), _("Unified social credit code"), _("Region"), _("Industry"), _("State"), _("Submitted on"),
          _("Decided on"), _("Meets the 四科 standard")],
         [[r["name"], r["uscc"], r["region"], r["industry"], r["state"], r["submitted_on"], r["decided_on"],
           _yes_no(r["eligible"])] for r in data["nominations"]],
         [34, 22, 18, 20, 12, 12, 12, 12]),
    ]
    inc = data["incubators"]
    sheets.append((_("Incubators supported"), [_("Incubator"), _("Region"), _("Kind"), _("Level"), _("Selected"), _("Post-subsidy (yuan)")],
                   na if inc is None else [[r["name"], r["region"], r["kind"], r["level"], _yes_no(r["selected"]), r["amount"]]
                                           for r in inc["rows"]], [34, 18, 18, 12, 10, 18]))
    partners = data["partners"]
    sheets.append((_("Cooperation list"), [_("Institution"), _("Kind"), _("Region")],
                   na if partners is None else [[p["name"], p["kind"], p["region"]] for p in partners], [34, 18, 18]))
    inv = data["investment_rows"]
    sheets.append((_("Investments"), [_("Date"), _("Institution"), _("Enterprise"), _("Region"), _("Round"), _("Amount (yuan)"),
                                     _("Early or small")],
                   na if inv is None else [[r["date"], r["institution__name"], r["enterprise__name"], r["enterprise__region__name"],
                                            r["round"], r["amount"], _yes_no(r["early_or_small"])] for r in inv],
                   [12, 30, 30, 18, 12, 18, 12]))
    a = data["assessment"]
    sheets.append((_("Bureau assessment"), [_("Rank"), _("Region"), _("Weighted total"), _("Commended"), _("Reason")],
                   na if a is None else [[r["rank"], r["region"], r["total"], _yes_no(r["commended"]), r["reason"]] for r in a["rows"]],
                   [8, 26, 14, 10, 40]))
    f = data.get("funding")
    sheets.append((_("Funding"), [_("Funding line"), _("Budgeted (yuan)"), _("Committed (yuan)"), _("Paid (yuan)"),
                                  _("Remaining (yuan)"), _("Execution rate (%)")],
                   na if f is None else ([[r["line"].name, r["budgeted"], r["committed"], r["paid"], r["remaining"], r["rate"]]
                                         for r in f["lines"]]
                   + [[_("Total"), f["total"]["budgeted"], f["total"]["committed"], f["total"]["paid"],
                       f["total"]["remaining"], f["total"]["rate"]]]), [24, 18, 18, 18, 18, 14]))
    sheets.append((_("Earlier years"), [_("Year"), _("Nominated"), _("Submitted"), _("Accepted"), _("Selected"), _("四科 pass rate (%)"),
                                        _("Investments"), _("Amount invested (yuan)")],
                   [[t["year"], t["nominated"], t["submitted"], t["accepted"], t["selected"], t["pass_rate"], t["investments"],
                     t["investment_amount"]] for t in data["trends"]], [8, 12, 12, 12, 12, 14, 12, 18]))
    if "post_subsidies" in data:
        from .post_subsidies import report_sheet

        sheets.append(report_sheet(data))
    sheets += section_contracts.sheets(data.get("contracts"))
    if "matching" in data:  # 双千工程 by region and by institution
        from .matching import sheets as matching_sheets

        sheets += matching_sheets(data["matching"])
    if enterprise_rows is not None:
        sheets.append((_("Enterprise figures"),
                       [_("Enterprise"), _("Unified social credit code"), _("Region"), _("Industry"), fy(_("Sales revenue (yuan)")),
                        _("Source"), fy(_("R&D expense (yuan)")), fy(_("R&D intensity (%)")), fy(_("Total assets (yuan)")),
                        fy(_("Employees")), fy(_("S&T staff")), _("Registration number"), _("Nomination state")],
                       enterprise_rows, [34, 22, 18, 20, 18, 12, 18, 12, 18, 10, 10, 22, 12]))
    return sheets


def write_report_workbook(path, data, *, on_rows=None, every=5000):
    """Write the workbook; the full enterprise sheet is streamed (`on_rows(n)` every `every` rows)."""

    def streamed():
        n = 0
        for row in enterprise_year_rows(year=data["year"], region=data["region"]):
            yield row
            n += 1
            if on_rows and n % every == 0:
                on_rows(n)
        if on_rows:
            on_rows(n)

    with translation.override(LANGUAGE):
        write_workbook(path, workbook_sheets(data, enterprise_rows=streamed()))
    return path
