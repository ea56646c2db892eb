"""The office's .xlsx export of incubator nominations (formulas neutralised by pojian.domain.xlsx).

Small lists (a year has about ten nominations a region) are written in the request; a list
longer than EXPORT_INLINE_LIMIT goes to a background job with progress (pojian.domain.jobs).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pojian.domain.jobs import save_result
from pojian.domain.xlsx import write_workbook

from .figures import performances

EXPORT_INLINE_LIMIT = 1000


def headers():
    return [
        _("Year"), _("Region"), _("Incubator name"), _("Unified social credit code"), _("Kind"), _("Level"),
        _("Year of the level certificate"), _("Operating organisation"), _("State"), _("Reason"),
        _("Tenants (in the portal)"), _("Tenants (typed)"), _("Tenants in total"),
        _("Tenants registered as tech SMEs"), _("Tenants selected in this programme"),
        _("Graduated in total"), _("Investment raised by tenants (yuan)"), _("Source"),
        _("Mentors"), _("Incubation space (m²)"), _("Results in cultivating tech SMEs"), _("Submitted at"),
    ]


WIDTHS = [8, 12, 32, 22, 14, 10, 10, 28, 10, 24, 10, 10, 10, 12, 12, 10, 18, 14, 8, 12, 60, 18]


def rows(queryset, progress=None):
    """Export rows; the counted figures are computed per year for all nominations at once."""
    nominations = list(queryset.select_related("incubator", "region", "cycle").order_by("cycle__year", "region__sort_order", "incubator__name"))
    by_year = {}
    for n in nominations:
        by_year.setdefault(n.cycle.year, []).append(n.incubator_id)
    perf = {year: performances(incubator_ids=ids, year=year) for year, ids in by_year.items()}
    total = len(nominations)
    for i, n in enumerate(nominations, start=1):
        p = perf[n.cycle.year][n.incubator_id]
        typed = p.typed
        yield [
            n.cycle.year, n.region.name, n.incubator.name, n.incubator.uscc, n.incubator.get_kind_display(),
            n.incubator.get_level_display(), n.incubator.level_year, n.incubator.operator, n.get_state_display(),
            n.state_reason, p.counted.tenants, typed.other_tenants if typed else None, p.tenants_total,
            p.counted.registered, p.counted.selected, p.graduated_total,
            typed.investment_raised if typed else None,
            typed.get_investment_raised_source_display() if typed else None,
            typed.mentors if typed else None, typed.space_m2 if typed else None, n.results, n.submitted_at,
        ]
        if progress is not None:
            progress(i, total=total)


def write(path, queryset, progress=None):
    return write_workbook(path, [(_("Incubator nominations"), headers(), rows(queryset, progress), WIDTHS)])


def filename():
    return f"incubator-nominations-{timezone.localdate():%Y%m%d}.xlsx"


def export_job(job, progress):
    """The job's work: the filters the office chose are in job.params, applied exactly as in the page."""
    from ..filters import IncubatorNominationFilter, office_queryset

    with override(job.params.get("language") or None):
        queryset = IncubatorNominationFilter(job.params.get("filters", {}), queryset=office_queryset()).qs
        total = queryset.count()
        progress(0, total=total, force=True)
        save_result(job, filename(), lambda path: write(path, queryset, progress))
        return _("%(n)d nominations exported.") % {"n": total}
