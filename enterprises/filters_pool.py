"""The pool's filters (django-filter): the office's over the whole pool, a bureau's over its own region."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pojian.models import Region

from .filters import job_filter_data
from .models import PoolEntry, TierRule

NO_TIER = "none"
USCC_LIKE = re.compile(r"^[0-9A-Z]{18}$")


def tier_choices():
    """The tiers any year has (by code; the latest year's name), and 'no tier'."""
    names = {}
    for code, name in TierRule.objects.order_by("year", "rank").values_list("code", "name"):
        names[code] = name
    return [*names.items(), (NO_TIER, _("No tier"))]


class PoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="filter_q")
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.nominating().filter(active=True), empty_label=_("All regions"),
    )
    # The office: any county; a city bureau: its counties (set in __init__); a county bureau: none to choose.
    county = django_filters.ModelChoiceFilter(
        label=_("County"), queryset=Region.objects.counties().order_by("parent__sort_order", "code"),
        empty_label=_("All counties"),
    )
    tier = django_filters.ChoiceFilter(label=_("Tier (latest year)"), choices=tier_choices, method="filter_tier",
                                       empty_label=_("Any tier"))
    status = django_filters.ChoiceFilter(label=_("Pool status"), choices=PoolEntry.Status.choices,
                                         empty_label=_("Any status"))
    entered_via = django_filters.ChoiceFilter(label=_("Entered through"), choices=PoolEntry.Via.choices,
                                              empty_label=_("Any source"))
    entered_year = django_filters.NumberFilter(label=_("Entered in (year)"), field_name="entered_on", lookup_expr="year",
                                               min_value=2000, max_value=2100)

    class Meta:
        model = PoolEntry
        fields = ["q", "region", "county", "tier", "status", "entered_via", "entered_year"]

    def __init__(self, *args, bureau_region=None, bureau_county=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bureau_county is not None:
            # A county bureau's list is its own county's.
            bureau_region = bureau_county
            self.form.fields.pop("county")
            self.filters.pop("county")
        elif bureau_region is not None:
            counties = Region.objects.counties().filter(parent_id=bureau_region).order_by("code")
            self.filters["county"].queryset = counties
            self.form.fields["county"].queryset = counties
        if bureau_region is not None:
            # A bureau's list is its own region's: no region to choose.
            self.form.fields.pop("region")
            self.filters.pop("region")
        # The tiers are read once a request (a callable's choices are read again at each validation and rendering).
        self.tier_names = dict(tier_choices())
        self.form.fields["tier"].choices = list(self.tier_names.items())
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if getattr(field.widget, "allow_multiple_selected", None) is not None \
                else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if USCC_LIKE.match(value.upper()):
            # A code: the unique index answers it (a name never looks like one).
            return queryset.filter(enterprise__uscc=value.upper())
        # The name through its trigram index (PostgreSQL, migration 0121), or the code as stored (upper case, its
        # unique index): an iexact on the code would scan every enterprise.
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(enterprise__uscc=value.upper()))

    def filter_tier(self, queryset, name, value):
        return queryset.filter(tier_code="" if value == NO_TIER else value)


def pool_queryset(*, region_id=None, county_id=None):
    """The pool as the list shows it, newest entry first (one query with its joins); a bureau's: its region's;
    a county bureau's: its county's."""
    qs = PoolEntry.objects.select_related("enterprise", "region", "county").order_by("-pk")
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    return qs


def filter_params(querydict):
    names = PoolFilter.base_filters.keys()
    return {k: querydict.getlist(k) for k in names if querydict.getlist(k)}


def queryset_for_job(job):
    """The filtered pool an export job was asked for (params: filters, region for a bureau's)."""
    data = job_filter_data(job)
    region_id, county_id = job.params.get("region"), job.params.get("county")
    fs = PoolFilter(data, queryset=pool_queryset(region_id=region_id, county_id=county_id), bureau_region=region_id,
                    bureau_county=county_id)
    return fs.qs.order_by("region__sort_order", "region__code", "enterprise__name")
