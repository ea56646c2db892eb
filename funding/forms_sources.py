"""The form on a project's page linking the results and contracts it builds on (双千工程)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .domain import project_sources


class ProjectSourcesForm(forms.Form):
    results = forms.ModelMultipleChoiceField(label=_("results it builds on"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    more_results = forms.CharField(label=_("other results, by catalogue number"), required=False, max_length=200,
                                   help_text=_("The numbers in the catalogue's addresses, separated by commas."))
    contracts = forms.ModelMultipleChoiceField(label=_("contracts it builds on"), queryset=None, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["results"].queryset = project_sources.result_choices(project)
        self.fields["results"].label_from_instance = lambda r: f"{r.title}（{r.institution}）"
        self.fields["contracts"].queryset = project_sources.contract_choices(project)
        self.fields["contracts"].label_from_instance = lambda c: (
            f"{c.registration_number} {c.title}（{c.institution}）")
        self.initial.setdefault("results", list(project.results.values_list("pk", flat=True)))
        self.initial.setdefault("contracts", list(project.contracts.values_list("pk", flat=True)))
        self.initial.setdefault("version", project.version)

    def clean_more_results(self):
        from techtransfer.models import Result

        tokens = [t for t in re.split(r"[\s,，、]+", self.cleaned_data["more_results"].strip()) if t]
        if any(not (t.isascii() and t.isdigit() and len(t) <= 9) for t in tokens):
            raise forms.ValidationError(_("Give catalogue numbers (digits), separated by commas."))
        numbers = [int(t) for t in tokens]
        found = list(Result.objects.filter(pk__in=numbers, state=Result.State.PUBLISHED))
        missing = sorted(set(numbers) - {r.pk for r in found})
        if missing:
            raise forms.ValidationError(_("No published result has the number %(n)s.") % {
                "n": "、".join(map(str, missing))})
        return found

    def chosen_results(self):
        return list({r.pk: r for r in [*self.cleaned_data["results"], *self.cleaned_data["more_results"]]}.values())
