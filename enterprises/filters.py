"""The office's filters over enterprise nominations (django-filter)."""

import django_filters
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from pojian.models import NominationState, Region

from .domain.eligibility import CRITERIA, label
from .models import EnterpriseNomination

VERDICT_CHOICES = [("yes", _("Meets the standard")), ("no", _("Does not meet it")), ("none", _("Not checked yet"))]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class NominationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="filter_q")
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.nominating().filter(active=True), empty_label=_("All regions"),
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=NominationState.choices, empty_label=_("All states"))
    verdict = django_filters.ChoiceFilter(
        label=_("四科 check"), choices=VERDICT_CHOICES, method="filter_verdict", empty_label=_("Any result"),
    )
    failed = django_filters.ChoiceFilter(
        label=_("Criterion not met"), choices=[(c, label(c)) for c in CRITERIA], method="filter_failed",
        empty_label=_("Any criterion"),
    )
    high_tech = django_filters.ChoiceFilter(
        label=_("High-tech enterprise"), choices=YES_NO, method="filter_high_tech", empty_label=_("Either"),
    )

    class Meta:
        model = EnterpriseNomination
        fields = ["q", "region", "state", "verdict", "failed", "high_tech"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bootstrap's classes on the widgets themselves: the list renders the fields directly,
        # without crispy-forms' per-field templates (a fifth of the office list's request).
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if getattr(field.widget, "allow_multiple_selected", None) is not None \
                else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(enterprise__uscc__iexact=value.upper()))

    def filter_verdict(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(verdict__eligible=True)
        if value == "no":
            return queryset.filter(verdict__eligible=False)
        if value == "none":
            return queryset.filter(verdict__isnull=True)
        return queryset

    def filter_failed(self, queryset, name, value):
        return queryset.filter(**{f"verdict__fail_{value}": True}) if value in CRITERIA else queryset

    def filter_high_tech(self, queryset, name, value):
        return queryset.filter(enterprise__is_high_tech=(value == "yes")) if value in ("yes", "no") else queryset


def office_queryset(cycle):
    """All nominations of a programme year as the office's list shows them (one query with its joins).

    The verdict's explanation and figures (two JSON documents, most of its row) are not read: the
    list shows the outcome and the failed criteria, which are columns of their own.
    """
    return (
        EnterpriseNomination.objects.filter(cycle=cycle)
        .select_related("enterprise", "region", "verdict", "cycle")
        .defer("verdict__stored_explanation", "verdict__stored_figures", "verdict__stored_rules")
    )


def filter_params(querydict):
    """The filter values of a request, JSON-friendly (kept with an export job)."""
    names = NominationFilter.base_filters.keys()
    return {k: querydict.getlist(k) for k in names if querydict.getlist(k)}


def job_filter_data(job):
    """The filter values an export job was started with, as a QueryDict a FilterSet reads."""
    data = QueryDict(mutable=True)
    for key, values in (job.params.get("filters") or {}).items():
        data.setlist(key, values)
    return data


def office_queryset_for_job(job):
    """The filtered queryset an export job was asked for (params: year, filters)."""
    data = job_filter_data(job)
    year = int(job.params["year"])
    fs = NominationFilter(data, queryset=EnterpriseNomination.objects.filter(cycle__year=year))
    return fs.qs.order_by("region__sort_order", "region__code", "enterprise__name")
