"""County → city steps on the nomination page: the county bureau forwards its prepared nomination to its
city bureau; the city bureau returns a forwarded one to the county with a reason. Both POST, both back to
the nomination's page. Thin: enterprises.domain.county does the work (permissions, history, notification).

Who: whoever may see the nomination reaches the view (another city's bureau, an expert: 403); the
domain function decides whether this user may take the step (a refusal is shown as a message).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from pojian.mixins import PortalPermissionMixin, run_domain

from ..domain import county as county_step
from ..models import EnterpriseNomination


class CountyStepView(PortalPermissionMixin, View):
    permission_required = "enterprises.view_nomination"
    http_method_names = ["post"]

    def get_permission_object(self):
        if not hasattr(self, "nomination"):
            self.nomination = get_object_or_404(
                EnterpriseNomination.objects.select_related("cycle", "county", "enterprise", "region"), pk=self.kwargs["pk"])
        return self.nomination

    def version(self):
        raw = self.request.POST.get("version", "")
        return int(raw) if raw.isdigit() else None


class ForwardToCityView(CountyStepView):
    def post(self, request, pk):
        nomination = self.get_permission_object()
        if run_domain(request, county_step.forward_to_city, nomination, by=request.user, expected_version=self.version()):
            messages.success(request, _("“%(name)s” was forwarded to %(city)s.") % {
                "name": nomination.enterprise.name, "city": nomination.region.name})
        return redirect("enterprises:bureau_nomination", pk=nomination.pk)


class ReturnToCountyView(CountyStepView):
    def post(self, request, pk):
        nomination = self.get_permission_object()
        if run_domain(request, county_step.return_to_county, nomination, by=request.user,
                      reason=request.POST.get("reason", ""), expected_version=self.version()):
            messages.success(request, _("“%(name)s” was returned to %(county)s.") % {
                "name": nomination.enterprise.name, "county": nomination.county.name})
        return redirect("enterprises:bureau_nomination", pk=nomination.pk)
