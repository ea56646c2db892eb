"""The programme year: exactly one is current; a closed year is read-only."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Cycle
from .errors import ValidationError


def current_cycle():
    return Cycle.objects.current()


def make_current(cycle, *, by):
    """Make `cycle` the current year (and no other)."""
    with transaction.atomic():
        Cycle.objects.filter(is_current=True).exclude(pk=cycle.pk).update(is_current=False)
        cycle.is_current = True
        cycle._history_user = by
        cycle._change_reason = "make_current"
        cycle.save()
    return cycle


def close_cycle(cycle, *, by):
    if cycle.is_closed:
        raise ValidationError(_("This programme year is already closed."))
    cycle.status = Cycle.Status.CLOSED
    cycle._history_user = by
    cycle._change_reason = "close"
    cycle.save()
    return cycle


CYCLE_FIELDS = ("year", "nomination_opens", "nomination_closes", "enterprise_quota", "incubator_quota", "status")


def save_cycle(*, by, cycle=None, **values):
    """Create a programme year or change its window, quotas and status. Validates, saves, keeps history.

    Refused: a user without `pojian.manage_cycle`, a window that closes before it opens, a quota
    below 1, a year that exists already, and any change to a closed year.
    """
    from .errors import PermissionDenied

    if not by.has_perm("pojian.manage_cycle"):
        raise PermissionDenied(_("Only the provincial office may open or change a programme year."))
    if cycle is not None and cycle.is_closed:
        raise ValidationError(_("This programme year is closed and can no longer be changed."), code="closed")
    errors = {}
    opens, closes = values.get("nomination_opens"), values.get("nomination_closes")
    if opens and closes and closes <= opens:
        errors["nomination_closes"] = _("The nomination window must close after it opens.")
    for name in ("enterprise_quota", "incubator_quota"):
        if values.get(name) is not None and values[name] < 1:
            errors[name] = _("A quota must be at least 1.")
    year = values.get("year")
    if year is not None and Cycle.objects.filter(year=year).exclude(pk=getattr(cycle, "pk", None)).exists():
        errors["year"] = _("The programme year %(year)s exists already.") % {"year": year}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        created = cycle is None
        cycle = cycle or Cycle()
        for name in CYCLE_FIELDS:
            if name in values:
                setattr(cycle, name, values[name])
        cycle._history_user = by
        cycle._change_reason = "create" if created else "edit"
        cycle.save()
    return cycle
