"""The partner digest (信息联动): what each partner institution on the cooperation list receives.

For a programme year and a date, the portal takes the year's accepted and selected enterprise
nominations (optionally only some regions and industries), keeps only the fields the office
chose to share, and stores that snapshot once per partner institution, then tells the
institution's partner accounts that it is ready. The digest is a snapshot: later changes to the
enterprises do not change what a partner was sent.

Schedule: the office sets it on the digest settings page; `sync_schedule` turns it into the
django-celery-beat periodic task "finance.prepare_digests" (task `finance.tasks.prepare_digests`),
which a worker started with `-B` (`make run` with a broker, `make worker`) runs.
"""

import datetime
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import EnterpriseNomination, EnterpriseYear, Industry, IPItem, Registration, Transfer
from pojian.domain.notifications import notify
from pojian.domain.xlsx import write_workbook
from pojian.models import Cycle, NominationState

from ..models import Digest, DigestSettings
from .partnerships import partners_for_year

STATES = (NominationState.ACCEPTED, NominationState.SELECTED)

# Every field the office may share, in the order a digest shows them: key -> (label, kind).
FIELDS = {
    "name": (gettext_lazy("Enterprise name"), "text"),
    "uscc": (gettext_lazy("Credit code"), "text"),
    "region": (gettext_lazy("Region"), "text"),
    "industry": (gettext_lazy("Industry"), "industry"),
    "state": (gettext_lazy("Result"), "state"),
    "founded_on": (gettext_lazy("Founded"), "date"),
    "is_high_tech": (gettext_lazy("High-tech enterprise"), "bool"),
    "registration_number": (gettext_lazy("Tech SME registration number"), "text"),
    "revenue": (gettext_lazy("Sales revenue (yuan)"), "money"),
    "rd_expense": (gettext_lazy("R&D expense (yuan)"), "money"),
    "rd_intensity": (gettext_lazy("R&D intensity (%)"), "percent"),
    "total_assets": (gettext_lazy("Total assets (yuan)"), "money"),
    "employees": (gettext_lazy("Employees"), "int"),
    "tech_staff": (gettext_lazy("S&T staff"), "int"),
    "high_value_ip": (gettext_lazy("High-value IP items"), "int"),
    "transfers": (gettext_lazy("Achievement transfers"), "int"),
    "contact_person": (gettext_lazy("Contact person"), "text"),
    "contact_phone": (gettext_lazy("Contact phone"), "text"),
    "address": (gettext_lazy("Address"), "text"),
}
DEFAULT_FIELDS = ("name", "region", "industry", "state", "revenue", "rd_intensity", "employees", "high_value_ip")


def field_choices():
    return [(key, label) for key, (label, _kind) in FIELDS.items()]


def shared_fields(settings_row):
    """The allowed fields, in catalogue order; unknown names are ignored."""
    allowed = set(settings_row.fields or [])
    return [key for key in FIELDS if key in allowed]


def _money(value):
    return None if value is None else str(value)


# The figures of the figures year (fiscal year before the programme year by default), as the 四科 check judges them.
FIGURE_KEYS = ("revenue", "rd_expense", "rd_intensity", "total_assets", "employees", "tech_staff")


def enterprise_rows(*, cycle, fields, region_ids=(), industries=()):
    """The snapshot rows: one dict per accepted/selected nomination of the year, only `fields`.

    Figures are those of the year's rulebook's figures year, and IP items and transfers are those its
    rules count, so a partner reads the same numbers the office selected on.
    """
    from enterprises.domain.checks import ip_counted_q, transfer_counted_q
    from enterprises.domain.rulebook import rulebook_for

    year = cycle.year
    rulebook = rulebook_for(year)
    qs = (
        EnterpriseNomination.objects.filter(cycle=cycle, state__in=STATES)
        .select_related("enterprise", "enterprise__region")
        .order_by("enterprise__region__sort_order", "enterprise__region__code", "enterprise__name", "pk")
    )
    if region_ids:
        qs = qs.filter(enterprise__region_id__in=list(region_ids))
    if industries:
        qs = qs.filter(enterprise__industry__in=list(industries))
    if "registration_number" in fields:
        qs = qs.annotate(registration_number=Subquery(
            Registration.objects.filter(enterprise=OuterRef("enterprise_id"), year=year).values("number")[:1]
        ))
    from enterprises.domain.checks import contract_counted_q
    from techtransfer.models import TechContract

    def counted_subquery(model, q):
        return Coalesce(Subquery(model.objects.filter(q, enterprise=OuterRef("enterprise_id"))
                                 .order_by().values("enterprise").annotate(n=Count("pk")).values("n")[:1]), 0)

    if "high_value_ip" in fields:
        qs = qs.annotate(high_value_ip_counted=counted_subquery(IPItem, ip_counted_q(rulebook, year=year)))
    if "transfers" in fields:  # registered technology contracts (双千工程) count as transfers too
        qs = qs.annotate(transfers_counted=counted_subquery(Transfer, transfer_counted_q(rulebook, year=year))
                         + counted_subquery(TechContract, contract_counted_q(rulebook, year=year)))
    nominations = list(qs)
    figures = {fy.enterprise_id: fy for fy in EnterpriseYear.objects.filter(
        year=rulebook.figures_year, enterprise_id__in=[n.enterprise_id for n in nominations])}
    rows = []
    for n in nominations:
        e, fy = n.enterprise, figures.get(n.enterprise_id)

        def figure(name, fy=fy):
            return fy.effective(name)[0] if fy is not None else None

        revenue, rd = figure("revenue"), figure("rd_expense")
        values = {
            "name": e.name,
            "uscc": e.uscc,
            "region": e.region.name,
            "industry": e.industry,
            "state": n.state,
            "founded_on": e.founded_on.isoformat() if e.founded_on else None,
            "is_high_tech": e.is_high_tech,
            "registration_number": getattr(n, "registration_number", None),
            "revenue": _money(revenue),
            "rd_expense": _money(rd),
            "rd_intensity": (str((rd * 100 / revenue).quantize(Decimal("0.01")))
                             if revenue and rd is not None else None),
            "total_assets": _money(figure("total_assets")),
            "employees": figure("employees"),
            "tech_staff": fy.tech_staff if fy is not None else None,
            "high_value_ip": getattr(n, "high_value_ip_counted", None),
            "transfers": getattr(n, "transfers_counted", None),
            "contact_person": e.contact_person,
            "contact_phone": e.contact_phone,
            "address": e.address,
        }
        rows.append({key: values[key] for key in fields})
    return rows


def prepare_digests(*, cycle=None, on=None):
    """Prepare today's digest for every institution on the cooperation list of the year; tell their users.

    Safe to run twice on one day: the day's digest of an institution is replaced, and its users
    are told again only when what it contains changed. Institutions not on the list get nothing.
    """
    cycle = cycle or Cycle.objects.current()
    if cycle is None:
        return []
    on = on or timezone.localdate()
    settings_row = DigestSettings.load()
    fields = shared_fields(settings_row)
    region_ids = sorted(settings_row.regions.values_list("pk", flat=True))
    industries = sorted(settings_row.industries or [])
    rows = enterprise_rows(cycle=cycle, fields=fields, region_ids=region_ids, industries=industries)
    from enterprises.domain.rulebook import figures_year_for

    # Kept with the snapshot: the rows' figures are of this fiscal year, whatever the rulebook says later.
    filters = {"regions": region_ids, "industries": industries, "figures_year": figures_year_for(cycle.year)}
    digests = []
    with transaction.atomic():
        for institution in partners_for_year(cycle.year, on=on).prefetch_related("users"):
            digest = Digest.objects.select_for_update().filter(institution=institution, date=on).first()
            changed = digest is None or (digest.fields, digest.rows, digest.filters, digest.cycle_id) != (fields, rows, filters, cycle.pk)
            if digest is None:
                digest = Digest(institution=institution, date=on)
            digest.cycle, digest.fields, digest.rows, digest.filters = cycle, fields, rows, filters
            digest.save()
            digests.append(digest)
            if changed:
                notify(
                    [u for u in institution.users.all() if u.is_active],
                    subject=_("Your partner digest of %(date)s is ready") % {"date": on.isoformat()},
                    body=_("%(n)d enterprises of the %(year)s programme year. Open it on the portal or download it as Excel.")
                    % {"n": len(rows), "year": cycle.year},
                    url=reverse("finance:digest_detail", args=[digest.pk]),
                )
    return digests


# ---------------------------------------------------------------------------------------------
# Showing and downloading


def headers(digest):
    """Column titles; the figures' columns say their fiscal year (销售收入（2025年度）)."""
    figures_year = digest.figures_year
    out = []
    for key in digest.fields:
        if key not in FIELDS:
            continue
        label = str(FIELDS[key][0])
        if figures_year and key in FIGURE_KEYS:
            label = _("%(label)s (%(figures_year)s)") % {"label": label, "figures_year": figures_year}
        out.append(label)
    return out


def figures_label(digest):
    """2025年度财务数据（2026年度推荐）, or None for a digest prepared before the figures year was kept."""
    from enterprises.domain.rulebook import figures_label as label

    return label(figures_year=digest.figures_year, year=digest.cycle.year) if digest.figures_year else None


def display_value(key, value):
    """A stored value as the reader sees it on the page (labels in the active language)."""
    kind = FIELDS[key][1]
    if value is None or value == "":
        return "—"
    if kind == "industry":
        return str(dict(Industry.choices).get(value, value))
    if kind == "state":
        return str(dict(NominationState.choices).get(value, value))
    if kind == "bool":
        return _("Yes") if value else _("No")
    if kind == "money":
        from pojian.templatetags.portal import yuan

        return yuan(value)
    if kind == "percent":
        return f"{value}%"
    return str(value)


def sheet_value(key, value):
    """A stored value as a cell: numbers as numbers, dates as dates, labels in the active language."""
    kind = FIELDS[key][1]
    if value is None:
        return None
    if kind in ("money", "percent"):
        return Decimal(value)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind in ("industry", "state", "bool"):
        return display_value(key, value)
    return value


def display_rows(digest):
    keys = [k for k in digest.fields if k in FIELDS]
    return [[display_value(k, row.get(k)) for k in keys] for row in digest.rows]


def write_digest(path_or_file, digest):
    keys = [k for k in digest.fields if k in FIELDS]
    rows = [[sheet_value(k, row.get(k)) for k in keys] for row in digest.rows]
    title = str(_("Digest %(date)s") % {"date": digest.date.isoformat()})
    return write_workbook(path_or_file, [(title, headers(digest), rows, None)])


def digest_filename(digest):
    return f"digest-{digest.date.isoformat()}-{digest.institution.uscc}.xlsx"


# ---------------------------------------------------------------------------------------------
# The schedule (django-celery-beat)

TASK_NAME = "finance.prepare_digests"
TASK = "finance.tasks.prepare_digests"


def sync_schedule(settings_row):
    """Create or update the periodic task from the settings; "not scheduled" disables it."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    F = DigestSettings.Frequency
    task = PeriodicTask.objects.filter(name=TASK_NAME).first()
    if settings_row.frequency == F.OFF:
        if task is not None and task.enabled:
            task.enabled = False
            task.save()
        return task
    cron = {"minute": "0", "hour": str(settings_row.hour), "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
    if settings_row.frequency == F.WEEKLY:
        cron["day_of_week"] = str(settings_row.weekday)
    elif settings_row.frequency == F.MONTHLY:
        cron["day_of_month"] = str(settings_row.day_of_month)
    crontab, _created = CrontabSchedule.objects.get_or_create(**cron, timezone=django_settings.TIME_ZONE)
    if task is None:
        task = PeriodicTask(name=TASK_NAME)
    task.task, task.crontab, task.interval, task.enabled = TASK, crontab, None, True
    task.description = "信息联动: prepare the partner digests (set on the finance digest settings page)"
    task.save()
    return task


def save_settings(settings_row, *, by, regions=None):
    """Save the office's digest settings and bring the beat schedule in line with them."""
    settings_row._history_user = by
    settings_row._change_reason = "settings"
    with transaction.atomic():
        settings_row.save()
        if regions is not None:
            settings_row.regions.set(regions)
        sync_schedule(settings_row)
    return settings_row
