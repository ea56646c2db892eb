"""The counties in the assessment: the office opts a year in, the county ranking, one county's standing.

    counties_settings   POST, the office: assess the counties too (or not) — assessment.manage_assessment
    counties            the ranking: the office all counties (filter by city), a city bureau its own
                        counties — assessment.view_county_ranking; a county bureau goes to its standing
    county              one county's figures, rank among all counties and within its city — the office,
                        the county's bureau and its city's bureau (assessment.view_county_result)
    my_county           a county bureau's own standing in the current year
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from pojian.mixins import PortalPermissionMixin, run_domain
from pojian.models import Cycle, Region, User

from .domain import counties, results
from .models import CountyResult, Indicator
from .views import YearMixin, current_cycle


class CountySettingsView(PortalPermissionMixin, YearMixin, View):
    permission_required = "assessment.manage_assessment"
    http_method_names = ["post"]

    def post(self, request, year):
        cycle = self.get_cycle()
        value = request.POST.get("assess_counties") == "on"
        version = request.POST.get("version", "")
        if run_domain(request, counties.set_assess_counties, cycle=cycle, by=request.user, value=value,
                      expected_version=int(version) if version.isdigit() else None):
            messages.success(request, _("The counties are assessed too.") if value
                             else _("The counties are not assessed this year."))
        return redirect("assessment:table", year=cycle.year)


class CountyRankingView(PortalPermissionMixin, YearMixin, TemplateView):
    permission_required = "assessment.view_county_ranking"
    template_name = "assessment/counties.html"

    def get(self, request, *args, **kwargs):
        if request.user.role == User.Role.COUNTY:
            return redirect("assessment:county", year=self.get_cycle().year, code=request.user.region.code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = self.get_cycle()
        assessment = results.assessment_for(cycle)
        office = self.request.user.has_perm("assessment.manage_assessment")
        city_id = None if office else self.request.user.region_id
        cities = Region.objects.nominating().filter(pk__in=Region.objects.counties().values("parent_id")) if office else None
        raw = self.request.GET.get("city", "")
        if office and raw.isdigit():
            city_id = int(raw)
        rows = counties.results_for(assessment, city_id=city_id) if assessment is not None else CountyResult.objects.none()
        indicators = counties.fitting(Indicator.objects.filter(cycle=cycle).order_by("order", "pk"))
        ctx.update(cycle=cycle, assessment=assessment, rows=rows, indicators=indicators, cities=cities,
                   city_id=city_id, office=office, cycles=Cycle.objects.all(),
                   show_rank=office or bool(assessment and assessment.is_published))
        return ctx


class CountyStandingView(PortalPermissionMixin, YearMixin, TemplateView):
    permission_required = "assessment.view_county_result"
    template_name = "assessment/county.html"

    def get_permission_object(self):
        # Any region's code reaches the permission (a city's: refused to all but the office, who gets a 404 below).
        if not hasattr(self, "county"):
            self.county = get_object_or_404(Region.objects.select_related("parent"), code=self.kwargs["code"])
        return self.county

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle, county = self.get_cycle(), self.get_permission_object()
        if not county.is_county:
            raise Http404(_("No such county."))
        assessment = results.assessment_for(cycle)
        result = counties.results_for(assessment, county_id=county.pk).first() if assessment is not None else None
        ctx.update(cycle=cycle, county=county, assessment=assessment, result=result,
                   counted=CountyResult.objects.filter(assessment=assessment).count() if assessment else 0,
                   in_city=CountyResult.objects.filter(assessment=assessment, county__parent_id=county.parent_id).count()
                   if assessment else 0,
                   can_rank=self.request.user.has_perm("assessment.view_county_ranking"))
        return ctx


class MyCountyView(PortalPermissionMixin, View):
    permission_required = "assessment.view_my_county"

    def get(self, request, *args, **kwargs):
        cycle = current_cycle() or Cycle.objects.first()
        if cycle is None:
            raise Http404(_("No programme year exists yet."))
        return redirect("assessment:county", year=cycle.year, code=request.user.region.code)
