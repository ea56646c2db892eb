from django import forms
from django.utils.translation import gettext_lazy as _

from pojian.domain.uploads import PDF, ContentTypeValidator

from .models import Payment, Project


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ApproveForm(forms.Form):
    override_reason = forms.CharField(label=_("reason for exceeding the budget (approvers only)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["tranche", "paid_on", "document_no", "amount", "account"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"})}


class AmountChangeForm(forms.Form):
    new_amount = forms.DecimalField(label=_("new amount (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RecoveryForm(forms.Form):
    amount = forms.DecimalField(label=_("amount recovered (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PdfForm(forms.Form):
    file = forms.FileField(label=_("file (PDF)"), validators=[ContentTypeValidator(PDF)])


class AcceptanceApplicationForm(PdfForm):
    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("final report (PDF)")
        for i, indicator in enumerate(project.indicators):
            self.fields[f"reached_{i}"] = forms.CharField(
                label=_("%(name)s reached (target %(target)s %(unit)s)")
                % {"name": indicator["name"], "target": indicator["target"], "unit": indicator.get("unit", "")})
        self.project = project

    def reached(self):
        return {ind["name"]: self.cleaned_data[f"reached_{i}"] for i, ind in enumerate(self.project.indicators)}


class AcceptanceDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("acceptance outcome"), choices=Project.Outcome.choices)
    experts = forms.ModelMultipleChoiceField(label=_("acceptance experts"), queryset=None)
    note = forms.CharField(label=_("acceptance opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        from reviews.models import Expert

        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = Expert.objects.filter(active=True).order_by("name")


class ProjectForm(forms.ModelForm):
    indicators_text = forms.CharField(
        label=_("indicators"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: name | target | unit"))

    class Meta:
        model = Project
        fields = ["title", "goals", "starts_on", "ends_on", "self_funding", "midterm_due", "acceptance_due"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("starts_on", "ends_on", "midterm_due", "acceptance_due")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators_text"].initial = "\n".join(
            " | ".join([i.get("name", ""), str(i.get("target", "")), i.get("unit", "")]) for i in self.instance.indicators)

    def clean_indicators_text(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["indicators_text"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise forms.ValidationError(_("Line %(n)s: give a name and a target, separated by |.") % {"n": n})
            rows.append({"name": parts[0], "target": parts[1], "unit": parts[2] if len(parts) > 2 else ""})
        if not rows:
            raise forms.ValidationError(_("Give at least one indicator."))
        return rows


class OpenProjectsForm(forms.Form):
    amount = forms.DecimalField(label=_("provincial funding per project (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    starts_on = forms.DateField(label=_("term starts"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("term ends"), widget=forms.DateInput(attrs={"type": "date"}))


# --- 验收 as a review round (funding.domain.acceptance) --------------------------------------------


class AcceptanceRoundForm(forms.Form):
    projects = forms.ModelMultipleChoiceField(label=_("Projects"), queryset=None, widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(label=_("Title"), required=False, max_length=120)
    pass_score = forms.DecimalField(label=_("Pass score (out of 100)"), min_value=0, max_value=100, max_digits=5,
                                    decimal_places=2, initial=60)
    experts_per_item = forms.IntegerField(label=_("Experts per project"), min_value=1, max_value=15, initial=3)
    max_load = forms.IntegerField(label=_("Maximum projects per expert"), min_value=1, max_value=500, initial=20)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = projects
        self.fields["projects"].label_from_instance = lambda p: f"{p.number} · {p.enterprise.name} · {p.title}"


class AcceptanceItemDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Office decision"), required=False,
                                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", _("— by the pass score —")), *Project.Outcome.choices]


class RdRuleForm(forms.ModelForm):
    """The year's R&D post-subsidy rule; `version` guards against overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    bands = forms.JSONField(label=_("bands"), widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("Marginal bands on the base: [[upper bound in yuan or null, rate], …]."))

    class Meta:
        from .rd_models import RdSubsidyRule

        model = RdSubsidyRule
        fields = ["figures_year", "require_registration", "min_expense", "min_intensity", "require_growth", "base",
                  "bands", "cap", "unit", "verification_days", "notice_days"]


class RdExclusionImportForm(forms.Form):
    file = forms.FileField(label=_("exclusion list (Excel: 统一社会信用代码, 企业名称, 原因)"))


class RdNoticeForm(forms.Form):
    starts = forms.DateField(label=_("public notice starts"), widget=forms.DateInput(attrs={"type": "date"}))
