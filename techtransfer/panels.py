"""Menu entries for 双千工程, per role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pojian.rules import is_bureau, is_office

from .rules import is_results_manager


def home_panels(request, cycle):
    return []


def nav_items(user):
    if is_office(user):
        return [(_("Results catalogue"), reverse("techtransfer:moderation")),
                (_("Technology contracts"), reverse("techtransfer:contracts"))]
    if is_bureau(user):
        return [(_("Technical demands"), reverse("techtransfer:demands")),
                (_("Technology contracts"), reverse("techtransfer:contracts"))]
    if is_results_manager(user):
        return [(_("Our results"), reverse("techtransfer:own_results")),
                (_("Technical demands"), reverse("techtransfer:demands")),
                (_("Technology contracts"), reverse("techtransfer:contracts"))]
    return []
