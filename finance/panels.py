"""Home-page cards and menu entries for finance, per role."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pojian.rules import is_bureau, is_office, is_partner


def home_panels(request, cycle):
    from .models import Digest, FinanceNomination, Investment, Roadshow

    user = request.user
    if is_partner(user):
        institutions = list(user.finance_institutions.all())
        return [{
            "template": "finance/_panel_partner.html",
            "institutions": institutions,
            "digest": Digest.objects.filter(institution__users=user).order_by("-date").select_related("institution").first(),
            "investments": Investment.objects.filter(institution__users=user).count(),
            "roadshows": Roadshow.objects.filter(judges=user, scoring_open=True).count(),
        }]
    if cycle is None:
        return []
    if is_office(user):
        by_state = dict(FinanceNomination.objects.filter(cycle=cycle).values_list("state").annotate(n=Count("pk")).order_by())
        return [{"template": "finance/_panel_office.html", "by_state": by_state,
                 "to_check": by_state.get("submitted", 0), "total": sum(by_state.values())}]
    if is_bureau(user):
        by_state = dict(FinanceNomination.objects.filter(cycle=cycle, region_id=user.region_id)
                        .values_list("state").annotate(n=Count("pk")).order_by())
        return [{"template": "finance/_panel_bureau.html", "by_state": by_state, "total": sum(by_state.values()),
                 "returned": by_state.get("returned", 0)}]
    return []


def nav_items(user):
    if is_office(user):
        return [(_("Finance"), reverse("finance:index"))]
    if is_bureau(user):
        return [(_("Finance institutions"), reverse("finance:nomination_list"))]
    if is_partner(user):
        items = [(_("Digests"), reverse("finance:digest_list"))]
        if user.finance_institutions.exists():
            items.append((_("Investments"), reverse("finance:investment_list")))
        return [*items, (_("Roadshows"), reverse("finance:roadshow_list"))]
    return []
