"""What the public 公示 index shows, year by year: every 公示 that has started (running, over,
withdrawn or confirmed), the confirmed lists (nominations in state "selected", whatever round
confirmed them), the incubators' post-subsidy publications and the finance cooperation list."""

from collections import defaultdict
from importlib import import_module

from django.apps import apps
from django.urls import reverse

from pojian.models import NominationState

from ..models import PublicNotice
from .kinds import KINDS, kind_list_name, nomination_model, nominee_facts

PUBLIC_KINDS = ("enterprises", "incubators", "finance")
PARTNERS = "partners"


def _model(label):
    app_label, _dot, name = label.partition(".")
    if not apps.is_installed(app_label):
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def confirmed_kinds_by_year():
    """{year: [kind, ...]} of the kinds with a confirmed (selected) list that year."""
    found = defaultdict(list)
    for kind in PUBLIC_KINDS:
        model = nomination_model(kind)
        if model is None:
            continue
        years = model.objects.filter(state=NominationState.SELECTED).values_list("cycle__year", flat=True).distinct()
        for year in years:
            found[year].append(kind)
    partnership = _model("finance.Partnership")
    if partnership is not None:
        for year in partnership.objects.values_list("year", flat=True).distinct():
            found[year].append(PARTNERS)
    return found


def confirmed_list(*, year, kind):
    """[(name, region name)] of a year's confirmed list, ordered by name; None when the kind is unknown."""
    if kind == PARTNERS:
        partnership = _model("finance.Partnership")
        if partnership is None:
            return None
        rows = partnership.objects.filter(year=year).select_related("institution__region")
        return sorted((p.institution.name, p.institution.region.name) for p in rows)
    if kind not in PUBLIC_KINDS or kind not in KINDS:
        return None
    model = nomination_model(kind)
    if model is None:
        return None
    rows = model.objects.filter(cycle__year=year, state=NominationState.SELECTED).select_related("region")
    return sorted((nominee_facts(n)["nominee_name"], n.region.name) for n in rows)


def list_name(kind):
    from django.utils.translation import gettext as _

    if kind == PARTNERS:
        return _("finance cooperation list")
    return kind_list_name(kind)


def index(*, user):
    """[{year, notices, confirmed: [(kind, name, url)], post_subsidies: url|None, grants: url|None}], newest first."""
    notices = [
        n for n in PublicNotice.objects.select_related("round__cycle").order_by("-starts", "-pk")
        if user.has_perm("reviews.view_public_notice", n)
    ]
    years = defaultdict(lambda: {"notices": [], "confirmed": [], "post_subsidies": None, "grants": None})
    for n in notices:
        years[n.round.cycle.year]["notices"].append(n)
    for year, kinds in confirmed_kinds_by_year().items():
        years[year]["confirmed"] = [
            (k, list_name(k), reverse("reviews:public_confirmed", args=[year, k])) for k in kinds
        ]
    publication = _model("incubators.PostSubsidyPublication")
    if publication is not None:
        for year in publication.objects.values_list("year", flat=True):
            years[year]["post_subsidies"] = reverse("incubators:public_post_subsidies", args=[year])
    grant = _model("funding.Grant")
    if grant is not None:
        # The years with support the public may see (funding.models.PUBLIC_STATES: committed and after).
        public = import_module("funding.models").PUBLIC_STATES
        for year in grant.objects.filter(state__in=public).values_list("cycle__year", flat=True).distinct():
            years[year]["grants"] = reverse("funding:public_grants_year", args=[year])
    return [{"year": y, **years[y]} for y in sorted(years, reverse=True)]
