"""The cooperation list (合作名单): which institutions the office cooperates with, for which years."""

import rules
from django.db import transaction
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError

from ..models import FinanceInstitution, Partnership


def add_partnership(*, institution, years, by, note=""):
    """Put an institution on the list for each of `years` (one row a year). Returns the rows, new or kept."""
    if not rules.has_perm("finance.manage_partnerships", by):
        raise PermissionDenied(_("Only the provincial office manages the cooperation list."))
    years = sorted({int(y) for y in years})
    if not years:
        raise ValidationError(_("Choose at least one year."), code="no_year")
    rows = []
    with transaction.atomic():
        for year in years:
            row = Partnership.objects.filter(institution=institution, year=year).first()
            if row is None:
                row = Partnership(institution=institution, year=year, note=note, added_by=by)
            elif note and row.note != note:
                row.note = note
            else:
                rows.append(row)
                continue
            row._history_user = by
            row._change_reason = "add"
            row.save()
            rows.append(row)
    return rows


def remove_partnership(partnership, *, by):
    if not rules.has_perm("finance.manage_partnerships", by):
        raise PermissionDenied(_("Only the provincial office manages the cooperation list."))
    partnership._history_user = by
    partnership._change_reason = "remove"
    partnership.delete()


def partners_for_year(year, *, on=None):
    """The institutions on the cooperation list for `year` (on the day `on`: those already on it then)."""
    qs = FinanceInstitution.objects.filter(partnerships__year=year)
    if on is not None:
        from datetime import datetime, time

        from django.utils import timezone

        end_of_day = timezone.make_aware(datetime.combine(on, time.max))
        qs = qs.filter(partnerships__added_at__lte=end_of_day)
    return qs.distinct().order_by("name")


def set_quota(*, cycle, quota, by):
    """The number of institutions the year's cooperation list takes from the finance review round."""
    from ..models import FinanceYear

    if not rules.has_perm("finance.manage_partnerships", by):
        raise PermissionDenied(_("Only the provincial office manages the cooperation list."))
    try:
        quota = int(quota)
    except (TypeError, ValueError):
        quota = -1
    if quota < 1 or quota > 1000:
        raise ValidationError({"partner_quota": _("Give the quota as a whole number from 1 to 1000.")}, code="quota")
    row, _created = FinanceYear.objects.get_or_create(cycle=cycle, defaults={"partner_quota": quota})
    if row.partner_quota != quota:
        row.partner_quota = quota
        row._history_user = by
        row.save()
    return row


def list_from_round(*, cycle, by):
    """The year's cooperation list from the confirmed finance review round: the selected institutions
    in rank order, up to the year's quota. Entries added by hand stay; round entries no longer on
    the list are removed (their digests stop)."""
    from reviews.models import Round

    from ..models import FinanceNomination, FinanceYear

    if not rules.has_perm("finance.manage_partnerships", by):
        raise PermissionDenied(_("Only the provincial office manages the cooperation list."))
    round_ = (Round.objects.filter(cycle=cycle, kind=Round.Kind.FINANCE, results_confirmed_at__isnull=False)
              .order_by("-results_confirmed_at").first())
    if round_ is None:
        raise ValidationError(_("The finance review round of %(year)s has no confirmed results yet.")
                              % {"year": cycle.year}, code="no_round")
    year_row = FinanceYear.objects.filter(cycle=cycle).first()
    quota = year_row.partner_quota if year_row else FinanceYear._meta.get_field("partner_quota").default
    items = list(round_.items.filter(selected=True).order_by("rank", "pk")[:quota])
    nominations = FinanceNomination.objects.in_bulk([i.object_id for i in items])
    wanted = {}
    for item in items:
        nomination = nominations.get(item.object_id)
        if nomination is not None:
            wanted.setdefault(nomination.institution_id, item.rank)
    rows = []
    with transaction.atomic():
        existing = {p.institution_id: p for p in Partnership.objects.select_for_update().filter(year=cycle.year)}
        for institution_id, p in existing.items():
            if p.rank is not None and institution_id not in wanted:
                remove_partnership(p, by=by)
        for institution_id, rank in wanted.items():
            p = existing.get(institution_id)
            if p is None:
                p = Partnership(institution_id=institution_id, year=cycle.year, added_by=by,
                                note=_("Selected in the %(year)s platform review") % {"year": cycle.year})
            elif p.rank == rank:
                rows.append(p)
                continue
            p.rank = rank
            p._history_user, p._change_reason = by, "review round"
            p.save()
            rows.append(p)
    return rows
