from django.contrib import admin

from pojian.admin_actions import NOMINATION_ACTIONS
from pojian.history import HistoryAdmin

from .models import (
    Incubator,
    IncubatorNomination,
    IncubatorYear,
    PostSubsidy,
    PostSubsidyPublication,
    SubsidyRule,
    Tenancy,
)


class TenancyInline(admin.TabularInline):
    model = Tenancy
    extra = 0
    autocomplete_fields = ["enterprise"]


class IncubatorYearInline(admin.StackedInline):
    model = IncubatorYear
    extra = 0
    fields = [
        "year", ("other_tenants", "other_tenants_source"), ("other_graduated", "other_graduated_source"),
        ("investment_raised", "investment_raised_source"), ("mentors", "mentors_source"),
        ("space_m2", "space_m2_source"), "services",
    ]


class PostSubsidyInline(admin.TabularInline):
    model = PostSubsidy
    extra = 0
    fields = ["year", "amount", "decided_by", "notes"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incubator)
class IncubatorAdmin(HistoryAdmin):
    list_display = ["name", "uscc", "region", "kind", "level", "level_year", "operator"]
    list_filter = ["region", "kind", "level"]
    search_fields = ["name", "uscc", "operator"]
    inlines = [TenancyInline, IncubatorYearInline, PostSubsidyInline]


@admin.register(IncubatorNomination)
class IncubatorNominationAdmin(HistoryAdmin):
    list_display = ["incubator", "region", "cycle", "state", "submitted_at", "decided_at"]
    list_filter = ["cycle", "state", "region", "incubator__kind", "incubator__level"]
    search_fields = ["incubator__name", "incubator__uscc"]
    list_select_related = ["incubator", "region", "cycle"]
    actions = NOMINATION_ACTIONS
    autocomplete_fields = ["incubator"]
    # States change only through the shared workflow (the actions above, or the portal's pages).
    readonly_fields = ["state", "state_reason", "submitted_at", "decided_at", "created_by", "created_at", "updated_at", "version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "cycle", "region", "incubator"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        else:
            obj.version += 1  # a bureau's form loaded before this edit is then refused as stale
        super().save_model(request, obj, form, change)


@admin.register(PostSubsidy)
class PostSubsidyAdmin(HistoryAdmin):
    list_display = ["incubator", "year", "amount", "decided_by", "decided_at"]
    list_filter = ["year", "incubator__region", "incubator__kind"]
    search_fields = ["incubator__name", "incubator__uscc"]
    list_select_related = ["incubator", "decided_by"]
    autocomplete_fields = ["incubator", "nomination"]
    readonly_fields = ["decided_by", "decided_at"]

    def save_model(self, request, obj, form, change):
        obj.decided_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PostSubsidyPublication)
class PostSubsidyPublicationAdmin(HistoryAdmin):
    list_display = ["year", "published_at", "published_by"]
    readonly_fields = ["published_at", "published_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.published_by = request.user
        super().save_model(request, obj, form, change)




@admin.register(SubsidyRule)
class SubsidyRuleAdmin(HistoryAdmin):
    """The year's incubator post-subsidy rule (bands of rank or score, cap, unit)."""

    list_display = ["cycle", "by", "cap", "unit", "applied_at"]
    readonly_fields = ["applied_at"]
