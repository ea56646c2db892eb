"""Computing a year's assessment: every region × indicator, scores, weighted totals, ranking.

    compute_assessment(cycle=, by=, progress=)   the work itself (a Celery task calls it through a job)
    request_computation(cycle=, by=)             start the job; once at a time per year (dedupe key)
    recompute_changed()                          the periodic check: recompute what the data changed under
    figures_for(indicator=, region_ids=)         one indicator's raw values for the regions

When it runs. The office's button runs it on demand. A periodic task (django-celery-beat, every
minute by default; the office can change the interval in the admin) compares a fingerprint
of the data the assessment reads (`sources.data_signature`: a handful of index-only MAX queries
on the audit-history tables) with the one stored at the last computation, and recomputes each
unpublished assessment whose data changed. That is cheap when nothing changed, catches every
kind of change (admin edits, imports, bulk updates, other apps' code, deletions) without signals
in other apps, and never recomputes a published result (publishing freezes it).
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import ValidationError
from pojian.domain.jobs import JobFailed, run_job, start_job
from pojian.models import Cycle, Region, User

from ..models import Assessment, BureauSummary, Indicator, IndicatorResult, OfficeEntry, RegionResult
from . import scoring, sources
from .computations import COMPUTATIONS, Figure

JOB_KIND = "assessment.compute"


def dedupe_key(cycle):
    return f"assessment-compute-{cycle.year}"


def assessment_regions():
    return list(Region.objects.nominating().filter(active=True))


def figures_for(*, indicator, region_ids):
    """{region_id: Figure} for one indicator of its year."""
    year = indicator.cycle.year
    if indicator.source == Indicator.Source.COMPUTED:
        computation = COMPUTATIONS.get(indicator.computation)
        if computation is None:
            return {r: Figure(None, note="unavailable") for r in region_ids}
        return computation.run(year=year, region_ids=region_ids)
    if indicator.source == Indicator.Source.OFFICE:
        entries = {e.region_id: e for e in OfficeEntry.objects.filter(indicator=indicator, region_id__in=region_ids)}
        return {
            r: Figure(entries[r].value, facts={"note": entries[r].note}) if r in entries else Figure(None, note="missing")
            for r in region_ids
        }
    return _review_scores(indicator=indicator, region_ids=region_ids)


def _review_scores(*, indicator, region_ids):
    """The aggregate expert score of each region's summary in the year's "bureau summaries" round."""
    Round = sources.model("reviews.Round")
    ReviewItem = sources.model("reviews.ReviewItem")
    if Round is None or ReviewItem is None or not sources.field_path_exists(ReviewItem, "aggregate"):
        return {r: Figure(None, note="unavailable") for r in region_ids}
    round_ = Round.objects.filter(cycle=indicator.cycle, kind="bureau_summaries").first()
    if round_ is None:
        return {r: Figure(None, note="missing") for r in region_ids}
    summaries = dict(
        BureauSummary.objects.filter(cycle=indicator.cycle, region_id__in=region_ids).values_list("pk", "region_id")
    )
    items = ReviewItem.objects.filter(
        round=round_, content_type=ContentType.objects.get_for_model(BureauSummary), object_id__in=list(summaries)
    )
    count_field = "review_count" if sources.field_path_exists(ReviewItem, "review_count") else None
    found = {}
    for item in items:
        region_id = summaries.get(item.object_id)
        if region_id is None or item.aggregate is None:
            continue
        found[region_id] = Figure(
            Decimal(item.aggregate),
            facts={"round": str(round_), "reviews": getattr(item, count_field) if count_field else None,
                   "closed": getattr(round_, "is_closed", False)},
        )
    return {r: found.get(r) or Figure(None, note="missing", facts={"round": str(round_)}) for r in region_ids}


def _noop_progress(*args, **kwargs):
    pass


def compute_assessment(*, cycle, by=None, progress=None):
    """Compute the year's table and ranking from what the portal holds now; returns the Assessment.

    Commendations survive a recomputation. A published assessment is frozen: refused.
    """
    progress = progress or _noop_progress
    assessment, _created = Assessment.objects.get_or_create(cycle=cycle)
    if assessment.is_published:
        raise ValidationError(_("The %(year)s assessment is published; withdraw the publication before recomputing.")
                              % {"year": cycle.year})
    signature = sources.data_signature()
    indicators = list(Indicator.objects.filter(cycle=cycle).order_by("order", "pk"))
    regions = assessment_regions()
    region_ids = [r.pk for r in regions]
    total_steps = len(indicators) + 1
    progress(0, total=total_steps, message=_("Computing the indicators"), force=True)

    figures = {}
    for step, indicator in enumerate(indicators, start=1):
        figures[indicator.pk] = figures_for(indicator=indicator, region_ids=region_ids)
        progress(step, total=total_steps, message=indicator.name)

    weight_sum = sum((Decimal(i.weight) for i in indicators), Decimal(0))
    scores = {}
    for indicator in indicators:
        values = {r: figures[indicator.pk][r].value for r in region_ids}
        scores[indicator.pk] = scoring.score_values(scoring=indicator.scoring, bands=indicator.bands, values=values)
    results = []
    totals = {r: Decimal(0) for r in region_ids}
    for indicator in indicators:
        for region_id in region_ids:
            figure = figures[indicator.pk][region_id]
            score = scores[indicator.pk][region_id]
            part = scoring.weighted_part(score, indicator.weight, weight_sum)
            totals[region_id] += part
            results.append(IndicatorResult(
                indicator=indicator, region_id=region_id, value=figure.value, score=score, weighted=part,
                note=figure.note, facts=figure.facts, items=figure.items,
            ))
    order = scoring.tie_break_order(indicators)
    rows = [(r, totals[r], [scores[i.pk][r] for i in order]) for r in region_ids]
    ranking = scoring.rank(rows, names={r.pk: r.name for r in regions}, indicator_names=[i.name for i in order])

    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.is_published:
            raise ValidationError(_("The %(year)s assessment was published meanwhile; nothing was changed.")
                                  % {"year": cycle.year})
        IndicatorResult.objects.filter(assessment=locked).delete()
        # An indicator the office moved to this year from another one leaves rows there: they go too.
        IndicatorResult.objects.filter(indicator__in=indicators).delete()
        for r in results:
            r.assessment = locked
        IndicatorResult.objects.bulk_create(results, batch_size=500)
        existing = {r.region_id: r for r in RegionResult.objects.filter(assessment=locked)}
        for region_id in region_ids:
            rank, tie = ranking[region_id]
            result = existing.get(region_id) or RegionResult(assessment=locked, region_id=region_id)
            if result.pk and (result.total, result.rank, result.tie) == (totals[region_id], rank, tie):
                continue
            result.total, result.rank, result.tie = totals[region_id], rank, tie
            if result.pk:
                result.version += 1
            result._change_reason = "compute"
            result._history_user = by
            result.save()
        RegionResult.objects.filter(assessment=locked).exclude(region_id__in=region_ids).delete()
        # The counties, when the year assesses them too (assessment.domain.counties).
        from .counties import compute_counties

        compute_counties(locked, indicators)
        locked.computed_at = timezone.now()
        locked.computed_by = by
        locked.data_signature = signature
        locked.version += 1
        locked._history_user = by
        locked._change_reason = "compute"
        locked.save()
    progress(total_steps, total=total_steps, force=True)
    return locked


def is_stale(assessment) -> bool:
    """The data the assessment reads changed since it was computed (never computed counts as stale)."""
    return assessment.computed_at is None or assessment.data_signature != sources.data_signature()


def request_computation(*, cycle, by):
    """Start (or join) the year's computation job; returns (job, created)."""
    from ..tasks import compute_assessment_job

    assessment = Assessment.objects.filter(cycle=cycle).first()
    if assessment is not None and assessment.is_published:
        raise ValidationError(_("The %(year)s assessment is published; withdraw the publication before recomputing.")
                              % {"year": cycle.year})
    return start_job(
        kind=JOB_KIND, title=_("Compute the %(year)s assessment") % {"year": cycle.year}, by=by,
        task=compute_assessment_job, params={"cycle": cycle.pk}, dedupe_key=dedupe_key(cycle),
        origin=(reverse("assessment:table", args=[cycle.year]), _("the assessment")),
        next_step=(reverse("assessment:table", args=[cycle.year]), _("View the assessment results")),
    )


def compute_job_work(job, progress):
    """The job's work: compute the year named in the job's parameters."""
    cycle = Cycle.objects.get(pk=job.params["cycle"])
    try:
        assessment = compute_assessment(cycle=cycle, by=job.created_by, progress=progress)
    except ValidationError as e:
        raise JobFailed(" ".join(e.messages)) from None
    return _("The %(year)s assessment was computed for %(n)d regions.") % {
        "year": cycle.year, "n": assessment.results.count()
    }


def run_compute_job(job_id):
    return run_job(job_id, compute_job_work)


def _periodic_requester(assessment):
    if assessment.computed_by_id:
        return assessment.computed_by
    return (
        User.objects.filter(is_active=True, role=User.Role.OFFICE).order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )


def recompute_changed():
    """Start a computation for every unpublished, once-computed assessment whose data changed. Returns the jobs."""
    signature = sources.data_signature()
    jobs = []
    stale = (
        Assessment.objects.filter(published_at__isnull=True, computed_at__isnull=False)
        .exclude(data_signature=signature)
        .select_related("cycle", "computed_by")
    )
    for assessment in stale:
        by = _periodic_requester(assessment)
        if by is None:
            continue
        job, _created = request_computation(cycle=assessment.cycle, by=by)
        jobs.append(job)
    return jobs
