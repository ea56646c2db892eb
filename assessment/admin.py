from django.contrib import admin, messages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pojian.admin_actions import accept_selected, return_selected
from pojian.history import HistoryAdmin
from pojian.models import Cycle

from .forms import IndicatorAdminForm
from .models import Assessment, BureauSummary, Indicator, IndicatorResult, LocalPolicy, OfficeEntry, RegionResult


class LocalPolicyInline(admin.TabularInline):
    model = LocalPolicy
    extra = 0
    fields = ["title", "number", "issued_on", "link", "file"]


@admin.register(BureauSummary)
class BureauSummaryAdmin(HistoryAdmin):
    list_display = ["region", "cycle", "state", "submitted_at", "decided_at", "updated_at"]
    list_filter = ["cycle", "state", "region"]
    search_fields = ["region__name", "work_done"]
    readonly_fields = ["state", "state_reason", "submitted_at", "decided_at", "created_by", "created_at", "updated_at"]
    fields = ["cycle", "region", "work_done", "experience", "problems", "report", *readonly_fields]
    inlines = [LocalPolicyInline]
    # State changes go through the shared life cycle (accept / return with a reason), never a plain edit.
    actions = [accept_selected, return_selected]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "cycle", "region"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj._change_reason = "admin edit"
        obj.version += 1
        super().save_model(request, obj, form, change)


@admin.action(description=gettext_lazy("Copy the selected indicators to the current year"), permissions=["add"])
def copy_to_current_year(modeladmin, request, queryset):
    cycle = Cycle.objects.current()
    if cycle is None:
        modeladmin.message_user(request, _("No programme year is current."), messages.ERROR)
        return
    copied, skipped = 0, []
    for indicator in queryset:
        if indicator.cycle_id == cycle.pk:
            skipped.append(indicator.name)
            continue
        try:
            with transaction.atomic():
                Indicator.objects.create(
                    cycle=cycle, code=indicator.code, name=indicator.name, description=indicator.description,
                    weight=indicator.weight, source=indicator.source, computation=indicator.computation,
                    scoring=indicator.scoring, bands=indicator.bands, order=indicator.order,
                )
            copied += 1
        except IntegrityError:
            skipped.append(indicator.name)
    if copied:
        modeladmin.message_user(
            request, _("%(n)d indicators copied to %(year)s.") % {"n": copied, "year": cycle.year}, messages.SUCCESS
        )
    if skipped:
        modeladmin.message_user(
            request, _("Already in %(year)s, not copied: %(names)s") % {"year": cycle.year, "names": "、".join(skipped)},
            messages.WARNING,
        )


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    form = IndicatorAdminForm
    list_display = ["name", "cycle", "code", "weight", "source", "computation", "scoring", "order"]
    list_editable = ["weight", "order"]
    list_filter = ["cycle", "source", "scoring"]
    search_fields = ["name", "code"]
    actions = [copy_to_current_year]


@admin.register(OfficeEntry)
class OfficeEntryAdmin(HistoryAdmin):
    list_display = ["indicator", "region", "value", "note", "entered_by", "entered_at"]
    list_filter = ["indicator__cycle", "indicator"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class RegionResultInline(admin.TabularInline):
    model = RegionResult
    extra = 0
    can_delete = False
    fields = ["rank", "region", "total", "commended", "commendation_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(HistoryAdmin):
    """Read-only here: computing, commending and publishing are done on the assessment pages."""

    list_display = ["cycle", "computed_at", "published_at"]
    readonly_fields = ["cycle", "computed_at", "computed_by", "published_at", "published_by", "public_note"]
    inlines = [RegionResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndicatorResult)
class IndicatorResultAdmin(admin.ModelAdmin):
    list_display = ["indicator", "region", "value", "score", "weighted", "note"]
    list_filter = ["assessment__cycle", "indicator", "region"]
    readonly_fields = ["assessment", "indicator", "region", "value", "score", "weighted", "note", "facts", "items"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
