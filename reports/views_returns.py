"""Pages of the statistics returns (统计报表), their bulletins and the county pages. Thin: the
domain (reports.domain.returns) does the work; every view names its permission."""

import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.xlsx import write_workbook
from pojian.downloads import file_response
from pojian.mixins import PortalPermissionMixin, message_for
from pojian.models import Download, Region, User

from .domain import returns
from .forms import BulletinForm, FilingForm, ReturnDefineForm
from .models import ReturnBulletin, ReturnFiling, StatisticsReturn


class ReturnListView(PortalPermissionMixin, ListView):
    """The office: every return and a form to define one. A bureau: the returns it files and its state."""

    permission_required = "reports.list_returns"
    template_name = "reports/returns.html"
    context_object_name = "returns"

    def get_queryset(self):
        user = self.request.user
        qs = StatisticsReturn.objects.all()
        if user.has_perm("reports.manage_returns"):
            return qs
        qs = qs.exclude(status=StatisticsReturn.Status.DRAFT)
        return qs.filter(include_counties=True) if user.role == User.Role.COUNTY else qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_manage"] = user.has_perm("reports.manage_returns")
        if ctx["can_manage"]:
            ctx["form"] = kwargs.get("form") or ReturnDefineForm()
        else:
            mine = {f.statistics_return_id: f for f in ReturnFiling.objects.filter(region_id=user.region_id)}
            ctx["rows"] = [(r, mine.get(r.pk)) for r in ctx["returns"]]
        return ctx


class ReturnDefineView(PortalPermissionMixin, FormView):
    permission_required = "reports.manage_returns"
    form_class = ReturnDefineForm
    http_method_names = ["post"]

    def form_valid(self, form):
        try:
            ret = returns.define_return(
                by=self.request.user, title=form.cleaned_data["title"], period=form.cleaned_data["period"],
                period_start=form.cleaned_data["period_start"], fields=form.field_rows(),
                due_working_days=form.cleaned_data["due_working_days"],
                include_counties=form.cleaned_data["include_counties"],
            )
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, message_for(e))
            return self.form_invalid(form)
        messages.success(self.request, _("The return is defined as a draft; open it when it is ready."))
        return redirect("reports:return_detail", pk=ret.pk)

    def form_invalid(self, form):
        view = ReturnListView()
        view.setup(self.request)
        view.object_list = view.get_queryset()
        return self.response_class(
            request=self.request, template=["reports/returns.html"], context=view.get_context_data(form=form),
            status=400,
        )


class ReturnDetailView(PortalPermissionMixin, DetailView):
    """The office's view of one return: who filed, late ones, the province's totals."""

    permission_required = "reports.manage_returns"
    model = StatisticsReturn
    template_name = "reports/return_detail.html"
    context_object_name = "ret"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["status"] = returns.completeness(self.object)
        ctx["totals"] = returns.totals(self.object)
        ctx["bulletin"] = ReturnBulletin.objects.filter(statistics_return=self.object).first()
        return ctx


class ReturnActionView(PortalPermissionMixin, DetailView):
    """open / close / draft the bulletin (POST)."""

    permission_required = "reports.manage_returns"
    model = StatisticsReturn
    http_method_names = ["post"]
    action = ""

    def post(self, request, *args, **kwargs):
        ret = self.get_object()
        fn = {"open": returns.open_return, "close": returns.close_return, "bulletin": returns.draft_bulletin}[self.action]
        try:
            fn(ret, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, message_for(e))
            return redirect("reports:return_detail", pk=ret.pk)
        if self.action == "bulletin":
            return redirect("reports:bulletin_edit", pk=ret.bulletin.pk)
        messages.success(request, _("Done."))
        return redirect("reports:return_detail", pk=ret.pk)


class ReturnExportView(PortalPermissionMixin, DetailView):
    permission_required = "reports.manage_returns"
    model = StatisticsReturn

    def get(self, request, *args, **kwargs):
        ret = self.get_object()
        buffer = io.BytesIO()
        write_workbook(buffer, returns.export_sheets(ret))
        name = _("statistics-return-%(pk)s.xlsx") % {"pk": ret.pk}
        return file_response(request, buffer.getvalue(), filename=name, subject=str(ret),
                             category=Download.Category.EXPORT)


class ReturnFileView(PortalPermissionMixin, FormView):
    """A bureau (city or county) files or corrects its return; what the portal knows is filled in."""

    permission_required = "reports.file_return"
    template_name = "reports/return_file.html"

    def get_permission_object(self):
        if not hasattr(self, "ret"):
            self.ret = get_object_or_404(StatisticsReturn.objects.exclude(status=StatisticsReturn.Status.DRAFT),
                                         pk=self.kwargs["pk"])
        return self.ret

    def get_form(self, form_class=None):
        ret = self.get_permission_object()
        filing = returns.filing_of(ret, self.request.user.region)
        self.filing = filing
        if self.request.method == "POST":
            return FilingForm(self.request.POST, statistics_return=ret)
        initial = dict(filing.values) if filing else returns.prefilled(ret, self.request.user.region)
        initial["version"] = filing.version if filing else ""
        return FilingForm(initial=initial, statistics_return=ret)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(ret=self.ret, filing=self.filing, region=self.request.user.region,
                   editable=self.ret.status == StatisticsReturn.Status.OPEN)
        return ctx

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            returns.file_return(self.ret, by=self.request.user, values=data,
                                expected_version=form.cleaned_data.get("version") or None)
        except (ValidationError, PermissionDenied) as e:
            for text in (e.messages if isinstance(e, ValidationError) else [str(e)]):
                form.add_error(None, text)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("The return is filed."))
        return redirect("reports:returns")


class BulletinEditView(PortalPermissionMixin, FormView):
    permission_required = "reports.manage_returns"
    template_name = "reports/bulletin_form.html"
    form_class = BulletinForm

    def dispatch(self, request, *args, **kwargs):
        self.bulletin = get_object_or_404(ReturnBulletin.objects.select_related("statistics_return"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"title": self.bulletin.title, "body": self.bulletin.body, "version": self.bulletin.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(bulletin=self.bulletin, **kwargs)

    def form_valid(self, form):
        try:
            returns.edit_bulletin(self.bulletin, by=self.request.user, title=form.cleaned_data["title"],
                                  body=form.cleaned_data["body"], expected_version=form.cleaned_data["version"],
                                  publish="publish" in self.request.POST)
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, message_for(e))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("The bulletin is saved."))
        return redirect("reports:return_detail", pk=self.bulletin.statistics_return_id)


class PublicBulletinsView(PortalPermissionMixin, ListView):
    """The published progress bulletins (定期公布), for everyone."""

    permission_required = "reports.view_public_progress"
    template_name = "reports/bulletins.html"
    context_object_name = "bulletins"

    def get_queryset(self):
        return ReturnBulletin.objects.filter(published_at__isnull=False).select_related("statistics_return")


class PublicBulletinPdfView(PortalPermissionMixin, View):
    """A published bulletin as a PDF, for everyone; one not published yet is not found."""

    permission_required = "reports.view_public_progress"

    def get(self, request, pk):
        bulletin = get_object_or_404(ReturnBulletin.objects.select_related("statistics_return"), pk=pk,
                                     published_at__isnull=False)
        response = HttpResponse(returns.bulletin_pdf(bulletin), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="bulletin-{bulletin.pk}.pdf"'
        return response


class CountyListView(PortalPermissionMixin, TemplateView):
    """The counties a user may look at: the office all, a city bureau its own; a county goes to its page."""

    permission_required = "reports.list_returns"
    template_name = "reports/counties.html"

    def get(self, request, *args, **kwargs):
        if request.user.role == User.Role.COUNTY:
            return redirect("reports:county", code=request.user.region.code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = Region.objects.counties().select_related("parent").order_by("parent__sort_order", "code")
        if not self.request.user.has_perm("reports.manage_returns"):
            qs = qs.filter(parent_id=self.request.user.region_id)
        ctx["counties"] = qs
        return ctx


class CountyDashboardView(PortalPermissionMixin, DetailView):
    """A county's page: its filed returns beside its city's, and its bureau's accounts."""

    permission_required = "reports.view_county_dashboard"
    template_name = "reports/county.html"
    context_object_name = "county"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return Region.objects.counties().select_related("parent")

    def get_permission_object(self):
        return self.get_object()

    def get_object(self, queryset=None):
        if not hasattr(self, "_county"):
            self._county = super().get_object(queryset)
        return self._county

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        county = self.object
        filings = ReturnFiling.objects.filter(region__in=[county, county.parent]).select_related("statistics_return")
        by_return = {}
        for f in filings:
            by_return.setdefault(f.statistics_return, {})[f.region_id] = f
        rows = []
        for ret, pair in sorted(by_return.items(), key=lambda kv: kv[0].period_start, reverse=True):
            own, city = pair.get(county.pk), pair.get(county.parent_id)
            rows.append({"ret": ret, "fields": [
                {"label": fd["label"], "county": (own.values.get(fd["key"]) if own else None),
                 "city": (city.values.get(fd["key"]) if city else None)} for fd in ret.fields
            ]})
        ctx["rows"] = rows
        ctx["accounts"] = User.objects.filter(region=county, role=User.Role.COUNTY, is_active=True).count()
        ctx["back"] = reverse("reports:counties")
        # Its own statistics: the year's nominations and its part of the pool (reports.domain.county_figures).
        from pojian.models import Cycle

        from .domain import county_figures

        ctx["nominations"] = county_figures.nominations(county, Cycle.objects.current())
        ctx["pool"] = county_figures.pool(county)
        return ctx
