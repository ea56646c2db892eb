"""Exports of a year's assessment, as background jobs: the table as .xlsx, one PDF page per region.

    request_export(cycle=, by=, kind="xlsx"|"pdf", region=None, language=)   start the job
    write_xlsx(path, assessment)                 three sheets: the table, the indicators, what was counted
    region_pdf(assessment, regions, show_rank)   the PDF bytes, one page per region

Text cells go through `pojian.domain.xlsx` (formulas neutralised); numbers stay numbers.
"""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.jobs import JobFailed, run_job, save_result, start_job
from pojian.domain.pdf import render_pdf_chunks
from pojian.domain.xlsx import write_workbook
from pojian.models import Cycle, Region

from ..models import Indicator, IndicatorResult
from . import explain
from .results import assessment_for, region_report, table

KINDS = ("xlsx", "pdf")


def request_export(*, cycle, by, kind, region=None, language=None):
    """Start an export job. The office exports every region; a bureau only its own region's PDF."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown export."))
    if region is None:
        if not by.has_perm("assessment.manage_assessment"):
            raise PermissionDenied(_("Only the provincial office may export the whole assessment."))
    elif kind != "pdf" or not by.has_perm("assessment.view_region_result", region):
        raise PermissionDenied(_("You may not export this region's assessment."))
    assessment = assessment_for(cycle)
    if assessment is None or assessment.computed_at is None:
        raise ValidationError(_("The %(year)s assessment has not been computed yet.") % {"year": cycle.year})
    from .. import tasks

    task = tasks.export_xlsx_job if kind == "xlsx" else tasks.export_pdf_job
    if region is not None:
        title = _("%(year)s assessment: %(region)s (PDF)") % {"year": cycle.year, "region": region.name}
    elif kind == "xlsx":
        title = _("%(year)s assessment of the bureaus (.xlsx)") % {"year": cycle.year}
    else:
        title = _("%(year)s assessment of the bureaus, a page per region (PDF)") % {"year": cycle.year}
    return start_job(
        kind=f"assessment.export_{kind}", title=title, by=by, region=region, task=task,
        params={"cycle": cycle.pk, "region": region.pk if region else None,
                "language": language or settings.LANGUAGE_CODE},
        origin=(reverse("assessment:region", args=[cycle.year, region.code]) if region is not None
                else reverse("assessment:table", args=[cycle.year]), _("the assessment")),
    )


def _job_context(job):
    cycle = Cycle.objects.get(pk=job.params["cycle"])
    assessment = assessment_for(cycle)
    if assessment is None or assessment.computed_at is None:
        raise JobFailed(_("The %(year)s assessment has not been computed yet.") % {"year": cycle.year})
    region = Region.objects.get(pk=job.params["region"]) if job.params.get("region") else None
    return cycle, assessment, region


def xlsx_sheets(assessment):
    data = table(assessment)
    indicators = data["indicators"]
    headers = [_("Rank"), _("Region")]
    for i in indicators:
        headers += [_("%(indicator)s: value") % {"indicator": i.name}, _("%(indicator)s: score") % {"indicator": i.name}]
    headers += [_("Weighted total"), _("Commended"), _("Reason for the commendation"), _("Tie")]
    rows = []
    for row in data["rows"]:
        result = row["result"]
        line = [result.rank, result.region.name]
        for cell in row["cells"]:
            r = cell["result"]
            line += [r.value if r else None, r.score if r else None]
        line += [result.total, _("Yes") if result.commended else "", result.commendation_reason,
                 explain.tie_text(result.tie)]
        rows.append(line)
    definitions = [
        # The indicator's code is for machines (comparing years, data exchange): the last column, after the Chinese.
        [i.name, i.weight, i.get_source_display(), i.get_computation_display(), i.get_scoring_display(),
         "; ".join(f"≥{b['min']}: {b['points']}" for b in (i.bands or [])), explain.how_obtained(i), i.code]
        for i in indicators
    ]
    counted = []
    for r in (
        IndicatorResult.objects.filter(assessment=assessment)
        .select_related("indicator", "region").order_by("region__sort_order", "indicator__order", "indicator_id")
    ):
        for item in r.items or []:
            counted.append([
                r.region.name, r.indicator.name, item.get("name", ""), item.get("code", ""),
                explain.state_label(item["state"]) if item.get("state") else item.get("detail", ""),
                Decimal(item["amount"]) if item.get("amount") not in (None, "") else None, item.get("date", ""),
            ])
    return [
        (str(_("Assessment")), [str(h) for h in headers], rows, [8, 22] + [14] * (2 * len(indicators)) + [12, 8, 40, 40]),
        (str(_("Indicators")), [str(h) for h in (pgettext("assessment", "Name"), _("Weight"), _("Source"), _("Computation"),
                                                _("Scoring rule"), _("Bands"), _("How it is obtained"),
                                                _("Indicator code (for data exchange)"))],
         definitions, [30, 8, 18, 26, 26, 30, 60, 18]),
        (str(_("What was counted")), [str(h) for h in (_("Region"), _("Indicator"), pgettext("assessment", "Name"),
                                                        pgettext("assessment", "Code"), pgettext("assessment", "Detail"),
                                                        pgettext("assessment", "Amount (yuan)"), pgettext("assessment", "Date"))],
         counted, [14, 26, 36, 22, 26, 16, 12]),
    ]


def xlsx_job_work(job, progress):
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        cycle, assessment, _region = _job_context(job)
        progress(0, total=1, force=True)
        sheets = xlsx_sheets(assessment)
        save_result(job, f"assessment-{cycle.year}.xlsx", lambda path: write_workbook(path, sheets))
        progress(1, total=1, force=True)
        return _("The workbook is ready.")


def region_pdf(assessment, regions, *, show_rank):
    contexts = []
    for region in regions:
        report = region_report(assessment.cycle, region)
        contexts.append({
            "cycle": assessment.cycle, "region": region, "assessment": assessment, "report": report,
            "show_rank": show_rank, "indicators": Indicator.objects.filter(cycle=assessment.cycle),
        })
    return render_pdf_chunks("assessment/pdf/region.html", contexts)


def pdf_job_work(job, progress):
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        cycle, assessment, region = _job_context(job)
        regions = [region] if region else [r.region for r in assessment.results.select_related("region").order_by(
            "region__sort_order")]
        progress(0, total=len(regions), force=True)
        # The office sees the ranking any time; a bureau sees its rank once the result is published.
        show_rank = region is None or assessment.is_published
        pdf = region_pdf(assessment, regions, show_rank=show_rank)
        name = f"assessment-{cycle.year}-{region.code}.pdf" if region else f"assessment-{cycle.year}.pdf"
        save_result(job, name, _writer(pdf))
        progress(len(regions), total=len(regions), force=True)
        return _("The PDF is ready.")


def _writer(data):
    def write(path):
        with open(path, "wb") as f:
            f.write(data)

    return write


def run_xlsx_job(job_id):
    return run_job(job_id, xlsx_job_work)


def run_pdf_job(job_id):
    return run_job(job_id, pdf_job_work)
