"""A bureau's nomination of a finance institution (推荐): creating, editing, what it lists, export.

State changes go through the shared `pojian.domain.workflow.transition`; nothing here changes a state.
"""

import datetime
from decimal import Decimal

import rules
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.xlsx import write_workbook
from pojian.models import NominationState

from ..models import FinanceNomination, Investment

# The investments a nomination shows: those of the year before the programme year and of the year itself.
YEARS_COUNTED = 2


def _check_unique(*, cycle, institution, exclude=None):
    qs = FinanceNomination.objects.filter(cycle=cycle, institution=institution).exclude(state=NominationState.WITHDRAWN)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        raise ValidationError(
            _("%(name)s is already nominated for %(year)s.") % {"name": institution.name, "year": cycle.year},
            code="duplicate",
        )


def create_nomination(*, cycle, institution, summary, by, letter=None, recommendation=""):
    """A bureau starts a nomination (a draft) of an institution of its own region."""
    if not rules.has_perm("finance.add_nomination", by):
        raise PermissionDenied(_("Only a city bureau may nominate finance institutions."))
    if cycle is None or cycle.is_closed:
        raise ValidationError(_("No programme year is open for nominations."), code="no_cycle")
    if institution.region_id != by.region_id:
        raise PermissionDenied(_("A bureau may only nominate institutions of its own region."))
    _check_unique(cycle=cycle, institution=institution)
    nomination = FinanceNomination(
        cycle=cycle, region_id=by.region_id, institution=institution, summary=summary,
        recommendation=recommendation, created_by=by,
    )
    if letter:
        nomination.letter = letter
    nomination._history_user = by
    nomination._change_reason = "create"
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already nominated for %(year)s.") % {"name": institution.name, "year": cycle.year},
            code="duplicate",
        ) from None
    return nomination


def update_nomination(nomination, *, expected_version, by, **fields):
    """Edit a draft or returned nomination; a stale form (someone saved meanwhile) is refused."""
    if not rules.has_perm("finance.change_nomination", by, nomination):
        raise PermissionDenied(_("This nomination cannot be edited now."))
    institution = fields.get("institution", nomination.institution)
    if institution.region_id != nomination.region_id:
        raise PermissionDenied(_("A bureau may only nominate institutions of its own region."))
    _check_unique(cycle=nomination.cycle, institution=institution, exclude=nomination)
    for name, value in fields.items():
        setattr(nomination, name, value)
    nomination._history_user = by
    nomination._change_reason = "edit"
    with transaction.atomic():
        save_versioned(nomination, expected_version=expected_version)
    return nomination


def counted_period(cycle):
    return datetime.date(cycle.year - YEARS_COUNTED + 1, 1, 1), datetime.date(cycle.year, 12, 31)


def nominated_investments(nomination):
    """The institution's investments in the tech SMEs of the nomination's region, in the counted years."""
    start, end = counted_period(nomination.cycle)
    return (
        Investment.objects.filter(
            institution_id=nomination.institution_id, enterprise__region_id=nomination.region_id, date__range=(start, end)
        )
        .select_related("enterprise")
        .order_by("date", "pk")
    )


def investment_totals(queryset):
    totals = queryset.aggregate(
        count=Count("pk"), total=Sum("amount"),
        early_count=Count("pk", filter=Q(early_or_small=True)), early_total=Sum("amount", filter=Q(early_or_small=True)),
    )
    totals["total"] = totals["total"] or Decimal("0")
    totals["early_total"] = totals["early_total"] or Decimal("0")
    return totals


def export_nominations(path, queryset):
    """The office's list as .xlsx (formulas neutralised by write_workbook)."""
    rows = []
    for n in queryset.select_related("institution", "region", "cycle"):
        totals = investment_totals(nominated_investments(n))
        rows.append([
            n.cycle.year, n.region.name, n.institution.name, n.institution.uscc, n.institution.get_kind_display(),
            n.get_state_display(), totals["count"], totals["total"], totals["early_count"], totals["early_total"],
            n.summary, n.state_reason, n.submitted_at, n.decided_at,
        ])
    headers = [_("Year"), _("Region"), _("Institution"), _("Credit code"), _("Kind"), _("State"),
               _("Investments"), _("Amount (yuan)"), _("Early or small"), _("Early or small amount (yuan)"),
               _("Summary"), _("Reason"), _("Submitted on"), _("Decided on")]
    return write_workbook(path, [(str(_("Finance nominations")), headers, rows,
                                  [8, 12, 30, 22, 12, 10, 10, 16, 10, 16, 40, 30, 18, 18])])
