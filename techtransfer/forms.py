from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Demand, Result


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
