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
                (_("Technology contracts"), reverse("techtransfer:contracts"))] + matching_items(user)
    if is_bureau(user):
        return [(_("Technical demands"), reverse("techtransfer:demands")),
                (_("Technology contracts"), reverse("techtransfer:contracts"))] + matching_items(user)
    if is_results_manager(user):
        return [(_("Our results"), reverse("techtransfer:own_results")),
                (_("Technical demands"), reverse("techtransfer:demands")),
                (_("Technology contracts"), reverse("techtransfer:contracts"))] + matching_items(user)
    return []


def matching_items(user):
    """推介, 意向 and 对接, 对接会, statistics, and the office's account requests."""
    items = []
    if is_office(user):
        items.append((_("双千 account requests"), reverse("techtransfer:account_requests")))
    if is_office(user) or is_bureau(user):
        items.append((_("Recommended results"), reverse("techtransfer:recommendations")))
    elif is_results_manager(user):
        items.append((_("Recommended to enterprises (推介)"), reverse("techtransfer:own_recommendations")))
    items += [(_("Matching"), reverse("techtransfer:matching")), (_("Matchmaking events"), reverse("techtransfer:events"))]
    if is_office(user) or is_bureau(user):
        items.append((_("双千 statistics"), reverse("techtransfer:statistics")))
    return items + subsidy_items(user)


def subsidy_items(user):
    """The contract subsidy: the office's rule page; a bureau's (and approver's) applications."""
    if user.has_perm("techtransfer.manage_contract_subsidy"):
        return [(_("Contract subsidy"), reverse("techtransfer:subsidy_rule"))]
    if user.has_perm("techtransfer.list_subsidy_applications"):
        return [(_("Contract subsidy"), reverse("techtransfer:subsidy_applications"))]
    return []
