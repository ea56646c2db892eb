"""The office edits funding lines and budgets in the admin; grants, payments and projects change
only through the funding pages (their domain functions), so the admin shows them read-only."""

from django.contrib import admin

from pojian.history import HistoryAdmin

from .models import AmountChange, Budget, FundingLine, Grant, Payment, Project, RdSubsidyRule


@admin.register(FundingLine)
class FundingLineAdmin(HistoryAdmin):
    list_display = ["name", "code", "requires_notice", "sort_order", "active"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Budget)
class BudgetAdmin(HistoryAdmin):
    list_display = ["cycle", "line", "amount", "document_no"]
    list_filter = ["cycle", "line"]


class ReadOnlyAdmin(HistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["beneficiary_name", "line", "cycle", "region", "state", "amount", "paid_amount"]
    list_filter = ["cycle", "line", "state", "region"]
    search_fields = ["beneficiary_name"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["grant", "tranche", "paid_on", "document_no", "amount", "state", "recorded_by", "confirmed_by"]
    list_filter = ["state", "grant__line", "grant__cycle"]


@admin.register(AmountChange)
class AmountChangeAdmin(ReadOnlyAdmin):
    list_display = ["grant", "old_amount", "new_amount", "state", "requested_by", "decided_by"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "enterprise", "region", "state", "outcome", "midterm_due", "acceptance_due"]
    list_filter = ["cycle", "state", "outcome", "region"]
    search_fields = ["number", "title", "enterprise__name"]


@admin.register(RdSubsidyRule)
class RdSubsidyRuleAdmin(HistoryAdmin):
    """The year's R&D post-subsidy rule; the office edits it on its page (funding:rd_rule)."""

    list_display = ["cycle", "state", "base", "cap", "unit", "computed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
