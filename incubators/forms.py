"""Forms for the bureau's nomination pages, the tenants page and the office's post-subsidy list."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from pojian.fields import MoneyField

from .domain.nominations import INCUBATOR_FIELDS
from .models import Incubator, IncubatorNomination, IncubatorYear, Tenancy


def _helper(*layout):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


def _half(*fields):
    return Row(*[Column(f, css_class="col-12 col-md-6") for f in fields])


class ChooseIncubatorForm(forms.Form):
    """Nominate an incubator the portal already knows (of the bureau's region), or leave empty for a new one."""

    existing = forms.ModelChoiceField(
        queryset=Incubator.objects.none(), required=False, label=_("Incubator of your region"),
        empty_label=_("— a new incubator (fill in below) —"),
    )

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = Incubator.objects.filter(region=region).order_by("name")
        self.helper = _helper(Fieldset(_("Incubator"), "existing"))


class IncubatorForm(forms.ModelForm):
    class Meta:
        model = Incubator
        fields = list(INCUBATOR_FIELDS)

    def __init__(self, *args, legend=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Fieldset(
                legend or _("Incubator details"),
                "name", _half("uscc", "kind"), _half("level", "level_year"), "operator", "address",
                _half("contact_person", "contact_phone"),
            )
        )

    def clean(self):
        data = super().clean()
        if data.get("level") and data["level"] != Incubator.Level.NONE and not data.get("level_year"):
            self.add_error("level_year", _("Give the year of the level certificate."))
        return data

    def validate_unique(self):
        # The domain function gives the precise message (this region's incubator, or another region's).
        pass


class YearForm(forms.ModelForm):
    """This year's performance figures that the portal cannot count, each with its source."""

    class Meta:
        model = IncubatorYear
        fields = [
            "other_tenants", "other_tenants_source", "other_graduated", "other_graduated_source",
            "investment_raised", "investment_raised_source", "mentors", "mentors_source",
            "space_m2", "space_m2_source", "services",
        ]
        widgets = {"services": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"investment_raised": MoneyField}
        help_texts = {
            "other_tenants": _("Tenants that are not in the portal; linked tenants are counted by the portal."),
            "other_graduated": _("Graduated tenants that are not in the portal."),
        }

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Fieldset(
                _("Performance in %(year)s") % {"year": year},
                _half("other_tenants", "other_tenants_source"),
                _half("other_graduated", "other_graduated_source"),
                _half("investment_raised", "investment_raised_source"),
                _half("mentors", "mentors_source"),
                _half("space_m2", "space_m2_source"),
                "services",
            )
        )

    def validate_unique(self):
        pass


class NominationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = IncubatorNomination
        fields = ["results", "recommendation", "letter"]
        widgets = {
            "results": forms.Textarea(attrs={"rows": 5}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "letter": forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
        }
        labels = {"recommendation": _("Bureau's recommendation")}
        help_texts = {"letter": _("A PDF of the letter with the bureau's stamp; its content is checked.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["results"].required = True
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.helper = _helper(Fieldset(_("Nomination"), "results", "recommendation", "letter", "version"))

    def validate_unique(self):
        pass


class TenancyForm(forms.ModelForm):
    class Meta:
        model = Tenancy
        fields = ["enterprise", "entered", "graduated"]
        widgets = {"entered": forms.DateInput(attrs={"type": "date"}), "graduated": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises

    def clean(self):
        data = super().clean()
        if data.get("entered") and data.get("graduated") and data["graduated"] < data["entered"]:
            self.add_error("graduated", _("An enterprise cannot graduate before it entered."))
        return data


TenancyFormSet = forms.inlineformset_factory(
    Incubator, Tenancy, form=TenancyForm, extra=3, can_delete=True,
)


def tenancy_formset(incubator, data=None):
    enterprises = Enterprise.objects.filter(region=incubator.region).order_by("name")
    return TenancyFormSet(data, instance=incubator, form_kwargs={"enterprises": enterprises},
                          queryset=incubator.tenancies.select_related("enterprise").order_by("entered"))


class MarkSupportForm(forms.Form):
    nomination = forms.IntegerField(widget=forms.HiddenInput)
    amount = MoneyField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    notes = forms.CharField(label=_("Reason / notes"), required=False, widget=forms.TextInput)


class SubsidyRuleForm(forms.ModelForm):
    """The year's incubator post-subsidy rule, with the year's quota and the line's budget;
    `version` guards against overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    bands = forms.JSONField(
        label=_("bands"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("By rank: [[last rank of the band or null, amount in yuan], …] ascending; by score: "
                    "[[lowest score of the band, amount in yuan], …] descending."))
    quota = forms.IntegerField(label=_("incubator quota"), min_value=0, max_value=1000)
    budget = MoneyField(label=_("budget of the line (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0"),
                        required=False)
    document_no = forms.CharField(label=_("document number (文号)"), max_length=100, required=False)

    class Meta:
        from .models import SubsidyRule

        model = SubsidyRule
        fields = ["by", "bands", "cap", "unit"]
        field_classes = {"cap": MoneyField, "unit": MoneyField}
