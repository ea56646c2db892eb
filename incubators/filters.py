"""The office's filters on incubator nominations (also used by the export, in the view or the job)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pojian.models import Cycle, NominationState, Region

from .models import Incubator, IncubatorNomination


class IncubatorNominationFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.all(), label=_("Programme year"), empty_label=_("All years")
    )
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.nominating(), label=_("Region"), empty_label=_("All"))
    state = django_filters.ChoiceFilter(choices=NominationState.choices, label=_("State"), empty_label=_("All"))
    kind = django_filters.ChoiceFilter(
        field_name="incubator__kind", choices=Incubator.Kind.choices, label=_("Kind"), empty_label=_("All")
    )
    level = django_filters.ChoiceFilter(
        field_name="incubator__level", choices=Incubator.Level.choices, label=_("Level"), empty_label=_("All")
    )
    q = django_filters.CharFilter(method="search", label=_("Name or credit code"))

    class Meta:
        model = IncubatorNomination
        fields = ["cycle", "region", "state", "kind", "level"]

    def __init__(self, data=None, *args, **kwargs):
        # Without a year chosen, the office sees the current year ("cycle=" chooses all years).
        if data is None or "cycle" not in data:
            data = data.copy() if data is not None else {}
            current = Cycle.objects.current()
            if current is not None:
                data["cycle"] = str(current.pk)
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(incubator__name__icontains=value) | Q(incubator__uscc__iexact=value))


def office_queryset():
    return IncubatorNomination.objects.select_related("incubator", "region", "cycle")
