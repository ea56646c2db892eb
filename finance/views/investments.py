"""Investments: the office sees all; a partner those of its own institution. Typed or imported."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, UpdateView, View
from django_tables2 import RequestConfig

from pojian.domain.errors import ValidationError
from pojian.domain.jobs import start_job
from pojian.forms import LockedFormViewMixin
from pojian.mixins import message_for

from .. import tasks
from ..domain import investments as domain
from ..filters import InvestmentFilter
from ..forms import ImportForm, InvestmentForm
from ..models import FinanceInstitution, Investment
from ..tables import InvestmentTable
from .common import FinancePermissionMixin, is_office, xlsx_response


def institutions_of(user):
    allowed = domain.allowed_institutions(user)
    return FinanceInstitution.objects.all() if allowed is None else allowed


class InvestmentListView(FinancePermissionMixin, ListView):
    permission_required = "finance.list_investments"
    template_name = "finance/investment_list.html"

    def get_queryset(self):
        institutions = institutions_of(self.request.user)
        qs = Investment.objects.select_related("institution", "enterprise").filter(institution__in=institutions)
        self.filterset = InvestmentFilter(self.request.GET, queryset=qs, institutions=institutions, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        table = InvestmentTable(self.object_list)
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        from ..domain.nominations import investment_totals

        ctx.update(filter=self.filterset, table=table, totals=investment_totals(self.object_list),
                   office=is_office(self.request.user),
                   institutions=institutions_of(self.request.user) if not is_office(self.request.user) else None)
        return ctx


class InvestmentFormMixin:
    template_name = "finance/investment_form.html"
    form_class = InvestmentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "institutions": institutions_of(self.request.user)}

    def form_valid(self, form):
        d = form.cleaned_data
        fields = {"institution": d["institution"], "enterprise": form.enterprise, "date": d["date"], "amount": d["amount"],
                  "round": d["round"], "note": d["note"]}
        try:
            investment = self.save(fields)
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, message_for(e))
            return self.form_invalid(form)
        if investment.early_or_small:
            messages.success(self.request, _("Saved. It counts as early or small (投早投小): %(reason)s.") % {"reason": investment.reason})
        else:
            messages.success(self.request, _("Saved. It does not count as early or small (投早投小): %(reason)s.") % {"reason": investment.reason})
        return redirect(reverse("finance:investment_list"))


class InvestmentCreateView(FinancePermissionMixin, InvestmentFormMixin, FormView):
    permission_required = "finance.add_investment"

    def save(self, fields):
        return domain.record_investment(**fields, by=self.request.user)


class InvestmentEditView(FinancePermissionMixin, LockedFormViewMixin, InvestmentFormMixin, UpdateView):
    permission_required = "finance.change_investment"
    model = Investment

    def save(self, fields):
        investment = Investment.objects.get(pk=self.object.pk)
        return domain.update_investment(investment, by=self.request.user, **fields)


class InvestmentImportView(FinancePermissionMixin, FormView):
    """Upload a workbook; the import runs as a background job with progress (all rows or none)."""

    permission_required = "finance.import_investments"
    template_name = "finance/investment_import.html"
    form_class = ImportForm

    def form_valid(self, form):
        job, _created = start_job(
            kind="finance.import_investments", title=_("Import investments: %(name)s") % {"name": form.cleaned_data["file"].name},
            by=self.request.user, task=tasks.import_investments, input_file=form.cleaned_data["file"],
            origin=(reverse("finance:investment_import"), _("the investment import")),
            next_step=(reverse("finance:investment_list"), _("View the investments")),
        )
        return redirect(reverse("job", args=[job.pk]))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "columns": domain.COLUMNS,
                "rounds": [label for _v, label in Investment.Round.choices]}


class InvestmentTemplateView(FinancePermissionMixin, View):
    permission_required = "finance.import_investments"

    def get(self, request):
        return xlsx_response(self.request, domain.write_template, "investments-template.xlsx")
