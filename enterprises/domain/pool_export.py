"""Exporting the pool to .xlsx (streamed, formulas neutralised by pojian.domain.xlsx)."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from pojian.domain.jobs import save_result
from pojian.domain.xlsx import write_workbook

from ..models import Industry, PoolEntry, TierRule

CHUNK = 2000


def headers():
    return [_("Region"), _("Enterprise name"), _("Unified social credit code"), _("Industry"), _("Entered the pool on"),
            _("Entered through"), _("Pool status"), _("Status date"), _("Reason"), _("Tier year"), _("Tier"), _("County")]


def rows(queryset, *, progress=None, total=None):
    industries = {k: str(v) for k, v in Industry.choices}
    vias = {k: str(v) for k, v in PoolEntry.Via.choices}
    statuses = {k: str(v) for k, v in PoolEntry.Status.choices}
    tier_names = {code: name for code, name in TierRule.objects.order_by("year", "rank").values_list("code", "name")}
    columns = ["region__name", "enterprise__name", "enterprise__uscc", "enterprise__industry", "entered_on",
               "entered_via", "status", "status_on", "status_reason", "tier_year", "tier_code", "county__name"]
    for done, r in enumerate(queryset.values_list(*columns).iterator(chunk_size=CHUNK), start=1):
        yield [r[0], r[1], r[2], industries.get(r[3], r[3]), r[4], vias.get(r[5], r[5]), statuses.get(r[6], r[6]),
               r[7], r[8], r[9], tier_names.get(r[10], r[10]) if r[10] else _("No tier"), r[11] or ""]
        if progress and done % CHUNK == 0:
            progress(done, total=total)


def write_pool(path, queryset, *, progress=None):
    total = queryset.count()
    if progress:
        progress(0, total=total, force=True)
    widths = [12, 36, 22, 20, 12, 14, 16, 12, 30, 8, 20, 12]
    write_workbook(path, [(str(_("Cultivation pool")), headers(), rows(queryset, progress=progress, total=total), widths)])
    return total


def export_job(job, progress):
    """Work for run_job (params: filters, region for a bureau's export, language)."""
    from ..filters_pool import queryset_for_job

    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        count = 0

        def write(path):
            nonlocal count
            count = write_pool(path, queryset_for_job(job), progress=progress)

        save_result(job, "cultivation-pool.xlsx", write)
        return _("%(n)s pool entries exported.") % {"n": count}
