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


def partners_for_year(year):
    """The institutions on the cooperation list for `year`."""
    return FinanceInstitution.objects.filter(partnerships__year=year).distinct().order_by("name")
