from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .domain.scoring import bands_as_text, parse_bands
from .models import BureauSummary, Indicator, LocalPolicy


class SummaryForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = BureauSummary
        fields = ["work_done", "experience", "problems", "report"]
        widgets = {
            "work_done": forms.Textarea(attrs={"rows": 6}),
            "experience": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "report": _("The summary report in the format the provincial office issued; PDF or Word (.docx)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        if self.instance.pk and self.instance.report:
            # The current file opens through the protected view, not its storage path under /media/.
            self.fields["report"].widget.download_url = reverse("assessment:summary_report", args=[self.instance.pk])


class LocalPolicyForm(forms.ModelForm):
    class Meta:
        model = LocalPolicy
        fields = ["title", "number", "issued_on", "link", "file"]
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


PolicyFormSet = forms.inlineformset_factory(
    BureauSummary, LocalPolicy, form=LocalPolicyForm, extra=1, can_delete=True, max_num=100, validate_max=True
)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CommendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the commendation"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("Note on the public page"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: e.g. the document the commendation was announced in."),
    )


class OfficeValuesForm(forms.Form):
    """One value and note per region for a typed indicator."""

    def __init__(self, *args, regions, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = regions
        for region in regions:
            entry = entries.get(region.pk)
            self.fields[f"value_{region.pk}"] = forms.DecimalField(
                label=region.name, required=False, max_digits=20, decimal_places=4,
                initial=entry.value.normalize() if entry else None,
            )
            self.fields[f"note_{region.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=300, initial=entry.note if entry else "",
            )

    def rows(self):
        return [(region, self[f"value_{region.pk}"], self[f"note_{region.pk}"]) for region in self.regions]

    def values(self):
        return {
            region: (self.cleaned_data.get(f"value_{region.pk}"), self.cleaned_data.get(f"note_{region.pk}") or "")
            for region in self.regions
        }


class BandsField(forms.CharField):
    """Bands edited as text, one "threshold: points" a line; stored as JSON."""

    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "10: 60\n20: 80\n30: 100"})

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return bands_as_text(value)
        if isinstance(value, str) and value.strip().startswith("["):
            import json

            try:
                return bands_as_text(json.loads(value))
            except ValueError:
                return value
        return value

    def to_python(self, value):
        return parse_bands(value or "")


class IndicatorAdminForm(forms.ModelForm):
    bands = BandsField(
        label=_("bands"), required=False,
        help_text=_("One band a line, “threshold: points”, e.g. “20: 100”. A value at or above a threshold earns "
                    "its points; the highest band reached counts; below the lowest band the score is 0."),
    )

    class Meta:
        model = Indicator
        fields = ["cycle", "order", "code", "name", "description", "weight", "source", "computation", "scoring", "bands"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .domain.computations import COMPUTATION_CHOICES

        self.fields["computation"] = forms.ChoiceField(
            label=_("computation"), required=False, choices=[("", "—")] + COMPUTATION_CHOICES,
            help_text=_("For computed indicators only."),
        )
        self.fields["weight"].initial = Decimal("1")
