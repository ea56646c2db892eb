"""The technology contracts list's filters (django-filter): the page and its export use the same.

The parameters are those of the page's address: q (text in the number, the title or a party's name),
kind, year (of registration), institution and region (ids). A value that cannot be one of them
(nonsense, or out of range) is ignored, never a 500.
"""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q

from .models import TechContract

SEARCH_MAX = 100  # characters of q that count
ID = RegexValidator(r"^[0-9]{1,9}\Z")  # a database id as typed: ASCII digits, no sign, no space
YEAR = RegexValidator(r"^(19|[2-9][0-9])[0-9]{2}\Z")  # 1900 to 9999


def search_text(value):
    return value[:SEARCH_MAX].strip()


class ContractFilter(django_filters.FilterSet):
    # strip=False: a value is taken as typed (" 2024" is nonsense, as the page always read it).
    q = django_filters.CharFilter(method="search", strip=False)
    kind = django_filters.ChoiceFilter(choices=TechContract.Kind.choices)
    year = django_filters.CharFilter(field_name="registered_on", lookup_expr="year", strip=False, validators=[YEAR])
    institution = django_filters.CharFilter(field_name="institution_id", strip=False, validators=[ID])
    region = django_filters.CharFilter(field_name="enterprise__region_id", strip=False, validators=[ID])

    class Meta:
        model = TechContract
        fields = ["q", "kind", "year", "institution", "region"]

    def search(self, queryset, name, value):
        text = search_text(value)
        if not text:
            return queryset
        return queryset.filter(Q(registration_number__contains=text) | Q(title__contains=text)
                               | Q(enterprise__name__contains=text) | Q(institution__name__contains=text))

    def values(self):
        """The filters as applied, as text for the page's form: one ignored as nonsense is blank."""
        self.is_valid()
        values = {name: self.form.cleaned_data.get(name) or "" for name in self.filters}
        values["q"] = search_text(values["q"])
        return values
