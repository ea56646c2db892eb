import django_filters
from django.utils.translation import gettext_lazy as _

from pojian.models import Cycle, NominationState, Region
from pojian.validators import YEAR_MAX, YEAR_MIN

from .models import FinanceInstitution, FinanceNomination, Investment


class NominationFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(label=_("Programme year"), queryset=Cycle.objects.all())
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.nominating())
    state = django_filters.ChoiceFilter(label=_("State"), choices=NominationState.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="institution__kind",
                                       choices=FinanceInstitution.Kind.choices)
    q = django_filters.CharFilter(label=_("Name or credit code"), method="search")

    class Meta:
        model = FinanceNomination
        fields = ["cycle", "region", "state", "kind", "q"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.role == "bureau":
            del self.filters["region"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(institution__name__icontains=value) | queryset.filter(institution__uscc__iexact=value)


class InvestmentFilter(django_filters.FilterSet):
    institution = django_filters.ModelChoiceFilter(label=_("Institution"), queryset=FinanceInstitution.objects.all())
    round = django_filters.ChoiceFilter(label=_("Round"), choices=Investment.Round.choices)
    early_or_small = django_filters.BooleanFilter(label=_("Early or small (投早投小)"))
    year = django_filters.NumberFilter(label=_("Year"), field_name="date", lookup_expr="year",
                                      min_value=YEAR_MIN, max_value=YEAR_MAX, decimal_places=0)
    q = django_filters.CharFilter(label=_("Enterprise name or credit code"), method="search")

    class Meta:
        model = Investment
        fields = ["institution", "round", "early_or_small", "year", "q"]

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.filters["institution"].queryset = institutions

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(enterprise__name__icontains=value) | queryset.filter(enterprise__uscc__iexact=value)
