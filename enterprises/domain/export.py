"""Exporting a list of enterprise nominations to .xlsx (write-only, formulas neutralised)."""

from django.conf import settings
from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pojian.domain.jobs import save_result
from pojian.domain.xlsx import write_workbook
from pojian.models import NominationState

from ..models import Industry, Verdict
from .eligibility import label
from .rulebook import figures_label, figures_year_for

CHUNK = 2000


def headers():
    return [
        _("Year"), _("Nominating unit"), _("Enterprise name"), _("Unified social credit code"), _("Industry"),
        _("High-tech enterprise"), _("State"), _("四科 check"), _("Criteria not met"),
        _("四科 override (reason)"),
        _("Sales revenue (yuan)"), _("R&D expense (yuan)"), _("Total assets (yuan)"), _("Number of employees"),
        _("S&T staff"), _("Submitted on"), _("Figures used"),
    ]


def rows(queryset, *, year, progress=None, total=None):
    """One list per nomination; numbers stay numbers (the effective figure: tax data where there is one),
    those of the rulebook's figures year, said in the last column."""
    figures_year = figures_year_for(year)
    said = figures_label(figures_year=figures_year, year=year)
    industries = {k: str(v) for k, v in Industry.choices}
    states = {k: str(v) for k, v in NominationState.choices}
    labels = {c: str(label(c)) for c in Verdict.CRITERIA}
    yes, no = _("Yes"), _("No")
    verdict_words = {True: _("Meets"), False: _("Does not meet"), None: _("Not checked")}
    columns = [
        "cycle__year", "region__name", "enterprise__name", "enterprise__uscc", "enterprise__industry",
        "enterprise__is_high_tech", "state", "verdict__eligible", *(f"verdict__fail_{c}" for c in Verdict.CRITERIA),
        "revenue_value", "rd_expense_value", "total_assets_value", "employees_value", "fy__tech_staff", "submitted_at",
        "gate_override_at", "gate_override_reason",
    ]
    qs = (
        queryset.annotate(fy=FilteredRelation("enterprise__years", condition=Q(enterprise__years__year=figures_year)))
        .annotate(
            revenue_value=Coalesce(F("fy__revenue_tax"), F("fy__revenue")),
            rd_expense_value=Coalesce(F("fy__rd_expense_tax"), F("fy__rd_expense")),
            total_assets_value=Coalesce(F("fy__total_assets_tax"), F("fy__total_assets")),
            employees_value=Coalesce(F("fy__employees_tax"), F("fy__employees")),
        )
        .values_list(*columns)
    )
    n_crit = len(Verdict.CRITERIA)
    for done, r in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        fails = r[8:8 + n_crit]
        failed = "、".join(labels[c] for c, f in zip(Verdict.CRITERIA, fails, strict=True) if f)
        submitted, override_at, override_reason = r[-3:]
        yield [
            r[0], r[1], r[2], r[3], industries.get(r[4], r[4]), yes if r[5] else no, states.get(r[6], r[6]),
            verdict_words[r[7]], failed, "" if override_at is None else f"{yes}：{override_reason}", *r[8 + n_crit:-3],
            # Excel has no time zones: the local time, as the office reads it.
            None if submitted is None else timezone.localtime(submitted).replace(tzinfo=None),
            said,
        ]
        if progress and done % CHUNK == 0:
            progress(done, total=total)


def write_nominations(path, queryset, *, year, progress=None):
    """Write the nominations of `queryset` (of `year`) to an .xlsx at `path`; returns the row count."""
    total = queryset.count()
    if progress:
        progress(0, total=total, force=True)
    widths = [8, 14, 36, 22, 20, 10, 10, 12, 30, 30, 18, 18, 18, 10, 10, 18, 30]
    write_workbook(path, [(str(_("Nominations")), headers(), rows(queryset, year=year, progress=progress, total=total), widths)])
    if progress:
        progress(total, total=total, force=True)
    return total


def export_job(job, progress, queryset):
    """Work for run_job: the task builds the queryset from the job's saved filters and passes it here."""
    year = int(job.params["year"])
    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        count = 0

        def write(path):
            nonlocal count
            count = write_nominations(path, queryset, year=year, progress=progress)

        save_result(job, f"enterprise-nominations-{year}.xlsx", write)
        return _("%(n)s nominations exported.") % {"n": count}

