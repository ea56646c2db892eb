"""The counties in the assessment (县(市、区)): when the year's assessment opts in (`Assessment.assess_counties`),
each county-level division is scored on the year's indicators that fit a county, and ranked among all
counties and within its city.

An indicator fits a county when its computation has a county version here (COUNTY_COMPUTATIONS): the
county's own nominations (those its bureau prepared), accepted and selected; the tech SMEs registered
among the enterprises of its part of the pool; its statistics returns filed on time. Typed and expert-
scored indicators do not fit (nothing is typed or scored per county). Scores and weights follow the
indicator, over the fitting indicators' weights only.

    set_assess_counties(cycle=, by=, value=)   the office opts in or out (before publication)
    compute_counties(assessment, indicators)   compute_assessment calls it (inside its transaction)
    fitting(indicators)                        the indicators that fit a county
    county_figures(code, year=, county_ids=)   one county computation
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.models import Region

from ..models import Assessment, CountyResult, Indicator
from . import scoring
from .computations import ACCEPTED, NOMINATED, SELECTED, Figure, Unavailable, _counted, _require, returns_on_time


def _county_nominations(states, *, year, county_ids):
    m = _require("enterprises.EnterpriseNomination")
    rows = (m.objects.filter(cycle__year=year, county_id__in=county_ids, state__in=states)
            .order_by("county_id", "enterprise__name", "pk")
            .values_list("county_id", "state", "enterprise__name", "enterprise__uscc"))
    return _counted(rows, item=lambda r: {"name": r[2], "code": r[3], "state": r[1]})


def county_registered(*, year, county_ids):
    """Enterprises of the county's part of the pool holding a registration for the year."""
    Registration = _require("enterprises.Registration")
    rows = (Registration.objects.filter(year=year, enterprise__pool_entry__county_id__in=county_ids)
            .order_by("enterprise__pool_entry__county_id", "enterprise__name", "pk")
            .values_list("enterprise__pool_entry__county_id", "enterprise__name", "enterprise__uscc", "number"))
    return _counted(rows, item=lambda r: {"name": r[1], "code": r[2], "detail": r[3]})


# The city computation's code → its county version (year, county_ids → {county_id: Figure}).
COUNTY_COMPUTATIONS = {
    "enterprises_nominated": lambda **kw: _county_nominations(NOMINATED, **kw),
    "enterprises_accepted": lambda **kw: _county_nominations(ACCEPTED, **kw),
    "enterprises_selected": lambda **kw: _county_nominations(SELECTED, **kw),
    "registered": county_registered,
    "returns_on_time": lambda *, year, county_ids: returns_on_time(year=year, region_ids=county_ids),
}


def fitting(indicators):
    return [i for i in indicators if i.source == Indicator.Source.COMPUTED and i.computation in COUNTY_COMPUTATIONS]


def county_figures(code, *, year, county_ids):
    try:
        figures = COUNTY_COMPUTATIONS[code](year=year, county_ids=list(county_ids))
    except Unavailable:
        return {c: Figure(None, note="unavailable") for c in county_ids}
    return {c: figures.get(c) or Figure(Decimal(0)) for c in county_ids}


def _city_ranks(results, parent_of):
    """Rank within each city by total (equal totals share a rank)."""
    by_city = defaultdict(list)
    for r in results:
        by_city[parent_of[r.county_id]].append(r)
    for rows in by_city.values():
        rows.sort(key=lambda r: -r.total)
        previous, place = None, 0
        for position, r in enumerate(rows, start=1):
            if r.total != previous:
                place, previous = position, r.total
            r.city_rank = place


def compute_counties(assessment, indicators):
    """The county results of an assessment (replaced); none when it does not assess the counties. Returns how many."""
    CountyResult.objects.filter(assessment=assessment).delete()
    used = fitting(indicators)
    if not assessment.assess_counties or not used:
        return 0
    counties = list(Region.objects.counties().filter(active=True).order_by("code"))
    ids = [c.pk for c in counties]
    year = assessment.cycle.year
    weight_sum = sum((Decimal(i.weight) for i in used), Decimal(0))
    figures = {i.pk: county_figures(i.computation, year=year, county_ids=ids) for i in used}
    scores = {i.pk: scoring.score_values(scoring=i.scoring, bands=i.bands,
                                         values={c: figures[i.pk][c].value for c in ids}) for i in used}
    results = []
    for county in counties:
        rows, total = [], Decimal(0)
        for i in used:
            figure, score = figures[i.pk][county.pk], scores[i.pk][county.pk]
            part = scoring.weighted_part(score, i.weight, weight_sum)
            total += part
            rows.append({"indicator": i.pk, "code": i.code, "name": i.name,
                         "value": None if figure.value is None else str(figure.value), "score": str(score),
                         "weighted": str(part), "note": figure.note, "items": figure.items})
        results.append(CountyResult(assessment=assessment, county=county, total=total, figures=rows))
    order = scoring.tie_break_order(used)
    ranking = scoring.rank([(r.county_id, r.total, [scores[i.pk][r.county_id] for i in order]) for r in results],
                           names={c.pk: c.name for c in counties}, indicator_names=[i.name for i in order])
    for r in results:
        r.rank = ranking[r.county_id][0]
    _city_ranks(results, {c.pk: c.parent_id for c in counties})
    CountyResult.objects.bulk_create(results, batch_size=500)
    return len(results)


def set_assess_counties(*, cycle, by, value, expected_version=None):
    """The office opts the year's assessment in (or out of) assessing the counties; it takes effect at the
    next computation. Refused once the assessment is published."""
    if not by.has_perm("assessment.manage_assessment"):
        raise PermissionDenied(_("Only the provincial office changes the assessment's settings."))
    with transaction.atomic():
        assessment, _created = Assessment.objects.get_or_create(cycle=cycle)
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if expected_version is not None and int(expected_version) != assessment.version:
            from pojian.domain.errors import StaleEdit

            raise StaleEdit(_("Someone else changed this assessment in the meantime. Reload the page."), code="stale")
        if assessment.is_published:
            raise ValidationError(_("The %(year)s assessment is published; withdraw the publication first.")
                                  % {"year": cycle.year})
        if assessment.assess_counties == bool(value):
            return assessment
        assessment.assess_counties = bool(value)
        assessment.version += 1
        assessment._history_user = by
        assessment._change_reason = "settings"
        assessment.save()
        # A computed year gets its county results (or loses them) now, not only at the next computation.
        if assessment.computed_at is not None:
            compute_counties(assessment, list(Indicator.objects.filter(cycle=cycle).order_by("order", "pk")))
    return assessment


def results_for(assessment, *, city_id=None, county_id=None):
    qs = CountyResult.objects.filter(assessment=assessment).select_related("county", "county__parent")
    if city_id is not None:
        qs = qs.filter(county__parent_id=city_id)
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    return qs.order_by("rank", "county__code")

