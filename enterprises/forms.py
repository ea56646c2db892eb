"""The bureau's forms: the enterprise, the nomination with its figures, results, and the batch import."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pojian.domain.uploads import PDF, XLSX, validate_upload
from pojian.domain.uscc import is_valid, normalise
from pojian.fields import MoneyField
from pojian.validators import MAX_COUNT, validate_uscc

from .domain.nominations import ENTERPRISE_FIELDS, IP_FIELDS, PRODUCT_FIELDS, TRANSFER_FIELDS, uscc_problem
from .models import MONEY, CoreProduct, Enterprise, IPItem, Rulebook, Transfer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def checked_upload(kind, what):
    """A field validator: the file's content must be `kind` (PDF, XLSX) and within the upload limit."""

    def validate(f):
        from django.conf import settings

        try:
            validate_upload(f, kinds=[kind])
        except ValidationError as e:
            if e.code == "too_large":
                raise ValidationError(
                    gettext("The %(what)s is %(size)s; it may be at most %(max)s.") % {
                        "what": what, "size": filesizeformat(f.size), "max": filesizeformat(settings.UPLOAD_MAX_BYTES)},
                    code="too_large") from e
            if e.code == "empty":
                raise ValidationError(gettext("The %(what)s is an empty file.") % {"what": what}, code="empty") from e
            raise ValidationError(
                gettext("The %(what)s must be a %(kind)s file; its content was checked, not its name.") % {
                    "what": what, "kind": {PDF: "PDF", XLSX: "Excel (.xlsx)"}[kind]},
                code="wrong_type") from e

    return validate


def _helper(*rows):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if rows:
        helper.layout = Layout(*[
            Row(*[Column(name, css_class=f"col-12 col-md-{12 // len(row) if len(row) < 4 else 3}") for name in row])
            for row in rows
        ])
    return helper


class ChooseEnterpriseForm(forms.Form):
    """On the create page: start from an enterprise already in the region's register (GET)."""

    enterprise = forms.ModelChoiceField(
        label=_("Existing enterprise of your region"), queryset=Enterprise.objects.none(), required=False,
        empty_label=_("— a new enterprise —"),
    )

    def __init__(self, *args, region=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A county bureau's choice is its county's enterprises (enterprises.domain.county.nominable_enterprises).
        qs = enterprises if enterprises is not None else Enterprise.objects.filter(region=region)
        self.fields["enterprise"].queryset = qs.order_by("name")


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS
        widgets = {"founded_on": DATE, "high_tech_cert_expires": DATE}

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["uscc"].help_text = _("18 characters; the check character is verified.")
        # The check character is verified in clean_uscc, with this form's own message.
        self.fields["uscc"].validators = [v for v in self.fields["uscc"].validators if v is not validate_uscc]
        self.helper = _helper(
            ("name", "uscc"), ("address", "industry"), ("contact_person", "contact_phone", "founded_on"),
            ("is_high_tech", "high_tech_cert_no", "high_tech_cert_expires"),
        )

    def clean_uscc(self):
        uscc = normalise(self.cleaned_data.get("uscc"))
        if not is_valid(uscc):
            raise forms.ValidationError(
                _("“%(value)s” is not a valid unified social credit code: it needs 18 characters and a correct "
                  "check character (GB 32100-2015)."), code="invalid_uscc", params={"value": uscc})
        if self.instance.pk and uscc == self.instance.uscc:
            return uscc
        problem = uscc_problem(uscc, region=self.region, exclude_pk=self.instance.pk)
        if problem:
            raise forms.ValidationError(problem, code="uscc_taken")
        return uscc

    def validate_unique(self):
        # The USCC's uniqueness is checked in clean_uscc, with a message that names the region.
        pass

    def clean(self):
        data = super().clean()
        if data.get("is_high_tech"):
            if not data.get("high_tech_cert_no"):
                self.add_error("high_tech_cert_no", _("A high-tech enterprise needs its certificate number."))
            if not data.get("high_tech_cert_expires"):
                self.add_error("high_tech_cert_expires", _("A high-tech enterprise needs its certificate's expiry date."))
        return data

    def values(self):
        return {name: self.cleaned_data.get(name) for name in ENTERPRISE_FIELDS}


def _money(label):
    return MoneyField(label=label, max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"])


class NominationForm(forms.Form):
    """The nomination: the registration, the year's figures, the recommendation and the letter."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    registration_number = forms.CharField(
        label=_("Tech SME registration number for the year"), max_length=40, required=False,
        help_text=_("The 入库登记编号 valid for this year; without it the 四科 check fails."),
    )
    revenue = _money(_("Sales revenue"))
    rd_expense = _money(_("R&D expense"))
    total_assets = _money(_("Total assets"))
    employees = forms.IntegerField(label=_("Employees"), min_value=0, max_value=MAX_COUNT)
    tech_staff = forms.IntegerField(label=_("S&T staff"), min_value=0, max_value=MAX_COUNT)
    recommendation = forms.CharField(
        label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("The bureau's reasons for recommending the enterprise."),
    )
    letter = forms.FileField(
        label=_("Stamped recommendation letter (PDF)"), required=False, validators=[checked_upload(PDF, _("letter"))],
        help_text=_("A scan of the signed and stamped letter, PDF only. A new file replaces the one uploaded before."),
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            ("registration_number",), ("revenue", "rd_expense", "total_assets"), ("employees", "tech_staff"),
            ("recommendation",), ("letter",), ("version",),
        )

    def clean(self):
        data = super().clean()
        employees, tech_staff = data.get("employees"), data.get("tech_staff")
        if employees is not None and tech_staff is not None and tech_staff > employees:
            self.add_error("tech_staff", _("There cannot be more S&T staff than employees."))
        return data

    def figures(self):
        return {name: self.cleaned_data[name] for name in ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")}


class IPItemForm(forms.ModelForm):
    class Meta:
        model = IPItem
        fields = IP_FIELDS
        widgets = {"granted_on": DATE}

    def clean(self):
        data = super().clean()
        if data.get("high_value") and not (data.get("high_value_reason") or "").strip():
            self.add_error("high_value_reason", _("Say why the item is high-value."))
        return data


class TransferForm(forms.ModelForm):
    class Meta:
        model = Transfer
        fields = TRANSFER_FIELDS
        widgets = {"date": DATE}
        field_classes = {"amount": MoneyField}

    def clean_contract_no(self):
        return (self.cleaned_data.get("contract_no") or "").strip()

    def _post_clean(self):
        super()._post_clean()
        number = self.cleaned_data.get("contract_no") if hasattr(self, "cleaned_data") else None
        enterprise_id = getattr(self.instance, "enterprise_id", None)
        if number and enterprise_id and Transfer.objects.filter(enterprise_id=enterprise_id, contract_no=number).exclude(
                pk=self.instance.pk).exists():
            self.add_error("contract_no", _("This enterprise already has a transfer with this contract number: each contract counts once."))


class CoreProductForm(forms.ModelForm):
    class Meta:
        model = CoreProduct
        fields = PRODUCT_FIELDS
        widgets = {"evidence": forms.Textarea(attrs={"rows": 2})}


IPItemFormSet = inlineformset_factory(Enterprise, IPItem, form=IPItemForm, extra=1, can_delete=True)
class BaseTransferFormSet(forms.BaseInlineFormSet):
    """Each contract once: two rows with one contract number are refused, as the database refuses them."""

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            number = (data.get("contract_no") or "").strip()
            if not number:
                continue
            if number in seen:
                form.add_error("contract_no", _("This contract is already listed: each contract counts once."))
            seen[number] = form


TransferFormSet = inlineformset_factory(Enterprise, Transfer, form=TransferForm, formset=BaseTransferFormSet, extra=1,
                                        can_delete=True)
CoreProductFormSet = inlineformset_factory(Enterprise, CoreProduct, form=CoreProductForm, extra=1, can_delete=True)

FORMSETS = (
    ("ip", IPItemFormSet, IP_FIELDS, _("Intellectual property")),
    ("transfers", TransferFormSet, TRANSFER_FIELDS, _("Achievement transfers")),
    ("products", CoreProductFormSet, PRODUCT_FIELDS, _("Core-technology products")),
)


def formset_rows(formset, fields):
    """The wanted set of items as dicts (with "id" for existing ones), deleted and empty forms left out."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        row = {name: data.get(name) for name in fields}
        if form.instance.pk:
            row["id"] = form.instance.pk
        rows.append(row)
    return rows


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in template (.xlsx)"), validators=[checked_upload(XLSX, _("file"))],
        help_text=_("The workbook downloaded above, one enterprise a row."),
    )


class RulebookForm(forms.ModelForm):
    """The office's edit of a year's rulebook; a reason is required once the year's check ran on it."""

    high_value_kinds = forms.MultipleChoiceField(
        label=_("IP kinds that count as high-value"), choices=IPItem.Kind.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("By default valid invention patents; tick the other kinds that count this year."),
    )
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    class Meta:
        model = Rulebook
        fields = list(Rulebook.VALUES)
        widgets = {"previous_registration_until": DATE}

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required
        if reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _(
                "The year's check has already run on these rules: the change makes a new version, and the check runs again.")
        self.helper = _helper(
            ("revenue_max", "revenue_op"), ("employees_max", "employees_op"), ("tech_staff_percent", "tech_staff_op"),
            ("results_min", "results_op"), ("rd_percent", "rd_op"), ("figures_year", "previous_registration_until"),
            ("high_value_kinds",), ("lapsed_counts", "transfers_need_contract"), ("reason",),
        )

    def clean_figures_year(self):
        value = self.cleaned_data["figures_year"]
        if value > self.instance.year:
            raise forms.ValidationError(_("The figures year cannot be after the programme year."))
        return value

    def values(self):
        return {name: self.cleaned_data[name] for name in Rulebook.VALUES}
