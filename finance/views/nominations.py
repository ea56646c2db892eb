"""Bureau and office pages for finance-institution nominations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View
from django_tables2 import RequestConfig

from pojian.domain import workflow
from pojian.domain.errors import ValidationError
from pojian.mixins import message_for

from ..domain import nominations as domain
from ..filters import NominationFilter
from ..forms import NominationForm
from ..models import FinanceNomination
from ..tables import NominationTable
from .common import FinancePermissionMixin, allows, current_cycle, is_office, xlsx_response

BULK_ACTIONS = ("accept", "return", "reject")


def scoped_nominations(user):
    qs = FinanceNomination.objects.select_related("institution", "region", "cycle")
    return qs if is_office(user) else qs.filter(region_id=user.region_id)


def filtered(request):
    data = request.GET.copy()
    cycle = current_cycle()
    if "cycle" not in data and cycle is not None:
        data["cycle"] = str(cycle.pk)
    return NominationFilter(data, queryset=scoped_nominations(request.user), user=request.user, request=request)


class NominationListView(FinancePermissionMixin, ListView):
    """Bureau: its region's nominations. Office: everyone's, with filters, bulk decisions and export."""

    permission_required = "finance.list_nominations"
    template_name = "finance/nomination_list.html"

    def get_queryset(self):
        self.filterset = filtered(self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        office = is_office(self.request.user)
        table = NominationTable(self.object_list, selectable=office)
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        ctx.update(filter=self.filterset, table=table, office=office, cycle=current_cycle(),
                   bulk_actions=[workflow.TRANSITIONS[a] for a in BULK_ACTIONS],
                   can_add=allows(self.request.user, "finance.add_nomination"))
        return ctx


class NominationExportView(FinancePermissionMixin, View):
    permission_required = "finance.export_nominations"

    def get(self, request):
        qs = filtered(request).qs
        name = f"finance-nominations-{timezone.localdate().isoformat()}.xlsx"
        return xlsx_response(request, lambda f: domain.export_nominations(f, qs), name)


class NominationBulkView(FinancePermissionMixin, View):
    """The office decides several nominations at once; the reason is asked once for all."""

    permission_required = "finance.review_nominations"
    http_method_names = ["post"]

    def post(self, request):
        action = request.POST.get("action", "")
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        reason = request.POST.get("reason", "")
        back = reverse("finance:nomination_list")
        if action not in BULK_ACTIONS:
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(back)
        if not ids:
            messages.error(request, _("Choose at least one nomination."))
            return HttpResponseRedirect(back)
        t = workflow.TRANSITIONS[action]
        if t.reason_required and not reason.strip():
            messages.error(request, _("Please give a reason."))
            return HttpResponseRedirect(back)
        done = 0
        for nomination in FinanceNomination.objects.filter(pk__in=ids).select_related("institution"):
            try:
                workflow.transition(nomination, action, by=request.user, reason=reason)
                done += 1
            except (ValidationError, PermissionDenied) as e:
                messages.warning(request, f"{nomination.nominee_name}: {message_for(e)}")
        if done:
            messages.success(request, _("%(n)d nominations: %(action)s.") % {"n": done, "action": t.label})
        return HttpResponseRedirect(back)


class NominationCreateView(FinancePermissionMixin, FormView):
    permission_required = "finance.add_nomination"
    template_name = "finance/nomination_form.html"
    form_class = NominationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "region": self.request.user.region}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            nomination = domain.create_nomination(
                cycle=current_cycle(), institution=d["institution"], summary=d["summary"],
                recommendation=d["recommendation"], letter=d.get("letter") or None, by=self.request.user,
            )
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, message_for(e))
            return self.form_invalid(form)
        messages.success(self.request, _("The nomination is saved as a draft. Submit it when it is complete."))
        return redirect(nomination)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cycle": current_cycle()}


class NominationEditView(FinancePermissionMixin, DetailView):
    """Edit a draft or returned nomination; a form based on an old version is refused, not saved over."""

    model = FinanceNomination
    permission_required = "finance.change_nomination"
    template_name = "finance/nomination_form.html"

    def get_queryset(self):
        return FinanceNomination.objects.select_related("cycle", "institution")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render(NominationForm(instance=self.object, region=self.object.region))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = NominationForm(request.POST, request.FILES, instance=self.object, region=self.object.region)
        if form.is_valid():
            expected = form.cleaned_data.get("version") or 0
            try:
                domain.update_nomination(form.instance, expected_version=expected, by=request.user)
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, message_for(e))
            else:
                messages.success(request, _("Changes saved."))
                return redirect(self.object)
        return self.render(form)

    def render(self, form):
        return self.render_to_response(self.get_context_data(object=self.object, form=form, cycle=self.object.cycle))


class NominationDetailView(FinancePermissionMixin, DetailView):
    model = FinanceNomination
    permission_required = "finance.view_nomination"
    template_name = "finance/nomination_detail.html"
    context_object_name = "nomination"

    def get_queryset(self):
        return FinanceNomination.objects.select_related("cycle", "institution", "region", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        n, user = self.object, self.request.user
        investments = domain.nominated_investments(n)
        start, end = domain.counted_period(n.cycle)
        ctx.update(
            actions=workflow.available_actions(n, user),
            transition_url=reverse("finance:nomination_transition", args=[n.pk]),
            investments=investments, totals=domain.investment_totals(investments), period=(start, end),
            can_edit=allows(user, "finance.change_nomination", n),
            history=n.history.select_related("history_user")[:20],
        )
        return ctx
