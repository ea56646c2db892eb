from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.views.office import RegistrationImportForm
from pojian.fields import MoneyField
from pojian.forms import LockedEditMixin

from .models import Demand, Result, TechContract


class ResultForm(forms.ModelForm):
    cooperation_modes = forms.MultipleChoiceField(label=_("cooperation modes"), choices=Result.MODES,
                                                  widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Result
        fields = ["title", "field", "summary", "maturity", "trl", "ip_items", "cooperation_modes", "price_low",
                  "price_high", "contact_name", "contact_phone"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6}), "ip_items": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        low, high = data.get("price_low"), data.get("price_high")
        if low is not None and high is not None and low > high:
            self.add_error("price_high", _("The upper end of the price range is below its lower end."))
        return data


class DemandForm(forms.ModelForm):
    class Meta:
        model = Demand
        fields = ["enterprise", "title", "field", "description", "budget", "deadline", "visibility"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A bureau enters demands for its own region's enterprises only.
        self.fields["enterprise"].queryset = self.fields["enterprise"].queryset.filter(region_id=user.region_id)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ContractForm(LockedEditMixin, forms.ModelForm):
    """A bureau enters or edits a registered contract of its region's enterprises (optimistic lock on edits)."""

    class Meta:
        model = TechContract
        fields = ["registration_number", "registered_on", "kind", "title", "enterprise", "enterprise_role",
                  "institution", "result", "contract_amount", "tech_amount", "implementation"]
        widgets = {"registered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "implementation": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"contract_amount": MoneyField, "tech_amount": MoneyField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        enterprises = self.fields["enterprise"].queryset
        if getattr(user, "role", "") == "bureau":
            enterprises = enterprises.filter(region_id=user.region_id)
        self.fields["enterprise"].queryset = enterprises.order_by("name")
        self.fields["result"].queryset = Result.objects.filter(state=Result.State.PUBLISHED)

    def clean(self):
        data = super().clean()
        amount, tech = data.get("contract_amount"), data.get("tech_amount")
        if amount is not None and tech is not None and tech > amount:
            self.add_error("tech_amount", _("The technology transaction value cannot exceed the contract value."))
        return data


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = MoneyField(label=_("amount (yuan)"), min_value=Decimal("0.01"))
    invoice_number = forms.CharField(label=_("invoice or receipt number"), max_length=60)
    receipt = forms.FileField(label=_("receipt (PDF)"), required=False)


class ContractImportForm(forms.Form):
    file = forms.FileField(
        label=_("Contract registration list (.xlsx or .csv)"),
        help_text=_("As the technology market exports it (UTF-8 or GBK). Every bad row is listed and nothing is "
                    "imported until all rows are correct."),
    )

    clean_file = RegistrationImportForm.clean_file
