"""Home-page cards and menu entries of the assessment (see pojian/panels.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def home_panels(request, cycle):
    user = request.user
    if cycle is None or not user.is_authenticated:
        return []
    if user.has_perm("assessment.manage_assessment"):
        return [_office_panel(cycle)]
    if user.has_perm("assessment.view_my_assessment"):
        return [_bureau_panel(cycle, user.region)]
    return []


def _bureau_panel(cycle, region):
    from .domain.results import region_report
    from .models import BureauSummary

    summary = BureauSummary.objects.with_was_returned().filter(cycle=cycle, region=region).first()
    report = region_report(cycle, region)
    assessment = report["assessment"]
    return {
        "template": "assessment/panels/bureau.html", "cycle": cycle, "region": region, "summary": summary,
        "report": report, "computed": bool(assessment and assessment.computed_at),
        "published": bool(assessment and assessment.is_published),
    }


def _office_panel(cycle):
    from django.db.models import Count

    from pojian.models import NominationState, Region

    from .domain.compute import is_stale
    from .domain.results import assessment_for
    from .models import BureauSummary, Indicator

    assessment = assessment_for(cycle)
    by_state = dict(
        BureauSummary.objects.filter(cycle=cycle).values_list("state").annotate(n=Count("pk")).order_by()
    )
    return {
        "template": "assessment/panels/office.html", "cycle": cycle, "assessment": assessment,
        "by_state": [(NominationState(s).label, n) for s, n in sorted(by_state.items())],
        "summaries": sum(by_state.values()),
        "regions": Region.objects.nominating().filter(active=True).count(),
        "indicators": Indicator.objects.filter(cycle=cycle).count(),
        "stale": bool(assessment and assessment.computed_at and not assessment.is_published and is_stale(assessment)),
    }


def nav_items(user):
    if user.has_perm("assessment.manage_assessment"):
        return [(_("Assessment"), reverse("assessment:index")), (_("Bureau summaries"), reverse("assessment:summary_list"))]
    if user.has_perm("assessment.view_my_assessment"):
        return [(_("Our summary"), reverse("assessment:my_summary")), (_("Our assessment"), reverse("assessment:mine"))]
    return []
