"""Exports of a round: the ranked results (.xlsx) and the confirmed list (PDF, Chinese).

Both are job work functions (`results_job`, `confirmed_pdf_job`: job.params["round_id"]) run by
Celery through pojian.domain.jobs, and plain functions (`write_results`, `confirmed_pdf`).
"""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pojian.domain.errors import TransitionNotAllowed
from pojian.domain.jobs import JobFailed, save_result
from pojian.domain.pdf import render_pdf
from pojian.domain.xlsx import write_workbook

from ..models import Assignment, Review, ReviewItem, Round
from .ranking import TIE_RULE, order_items

PDF_TEMPLATE = "reviews/pdf_confirmed_list.html"


def _percent(value):
    return None if value is None else (value * 100).quantize(Decimal("0.01"))


def result_sheets(round_, progress=None):
    """The workbook's sheets: the ranking (every expert's total per nomination) and every review."""
    if round_.phase != Round.Phase.CLOSED:
        raise TransitionNotAllowed(_("The results can be exported once the round is closed."), code="phase")
    items = order_items(ReviewItem.objects.filter(round=round_).select_related("region"))
    reviews = (
        Review.objects.filter(assignment__item__round=round_)
        .exclude(assignment__state=Assignment.State.WITHDRAWN)
        .select_related("assignment__expert")
        .order_by("assignment__expert__name", "assignment_id")
    )
    by_item = defaultdict(list)
    for review in reviews:
        by_item[review.assignment.item_id].append(review)
    width = max([len(v) for v in by_item.values()] + [round_.experts_per_item])
    headers = [
        _("Rank"), _("Nominee"), _("Unified social credit code"), _("Region"), _("Industry"),
        *[_("Expert %(n)s total") % {"n": k} for k in range(1, width + 1)],
        _("Aggregate"), _("Reviews counted"), _("Experts recommending"), _("R&D intensity (%)"),
        _("Nomination submitted"), _("Tie broken by"), _("Selected"), _("Override / objection"),
    ]
    total = len(items)

    def rows():
        for n, item in enumerate(items, start=1):
            counted = [r for r in by_item[item.pk] if r.assignment.is_submitted and r.total is not None]
            totals = [r.total for r in counted] + [None] * (width - len(counted))
            yield [
                item.rank, item.nominee_name, item.nominee_uscc, item.region.name, item.get_industry_display(),
                *totals, item.aggregate, item.review_count, item.recommend_count, _percent(item.rd_intensity),
                item.submitted_at, item.tie_note, _("Yes") if item.selected else _("No"), item.override_reason,
            ]
            if progress is not None:
                progress(n, total=total)

    review_headers = [
        _("Nominee"), _("Expert"), _("Work unit"), _("Status"), _("Total (weighted)"), _("Recommendation"),
        _("Comment"), _("Submitted"),
    ]

    def review_rows():
        names = {i.pk: i.nominee_name for i in items}
        for item in items:
            for r in by_item[item.pk]:
                a = r.assignment
                yield [
                    names[item.pk], a.expert.name, a.expert.unit_name, a.get_progress_display(), r.total,
                    r.get_recommendation_display(), r.comment, a.submitted_at,
                ]

    rule = [
        [str(TIE_RULE)],
        [_("Aggregation: %(method)s%(normalised)s") % {
            "method": round_.get_aggregation_display(),
            "normalised": _(", on per-expert normalised totals (z-scores)") if round_.normalise else "",
        }],
        [_("Only submitted reviews count.")],
    ]
    return [
        (_("Ranking"), headers, rows(), [6, 34, 22, 12, 16, *[10] * width, 10, 8, 8, 10, 18, 40, 8, 40]),
        (_("Reviews"), review_headers, review_rows(), [34, 14, 30, 10, 10, 12, 50, 18]),
        (_("Tie rule"), [_("How the ranking is made")], rule, [120]),
    ]


def write_results(path, round_, progress=None):
    return write_workbook(path, result_sheets(round_, progress))


def results_filename(round_):
    return f"review-results-{round_.cycle.year}-{round_.kind}-{timezone.localdate():%Y%m%d}.xlsx"


def confirmed_context(round_):
    items = order_items(ReviewItem.objects.filter(round=round_, selected=True).select_related("region"))
    return {
        "round": round_, "items": items, "notice": getattr(round_, "notice", None),
        "confirmed_at": round_.results_confirmed_at, "tie_rule": TIE_RULE,
    }


def confirmed_pdf(round_):
    """The confirmed list as a PDF in Chinese (after the results are confirmed)."""
    if not round_.results_confirmed_at:
        raise TransitionNotAllowed(_("The list can be printed once the results are confirmed."), code="unconfirmed")
    return render_pdf(PDF_TEMPLATE, confirmed_context(round_))


def confirmed_filename(round_):
    return f"confirmed-list-{round_.cycle.year}-{round_.kind}.pdf"


def _round_for(job):
    round_ = Round.objects.select_related("cycle").filter(pk=job.params.get("round_id")).first()
    if round_ is None:
        raise JobFailed(_("The review round no longer exists."))
    return round_


def results_job(job, progress):
    with override(job.params.get("language") or None):
        round_ = _round_for(job)
        try:
            save_result(job, results_filename(round_), lambda path: write_results(path, round_, progress))
        except TransitionNotAllowed as e:
            raise JobFailed(" ".join(e.messages)) from None
        return _("%(n)d nominations exported.") % {"n": round_.items.count()}


def confirmed_pdf_job(job, progress):
    round_ = _round_for(job)
    try:
        data = confirmed_pdf(round_)
    except TransitionNotAllowed as e:
        raise JobFailed(" ".join(e.messages)) from None

    def write(path):
        with open(path, "wb") as f:
            f.write(data)

    save_result(job, confirmed_filename(round_), write)
    return _("The confirmed list is ready.")
