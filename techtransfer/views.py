"""双千工程 pages: the public catalogue, an institution's own results, the office's moderation and
the bureaus' demands with suggested results."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from enterprises.models import Industry
from finance.views.common import xlsx_response
from pojian.domain.jobs import start_job
from pojian.forms import LockedFormViewMixin
from pojian.mixins import PortalPermissionMixin, message_for, run_domain
from pojian.models import Job
from pojian.rules import is_office

from . import tasks
from .domain import catalogue, contracts, import_contracts
from .filters import ContractFilter
from .forms import ContractForm, ContractImportForm, DemandForm, PaymentForm, ResultForm, ReturnForm
from .models import Demand, Institution, Result, TechContract
from .paginators import WindowCountPaginator


class PublicCatalogueView(ListView):
    """The public catalogue (成果库): published results, searched by any part of the title or summary."""

    template_name = "techtransfer/public_catalogue.html"
    paginate_by = 20
    paginator_class = WindowCountPaginator  # the page and the number of hits in one query

    def get_queryset(self):
        g = self.request.GET
        qs = Result.objects.filter(state=Result.State.PUBLISHED).select_related("institution")
        return catalogue.search(qs, q=g.get("q", "")[:100], field=g.get("field", ""), maturity=g.get("maturity", ""))

    def get_context_data(self, **kwargs):
        g = self.request.GET
        fields, maturities = Industry.choices, Result.Maturity.choices
        return {**super().get_context_data(**kwargs), "q": g.get("q", "")[:100], "field": g.get("field", ""),
                "maturity": g.get("maturity", ""), "fields": fields, "maturities": maturities,
                # labels looked up once, not get_FOO_display per row (it rebuilds the choices each call)
                "labels": {"field": dict(fields), "maturity": dict(maturities)}}


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
        ctx["projects"] = visible_projects(user, self.object.projects)
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


# --- technology contracts (技术合同) ------------------------------------------------------------------


def visible_contracts(user):
    """The contracts a user may list: all for the office, the region's for a bureau, its own for an institution."""
    qs = TechContract.objects.select_related("enterprise", "enterprise__region", "institution").annotate(
        paid=Coalesce(Sum("payments__amount"), Decimal("0"))).order_by("-registered_on", "-pk")  # grouped: explicit order
    if is_office(user):
        return qs
    if getattr(user, "role", "") == "bureau":
        return qs.filter(enterprise__region_id=user.region_id)
    ids = user.results_manager_of.filter(approved_at__isnull=False).values("institution")
    return qs.filter(institution__in=ids)


def visible_projects(user, projects):
    """The supported projects (立项支持) that build on a result or contract, those the user may see."""
    return [p for p in projects.select_related("enterprise", "region") if user.has_perm("funding.view_project", p)]


class ContractListView(PortalPermissionMixin, ListView):
    """Contracts with filters (text, type, year, institution, region), exportable as .xlsx."""

    permission_required = "techtransfer.list_contracts"
    template_name = "techtransfer/contract_list.html"
    paginate_by = 50

    def filterset(self):
        if not hasattr(self, "_filterset"):
            self._filterset = ContractFilter(self.request.GET, queryset=visible_contracts(self.request.user))
        return self._filterset

    def get_queryset(self):
        return self.filterset().qs

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        from pojian.domain.xlsx import write_workbook

        headers = [_("Registration number"), _("Registered on"), _("Type"), _("Project name"), _("Enterprise"),
                   _("Region"), _("The enterprise is the"), _("Institution"), _("Contract value (yuan)"),
                   _("Technology transaction value (yuan)"), _("Paid (yuan)"), _("Cancelled on"), _("Reason for cancelling")]
        rows = ([c.registration_number, c.registered_on, c.get_kind_display(), c.title, c.enterprise.name,
                 c.enterprise.region.name, c.get_enterprise_role_display(), c.institution.name, c.contract_amount,
                 c.tech_amount, c.paid, timezone.localdate(c.cancelled_at) if c.cancelled_at else None, c.cancel_reason or None]
                for c in self.get_queryset().iterator(chunk_size=2000))
        return xlsx_response(self.request, lambda f: write_workbook(f, [(_("Contracts"), headers, rows, None)]),
                             "tech-contracts.xlsx")

    def get_context_data(self, **kwargs):
        from pojian.models import Region

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(self.filterset().values(), kinds=TechContract.Kind.choices, institutions=Institution.objects.all(),
                   regions=Region.objects.nominating().filter(active=True) if is_office(user) else [],
                   can_record=user.has_perm("techtransfer.record_contract"),
                   can_import=user.has_perm("techtransfer.import_contracts"),
                   totals=self.get_queryset().filter(cancelled_at__isnull=True).aggregate(
                       n=Count("pk"), value=Sum("contract_amount")))
        query = self.request.GET.copy()
        query.pop("page", None)
        query["format"] = "xlsx"
        ctx["export_query"] = query.urlencode()
        return ctx


class ContractPermissionMixin(PortalPermissionMixin):
    def get_permission_object(self):
        if not hasattr(self, "_contract"):
            self._contract = get_object_or_404(TechContract.objects.select_related("enterprise", "institution"),
                                               pk=self.kwargs["pk"])
        return self._contract


class ContractView(ContractPermissionMixin, DetailView):
    permission_required = "techtransfer.see_contract"
    template_name = "techtransfer/contract_detail.html"
    context_object_name = "contract"

    def get_object(self, queryset=None):
        return self.get_permission_object()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["payments"] = list(self.object.payments.all())
        ctx["paid"] = sum((p.amount for p in ctx["payments"]), Decimal("0"))
        ctx["can_edit"] = user.has_perm("techtransfer.edit_contract", self.object)
        if ctx["can_edit"]:
            ctx["payment_form"] = kwargs.get("payment_form") or PaymentForm()
        if user.has_perm("techtransfer.cancel_contract", self.object):
            from pojian.domain.concurrency import edit_token

            from .views_contracts import CancelForm

            ctx["cancel_form"] = CancelForm(initial={"edit_token": edit_token(TechContract, self.object.pk)})
        ctx["projects"] = visible_projects(user, self.object.projects)
        return ctx

    def post(self, request, pk):
        """Record a payment (the bureau of the enterprise, or the office)."""
        self.object = contract = self.get_permission_object()
        if not request.user.has_perm("techtransfer.edit_contract", contract):
            raise PermissionDenied
        form = PaymentForm(request.POST, request.FILES)
        if form.is_valid() and run_domain(request, contracts.add_payment, contract, by=request.user,
                                          **form.cleaned_data):
            messages.success(request, _("The payment is recorded."))
            return redirect("techtransfer:contract", pk=contract.pk)
        return self.render_to_response(self.get_context_data(payment_form=form))


class ContractFormMixin:
    model = TechContract
    form_class = ContractForm
    template_name = "techtransfer/contract_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        contract = form.save(commit=False)
        if contract.pk is None:
            contract.created_by = self.request.user
        contract._history_user = self.request.user
        try:
            with transaction.atomic():
                contract.save()
        except IntegrityError:
            form.add_error("registration_number", _("A contract with this registration number is already recorded."))
            return self.form_invalid(form)
        messages.success(self.request, _("The contract %(number)s is saved.") % {"number": contract.registration_number})
        return redirect("techtransfer:contract", pk=contract.pk)


class ContractCreateView(PortalPermissionMixin, ContractFormMixin, CreateView):
    permission_required = "techtransfer.record_contract"


class ContractEditView(ContractPermissionMixin, ContractFormMixin, LockedFormViewMixin, UpdateView):
    """Change a contract (amount, parties, type…): one domain call, optimistic lock, history."""

    permission_required = "techtransfer.edit_contract"

    def get_object(self, queryset=None):
        return self.get_permission_object()

    def form_valid(self, form):
        from .domain import contract_changes

        fields = {name: form.cleaned_data[name] for name in contract_changes.CHANGEABLE if name in form.cleaned_data}
        try:
            contract = contract_changes.change_contract(self.object, by=self.request.user,
                                                        edit_token=form.cleaned_data.get("edit_token"), **fields)
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, message_for(e))
            return self.form_invalid(form)
        messages.success(self.request, _("The contract %(number)s is saved.") % {"number": contract.registration_number})
        return redirect("techtransfer:contract", pk=contract.pk)


class ContractImportView(PortalPermissionMixin, FormView):
    """The office imports the technology market's contract registration list (a job, all or nothing)."""

    permission_required = "techtransfer.import_contracts"
    template_name = "techtransfer/contract_import.html"
    form_class = ContractImportForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["columns"] = [zh for _k, zh, _en in import_contracts.COLUMNS]
        ctx["last_jobs"] = Job.objects.filter(kind=import_contracts.KIND).select_related("created_by")[:5]
        return ctx

    def form_valid(self, form):
        job, created = start_job(
            kind=import_contracts.KIND, by=self.request.user, task=tasks.import_contracts,
            title=_("Contract registration list: %(file)s") % {"file": form.cleaned_data["file"].name},
            params={"language": get_language()}, input_file=form.cleaned_data["file"], dedupe_key=import_contracts.KIND,
            origin=(reverse("techtransfer:contract_import"), _("Import the contract registration list")),
            next_step=(reverse("techtransfer:contracts"), _("View the contracts")),
        )
        if not created:
            messages.warning(self.request, _("A contract list import is already running; wait for it to finish."))
        return redirect("job", job.pk)
