"""The incubators' card on the home page and their menu entries."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pojian.models import NominationState

from .models import IncubatorNomination


def home_panels(request, cycle):
    user = request.user
    if cycle is None:
        return []
    qs = IncubatorNomination.objects.filter(cycle=cycle)
    if user.has_perm("incubators.review_nominations"):
        role = "office"
    elif user.has_perm("incubators.list_nominations"):
        role = "bureau"
        qs = qs.filter(region_id=user.region_id)
    else:
        return []
    by_state = dict(qs.values_list("state").annotate(n=Count("pk")).order_by())
    return [{
        "template": "incubators/_home_card.html",
        "role": role,
        "cycle": cycle,
        "states": [(label, by_state.get(code, 0), code) for code, label in NominationState.choices if by_state.get(code)],
        "total": sum(by_state.values()),
        "can_add": role == "bureau" and not cycle.is_closed,
    }]


def nav_items(user):
    if user.has_perm("incubators.review_nominations"):
        return [
            (_("Incubator nominations"), reverse("incubators:office_list")),
            (_("Post-subsidies"), reverse("incubators:post_subsidies")),
        ]
    if user.has_perm("incubators.list_nominations"):
        return [(_("My incubator nominations"), reverse("incubators:bureau_list"))]
    return []
