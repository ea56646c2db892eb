"""Cancelling a technology contract (the bureau of its region or the office), and the 推介 made of an
institution's results (its results managers). Each view names its rule (rules_contracts.py)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from pojian.mixins import PortalPermissionMixin, run_domain

from .domain import contract_changes, recommended
from .models import TechContract


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason for cancelling"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    edit_token = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ContractCancelView(PortalPermissionMixin, View):
    """POST: cancel the contract with a reason (it stays on record and stops counting)."""

    permission_required = "techtransfer.cancel_contract"

    def get_permission_object(self):
        if not hasattr(self, "_contract"):
            self._contract = get_object_or_404(TechContract.objects.select_related("enterprise"), pk=self.kwargs["pk"])
        return self._contract

    def post(self, request, pk):
        contract = self.get_permission_object()
        form = CancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why the contract is cancelled."))
        elif run_domain(request, contract_changes.cancel_contract, contract, by=request.user,
                        reason=form.cleaned_data["reason"], edit_token=form.cleaned_data.get("edit_token")):
            messages.success(request, _("The contract %(number)s is cancelled; it no longer counts.") % {
                "number": contract.registration_number})
        return redirect("techtransfer:contract", pk=contract.pk)


class OwnRecommendationsView(PortalPermissionMixin, ListView):
    """A results manager: the 推介 made of the institution's results — who recommended which result to
    which enterprise, when, and the 意向 that followed."""

    permission_required = "techtransfer.list_own_recommendations"
    template_name = "techtransfer/own_recommendations.html"
    paginate_by = 50

    def get_queryset(self):
        return recommended.of_own_results(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = recommended.with_interests(ctx["object_list"])
        return ctx
