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
