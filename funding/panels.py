"""The funding card on the home page and the menu entries."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .domain import ledger
from .models import Payment


def home_panels(request, cycle):
    user = request.user
    if cycle is None:
        return []
    if user.has_perm("funding.view_ledger"):
        return [{"template": "funding/_home_card.html", "role": "office", "cycle": cycle,
                 "total": ledger.execution(cycle)["total"],
                 "pending": Payment.objects.filter(grant__cycle=cycle, state=Payment.State.RECORDED).count()}]
    if user.has_perm("funding.list_region"):
        return [{"template": "funding/_home_card.html", "role": "bureau", "cycle": cycle}]
    return []


def nav_items(user):
    if user.has_perm("funding.view_ledger"):
        return [(_("Funding ledger"), reverse("funding:ledger"))]
    if user.has_perm("funding.list_region"):
        return [(_("Funding in my region"), reverse("funding:region"))]
    return []
