"""Finance institutions: the office sees and edits all; a bureau those of its region."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, ListView, UpdateView

from pojian.forms import LockedFormViewMixin

from ..forms import InstitutionForm
from ..models import FinanceInstitution
from .common import FinancePermissionMixin, current_cycle, is_office


class InstitutionListView(FinancePermissionMixin, ListView):
    permission_required = "finance.list_institutions"
    template_name = "finance/institution_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = FinanceInstitution.objects.select_related("region").prefetch_related("partnerships")
        if not is_office(self.request.user):
            qs = qs.filter(region_id=self.request.user.region_id)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(name__icontains=q) | qs.filter(uscc__iexact=q)
        return qs

    def get_context_data(self, **kwargs):
        cycle = current_cycle()
        return {**super().get_context_data(**kwargs), "q": self.request.GET.get("q", ""),
                "year": cycle.year if cycle else None}


class InstitutionFormMixin:
    model = FinanceInstitution
    form_class = InstitutionForm
    template_name = "finance/institution_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        institution = form.save(commit=False)
        if self.request.user.role == "bureau":
            institution.region_id = self.request.user.region_id
        institution._history_user = self.request.user
        institution.save()
        messages.success(self.request, _("%(name)s saved.") % {"name": institution.name})
        return redirect(reverse("finance:institution_list"))


class InstitutionCreateView(FinancePermissionMixin, InstitutionFormMixin, CreateView):
    permission_required = "finance.add_institution"


class InstitutionEditView(FinancePermissionMixin, LockedFormViewMixin, InstitutionFormMixin, UpdateView):
    permission_required = "finance.change_institution"
