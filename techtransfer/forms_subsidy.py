"""Forms of the contract subsidy: the year's rule (with its version for the optimistic lock)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContractSubsidyRule, TechContract


class SubsidyRuleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kinds = forms.MultipleChoiceField(label=_("contract types"), choices=TechContract.Kind.choices,
                                      widget=forms.CheckboxSelectMultiple)
    bands = forms.JSONField(label=_("bands"), widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("Marginal bands on the amount paid: [[upper bound in yuan or null, rate], …]."))

    class Meta:
        model = ContractSubsidyRule
        fields = ["kinds", "in_province_only", "needs_implementation", "min_paid", "bands", "cap", "budget",
                  "applications_open", "applications_close", "notice_days"]
        widgets = {"applications_open": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "applications_close": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
