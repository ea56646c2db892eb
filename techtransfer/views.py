"""双千工程 pages: the public catalogue, an institution's own results, the office's moderation and
the bureaus' demands with suggested results."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from enterprises.models import Industry
from pojian.mixins import PortalPermissionMixin, run_domain
from pojian.rules import is_office

from .domain import catalogue
from .forms import DemandForm, ResultForm, ReturnForm
from .models import Demand, Result


class PublicCatalogueView(ListView):
    """The public catalogue (成果库): published results, searched by any part of the title or summary."""

    template_name = "techtransfer/public_catalogue.html"
    paginate_by = 20

    def get_queryset(self):
        g = self.request.GET
        qs = Result.objects.filter(state=Result.State.PUBLISHED).select_related("institution")
        return catalogue.search(qs, q=g.get("q", "")[:100], field=g.get("field", ""), maturity=g.get("maturity", ""))

    def get_context_data(self, **kwargs):
        g = self.request.GET
        return {**super().get_context_data(**kwargs), "q": g.get("q", "")[:100], "field": g.get("field", ""),
                "maturity": g.get("maturity", ""), "fields": Industry.choices, "maturities": Result.Maturity.choices}


class PublicResultView(PortalPermissionMixin, DetailView):
    model = Result
    permission_required = "techtransfer.see_result"
    template_name = "techtransfer/result_detail.html"
    context_object_name = "result"
    raise_exception = True

    def get_queryset(self):
        return Result.objects.select_related("institution")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("techtransfer.list_demands"):
            ctx["demands"] = [d for d in catalogue.demands_for_result(self.object)
                              if user.has_perm("techtransfer.see_demand", d)]
        ctx["modes"] = dict(Result.MODES)
        return ctx


class OwnResultsView(PortalPermissionMixin, ListView):
    """An institution's results, in every state."""

    permission_required = "techtransfer.list_own_results"
    template_name = "techtransfer/own_results.html"
    paginate_by = 50

    def get_queryset(self):
        ids = self.request.user.results_manager_of.filter(approved_at__isnull=False).values("institution")
        return Result.objects.filter(institution__in=ids).select_related("institution")


class ResultFormMixin:
    model = Result
    form_class = ResultForm
    template_name = "techtransfer/result_form.html"

    def form_valid(self, form):
        result = form.save(commit=False)
        if result.pk is None:
            manager = self.request.user.results_manager_of.filter(approved_at__isnull=False).first()
            result.institution_id, result.created_by = manager.institution_id, self.request.user
        result._history_user = self.request.user
        result.save()
        messages.success(self.request, _("“%(title)s” saved.") % {"title": result.title})
        return redirect("techtransfer:own_results")


class ResultCreateView(PortalPermissionMixin, ResultFormMixin, CreateView):
    permission_required = "techtransfer.create_result"


class ResultEditView(PortalPermissionMixin, ResultFormMixin, UpdateView):
    permission_required = "techtransfer.edit_result"


class ResultSubmitView(PortalPermissionMixin, View):
    permission_required = "techtransfer.edit_result"

    def get_permission_object(self):
        return get_object_or_404(Result, pk=self.kwargs["pk"])

    def post(self, request, pk):
        if run_domain(request, catalogue.submit_result, self.get_permission_object(), by=request.user):
            messages.success(request, _("Submitted to the provincial office for publication."))
        return redirect("techtransfer:own_results")


class ModerationView(PortalPermissionMixin, ListView):
    """The office: results waiting for publication, and the published ones."""

    permission_required = "techtransfer.moderate_results"
    template_name = "techtransfer/moderation.html"
    paginate_by = 50

    def get_queryset(self):
        state = self.request.GET.get("state") or Result.State.SUBMITTED
        return Result.objects.filter(state=state).select_related("institution")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "state": self.request.GET.get("state") or "submitted",
                "states": Result.State.choices, "return_form": ReturnForm()}


class ModerateView(PortalPermissionMixin, View):
    permission_required = "techtransfer.moderate_results"

    def post(self, request, pk, action):
        if action not in ("publish", "return"):
            raise Http404
        result = get_object_or_404(Result, pk=pk)
        if action == "publish":
            ok = run_domain(request, catalogue.publish_result, result, by=request.user)
        else:
            form = ReturnForm(request.POST)
            ok = form.is_valid() and run_domain(request, catalogue.return_result, result, by=request.user,
                                                reason=form.cleaned_data["reason"])
            if not form.is_valid():
                messages.error(request, _("Say why the result is returned, so that the institution can correct it."))
        if ok:
            messages.success(request, _("“%(title)s”: done.") % {"title": result.title})
        return redirect("techtransfer:moderation")


class DemandListView(PortalPermissionMixin, ListView):
    permission_required = "techtransfer.list_demands"
    template_name = "techtransfer/demand_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Demand.objects.select_related("enterprise", "region")
        user = self.request.user
        if user.role == "bureau":
            qs = qs.filter(region_id=user.region_id)
        return qs


class DemandCreateView(PortalPermissionMixin, CreateView):
    permission_required = "techtransfer.create_demand"
    model = Demand
    form_class = DemandForm
    template_name = "techtransfer/demand_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        demand = form.save(commit=False)
        demand.region_id, demand.created_by = demand.enterprise.region_id, self.request.user
        demand._history_user = self.request.user
        demand.save()
        messages.success(self.request, _("The demand is recorded; suggested results are shown below."))
        return redirect("techtransfer:demand", pk=demand.pk)


class DemandView(PortalPermissionMixin, DetailView):
    """A demand with the published results that may answer it, most similar first."""

    model = Demand
    permission_required = "techtransfer.see_demand"
    template_name = "techtransfer/demand_detail.html"
    context_object_name = "demand"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "suggestions": catalogue.results_for_demand(self.object),
                "is_office": is_office(self.request.user)}
