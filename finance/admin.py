from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pojian.admin_actions import NOMINATION_ACTIONS
from pojian.history import HistoryAdmin

from .domain import digests as digest_domain
from .domain import investments as investment_domain
from .models import (
    Digest,
    DigestSettings,
    FinanceInstitution,
    FinanceNomination,
    FinanceSettings,
    Investment,
    Partnership,
    Presentation,
    Roadshow,
    RoadshowCriterion,
    RoadshowScore,
)


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    fields = ["year", "note", "added_by", "added_at"]
    readonly_fields = ["added_by", "added_at"]


@admin.register(FinanceInstitution)
class FinanceInstitutionAdmin(HistoryAdmin):
    list_display = ["name", "uscc", "kind", "region", "registered_capital", "contact_person"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "uscc"]
    filter_horizontal = ["users"]
    inlines = [PartnershipInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, Partnership) and not obj.added_by_id:
                obj.added_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(FinanceNomination)
class FinanceNominationAdmin(HistoryAdmin):
    list_display = ["institution", "region", "cycle", "state", "submitted_at", "decided_at"]
    list_filter = ["cycle", "state", "region", "institution__kind"]
    search_fields = ["institution__name", "institution__uscc"]
    readonly_fields = ["state", "state_reason", "submitted_at", "decided_at", "created_by", "created_at", "updated_at", "version"]
    actions = NOMINATION_ACTIONS


@admin.register(Investment)
class InvestmentAdmin(HistoryAdmin):
    list_display = ["institution", "enterprise", "date", "amount", "round", "early_or_small"]
    list_filter = ["round", "early_or_small", "institution__kind"]
    search_fields = ["institution__name", "enterprise__name", "enterprise__uscc"]
    autocomplete_fields = ["institution", "enterprise"]
    readonly_fields = ["early_or_small", "reason", "created_by", "created_at"]

    @admin.display(description=_("basis"))
    def reason(self, obj):
        return obj.reason

    def save_model(self, request, obj, form, change):
        # One path for every write: 投早投小 is decided by the domain function.
        fields = {f: getattr(obj, f) for f in ("institution", "enterprise", "date", "amount", "round", "note")}
        if change:
            investment_domain.update_investment(Investment.objects.get(pk=obj.pk), by=request.user, **fields)
        else:
            saved = investment_domain.record_investment(**fields, by=request.user)
            obj.pk = saved.pk


@admin.register(Partnership)
class PartnershipAdmin(HistoryAdmin):
    list_display = ["institution", "year", "note", "added_by", "added_at"]
    list_filter = ["year"]
    search_fields = ["institution__name"]
    autocomplete_fields = ["institution"]
    readonly_fields = ["added_by", "added_at"]

    def save_model(self, request, obj, form, change):
        if not obj.added_by_id:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(FinanceSettings)
class FinanceSettingsAdmin(HistoryAdmin):
    list_display = ["__str__", "early_age_years", "small_revenue_limit"]


@admin.register(DigestSettings)
class DigestSettingsAdmin(HistoryAdmin):
    list_display = ["__str__", "frequency", "weekday", "day_of_month", "hour"]
    filter_horizontal = ["regions"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        digest_domain.sync_schedule(form.instance)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["institution", "date", "cycle", "entry_count", "prepared_at"]
    list_filter = ["date", "cycle"]
    search_fields = ["institution__name"]
    readonly_fields = ["institution", "cycle", "date", "fields", "filters", "rows", "prepared_at"]


class PresentationInline(admin.TabularInline):
    model = Presentation
    extra = 3
    autocomplete_fields = ["enterprise"]


class RoadshowCriterionInline(admin.TabularInline):
    model = RoadshowCriterion
    extra = 0


@admin.register(Roadshow)
class RoadshowAdmin(HistoryAdmin):
    list_display = ["title", "date", "place", "cycle", "scoring_open", "scoring_closes"]
    list_filter = ["cycle", "scoring_open"]
    search_fields = ["title", "place"]
    filter_horizontal = ["judges"]
    inlines = [PresentationInline, RoadshowCriterionInline]


@admin.register(RoadshowScore)
class RoadshowScoreAdmin(HistoryAdmin):
    list_display = ["presentation", "judge", "score", "scored_at"]
    list_filter = ["presentation__roadshow"]
    readonly_fields = ["presentation", "judge", "score", "comment", "scored_at"]

    def has_add_permission(self, request):
        return False  # judges score on their pages
