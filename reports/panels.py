"""Home-page card and menu entries of the reports app."""

from django.urls import reverse
from django.utils.translation import gettext as _


def home_panels(request, cycle):
    if not request.user.has_perm("reports.view_dashboard"):
        return []
    from .models import AnnualReport

    latest = AnnualReport.objects.select_related("cycle", "region", "job").first()
    return [{"template": "reports/office_panel.html", "latest": latest}]


def nav_items(user):
    items = []
    if user.has_perm("reports.view_dashboard"):
        items.append((_("Statistics"), reverse("reports:dashboard")))
    if user.has_perm("reports.view_bureau_dashboard", getattr(user, "region", None)):
        items.append((_("Region dashboard"), reverse("reports:bureau_dashboard")))
    if user.has_perm("reports.list_reports"):
        items.append((_("Annual reports"), reverse("reports:reports")))
    if user.has_perm("reports.list_returns"):
        items.append((_("Statistics returns"), reverse("reports:returns")))
        items.append((_("Counties"), reverse("reports:counties")))
    return items
