"""The office's admin for enterprises and their nominations.

Nominations change state only through the shared workflow (the bulk actions accept / return /
reject ask for the reason once, on an intermediate page); their fields are read-only here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pojian.admin_actions import NOMINATION_ACTIONS
from pojian.history import HistoryAdmin

from .domain.eligibility import CRITERIA, label
from .models import (
    CoreProduct,
    Enterprise,
    EnterpriseNomination,
    EnterpriseYear,
    IPItem,
    Registration,
    Transfer,
    Verdict,
)


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0


class EnterpriseYearInline(admin.StackedInline):
    model = EnterpriseYear
    extra = 0
    fieldsets = [
        (None, {"fields": [("year",), ("revenue", "rd_expense", "total_assets"), ("employees", "tech_staff")]}),
        (_("Tax data"), {"fields": [("revenue_tax", "rd_expense_tax", "total_assets_tax", "employees_tax"), "tax_imported_at"]}),
    ]
    readonly_fields = ["tax_imported_at"]


class IPItemInline(admin.TabularInline):
    model = IPItem
    extra = 0


class TransferInline(admin.TabularInline):
    model = Transfer
    extra = 0


class CoreProductInline(admin.StackedInline):
    model = CoreProduct
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(HistoryAdmin):
    list_display = ["name", "uscc", "region", "industry", "is_high_tech"]
    list_filter = ["region", "industry", "is_high_tech"]
    search_fields = ["name", "uscc"]
    list_select_related = ["region"]
    inlines = [RegistrationInline, EnterpriseYearInline, IPItemInline, TransferInline, CoreProductInline]


class VerdictFilter(admin.SimpleListFilter):
    title = _("四科 check")
    parameter_name = "verdict"

    def lookups(self, request, model_admin):
        return [("yes", _("Meets the standard")), ("no", _("Does not meet it")), ("none", _("Not checked yet"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "yes":
            return queryset.filter(verdict__eligible=True)
        if value == "no":
            return queryset.filter(verdict__eligible=False)
        if value == "none":
            return queryset.filter(verdict__isnull=True)
        return queryset


class FailedCriterionFilter(admin.SimpleListFilter):
    title = _("criterion not met")
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [(c, label(c)) for c in CRITERIA]

    def queryset(self, request, queryset):
        if self.value() in CRITERIA:
            return queryset.filter(**{f"verdict__fail_{self.value()}": True})
        return queryset


class VerdictInline(admin.StackedInline):
    model = Verdict
    extra = 0
    can_delete = False
    fields = ["eligible", "failed_criteria", "explanation_text", "checked_at"]
    readonly_fields = fields

    @admin.display(description=_("criteria not met"))
    def failed_criteria(self, obj):
        return "、".join(str(label(c)) for c in obj.failed) or "—"

    @admin.display(description=_("explanation"))
    def explanation_text(self, obj):
        from django.utils.html import format_html_join

        from .domain.eligibility import describe

        return format_html_join("", "<div>{}</div>", ((describe(e),) for e in obj.explanation))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EnterpriseNomination)
class EnterpriseNominationAdmin(HistoryAdmin):
    list_display = ["enterprise", "region", "cycle", "state", "eligible", "failed_criteria", "submitted_at"]
    list_filter = ["cycle", "region", "state", VerdictFilter, FailedCriterionFilter, "enterprise__is_high_tech"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "region", "cycle", "verdict"]
    actions = NOMINATION_ACTIONS
    inlines = [VerdictInline]
    readonly_fields = [
        "enterprise", "cycle", "region", "state", "state_reason", "recommendation", "letter", "created_by",
        "created_at", "updated_at", "submitted_at", "decided_at", "version",
    ]
    fields = readonly_fields

    @admin.display(description=_("四科"), boolean=True)
    def eligible(self, obj):
        verdict = getattr(obj, "verdict", None)
        return None if verdict is None else verdict.eligible

    @admin.display(description=_("criteria not met"))
    def failed_criteria(self, obj):
        verdict = getattr(obj, "verdict", None)
        return "、".join(str(label(c)) for c in verdict.failed) if verdict else ""

    def has_add_permission(self, request):
        return False  # bureaus nominate, on their pages

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
