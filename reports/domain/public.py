"""The public progress page (定期公布): only what the office has released.

- Progress per region (nominated, accepted, selected): a snapshot the office releases
  (`release_progress`); the page shows the latest release, never live figures. Only counts,
  never names. Selected counts are in a release only once the review's 公示 of that kind has
  been published (before that the selection is not public).
- The 公示 lists while their notice runs, with the columns the notice chose to show.
- The confirmed lists (results confirmed).
- The bureaus' assessment, once published.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from enterprises.models import EnterpriseNomination
from pojian.domain.errors import PermissionDenied
from pojian.models import Region

from ..models import ProgressRelease
from . import charts, sources


def _kind_figures(counts, regions, *, selected_released):
    rows = []
    for r in regions:
        c = counts.get(r.pk, {})
        rows.append({"code": r.code, "name": r.name, "nominated": c.get("submitted", 0), "accepted": c.get("accepted", 0),
                     "selected": c.get("selected", 0) if selected_released else None})
    total = {"nominated": sum(r["nominated"] for r in rows), "accepted": sum(r["accepted"] for r in rows),
             "selected": sum(r["selected"] for r in rows) if selected_released else None}
    return {"regions": rows, "total": total, "selected_released": selected_released}


def progress_figures(*, cycle):
    """What a release would publish now: per region, the counts (nominated = reached the province)."""
    regions = list(Region.objects.nominating().filter(active=True))
    figures = {
        "enterprises": _kind_figures(
            sources.pipeline_counts(EnterpriseNomination, cycle=cycle), regions,
            selected_released=sources.notice_published(cycle=cycle, kind="enterprises"),
        )
    }
    incubators = sources.incubator_pipeline(cycle=cycle)
    if incubators is not None:
        figures["incubators"] = _kind_figures(
            incubators, regions, selected_released=sources.notice_published(cycle=cycle, kind="incubators"))
    return figures


def release_progress(*, cycle, by, note=""):
    """The office releases the year's progress figures to the public page (a snapshot)."""
    if not by.has_perm("reports.release_progress"):
        raise PermissionDenied(_("Only the provincial office may release figures."))
    with transaction.atomic():
        return ProgressRelease.objects.create(cycle=cycle, released_by=by, note=(note or "").strip()[:300],
                                              figures=progress_figures(cycle=cycle))


def progress_chart(block):
    """The released enterprise figures per region as an SVG bar chart (drawn from the release only)."""
    if not block or not block.get("regions"):
        return None
    regions = block["regions"]
    series = [(_("Nominated"), [r["nominated"] for r in regions]), (_("Accepted"), [r["accepted"] for r in regions])]
    if block.get("selected_released"):
        series.append((_("Selected"), [r["selected"] for r in regions]))
    return charts.bar_chart([r["name"] for r in regions], series, title=_("Progress by region"), horizontal=True)


def public_progress(*, cycle):
    """Everything the public page shows for a year, all of it released."""
    release = ProgressRelease.objects.filter(cycle=cycle).order_by("-released_at", "-pk").first()
    lists = sources.notice_lists(cycle=cycle)
    assessment = sources.assessment(cycle=cycle, published_only=True)
    enterprises = release.figures.get("enterprises") if release else None
    return {
        "release": release,
        "progress_chart": progress_chart(enterprises),
        "enterprises": enterprises,
        "incubators": release.figures.get("incubators") if release else None,
        "notices": lists["running"] if lists else [],
        "confirmed": lists["confirmed"] if lists else [],
        "assessment": assessment if assessment and assessment["published"] else None,
    }
