from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Industry
from pojian.domain.uploads import PDF, XLSX, validate_upload
from pojian.fields import MoneyField
from pojian.forms import LockedEditMixin
from pojian.models import Region

from .domain import digests as digest_domain
from .models import DigestSettings, FinanceInstitution, FinanceNomination, FinanceSettings, Investment, RoadshowScore


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InstitutionForm(LockedEditMixin, forms.ModelForm):
    class Meta:
        model = FinanceInstitution
        fields = ["name", "uscc", "kind", "region", "registered_capital", "address", "contact_person", "contact_phone",
                  "contact_email"]
        field_classes = {"registered_capital": MoneyField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == "bureau":
            # A bureau adds institutions of its own region only.
            self.fields["region"].queryset = Region.objects.filter(pk=user.region_id)
            self.fields["region"].initial = user.region_id
            self.fields["region"].disabled = True


class NominationForm(forms.ModelForm):
    """A bureau's nomination. `version` carries the version the form was loaded at (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = FinanceNomination
        fields = ["institution", "summary", "recommendation", "letter"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "recommendation": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "summary": _("How the institution invested in the region's tech SMEs: amounts, rounds, results. "
                         "The investments recorded in the portal are listed beside it automatically."),
        }

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = FinanceInstitution.objects.filter(region=region)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None

    def clean_letter(self):
        letter = self.cleaned_data.get("letter")
        if letter and hasattr(letter, "content_type"):  # a new upload
            validate_upload(letter, kinds=[PDF])
        return letter


class InvestmentForm(LockedEditMixin, forms.ModelForm):
    enterprise_uscc = forms.CharField(label=_("Enterprise credit code"), max_length=18)

    class Meta:
        model = Investment
        fields = ["institution", "date", "amount", "round", "note"]
        widgets = {"date": DateInput()}
        field_classes = {"amount": MoneyField}

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions.count() == 1:
            self.fields["institution"].initial = institutions.first().pk
        self.order_fields(["institution", "enterprise_uscc", "date", "amount", "round", "note"])
        if self.instance.pk:
            self.fields["enterprise_uscc"].initial = self.instance.enterprise.uscc

    def clean_enterprise_uscc(self):
        code = self.cleaned_data["enterprise_uscc"].strip().upper()
        enterprise = Enterprise.objects.filter(uscc=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("No enterprise with this credit code is in the portal."))
        self.enterprise = enterprise
        return code

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return date


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        validate_upload(f, kinds=[XLSX])
        return f


class PartnershipForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=FinanceInstitution.objects.all())
    years = forms.CharField(
        label=_("Years"), help_text=_("One or more years, separated by commas, e.g. 2025, 2026."), max_length=100
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_years(self):
        raw = self.cleaned_data["years"].replace("，", ",").replace("、", ",").replace(" ", ",")
        years = set()
        for part in filter(None, (p.strip() for p in raw.split(","))):
            if not part.isdigit() or not 2000 <= int(part) <= 2100:
                raise forms.ValidationError(_("“%(value)s” is not a year."), params={"value": part})
            years.add(int(part))
        if not years:
            raise forms.ValidationError(_("Choose at least one year."))
        return sorted(years)


class FinanceSettingsForm(forms.ModelForm):
    reclassify = forms.BooleanField(
        label=_("Decide 投早投小 again for every recorded investment with these limits"), required=False
    )

    class Meta:
        model = FinanceSettings
        fields = ["early_age_years", "small_revenue_limit"]
        field_classes = {"small_revenue_limit": MoneyField}


class DigestSettingsForm(forms.ModelForm):
    fields = forms.MultipleChoiceField(
        label=_("Shared fields"), choices=digest_domain.field_choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Partners see only these fields."),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Only these regions"), queryset=Region.objects.nominating().filter(active=True), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None chosen: all regions."),
    )
    industries = forms.MultipleChoiceField(
        label=_("Only these industries"), choices=Industry.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all industries."),
    )

    class Meta:
        model = DigestSettings
        fields = ["fields", "regions", "industries", "frequency", "weekday", "day_of_month", "hour"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["regions"] = list(self.instance.regions.values_list("pk", flat=True))


class ScoreForm(forms.ModelForm):
    """0–100, or with the roadshow's score sheet one field per weighted criterion."""

    class Meta:
        model = RoadshowScore
        fields = ["score", "comment"]
        widgets = {"score": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
                   "comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        if self.criteria:
            del self.fields["score"]
            given = {v.criterion_id: v.value for v in self.instance.values.all()} if self.instance.pk else {}
            for c in self.criteria:
                label = f"{c.name}（0–{c.max_score:g}，×{c.weight:g}）"
                self.fields[f"criterion_{c.pk}"] = forms.DecimalField(
                    label=label, min_value=0, max_value=c.max_score, decimal_places=2, help_text=c.guidance,
                    initial=given.get(c.pk),
                )
            self.order_fields([f"criterion_{c.pk}" for c in self.criteria] + ["comment"])

    def values(self):
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}
