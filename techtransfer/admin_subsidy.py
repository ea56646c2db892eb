"""The contract subsidy's applications and receipt checks in the administration: read-only there
(they change through the workflow's pages, techtransfer/views_subsidy.py)."""

from django.contrib import admin

from pojian.history import HistoryAdmin

from .models import PaymentCheck, SubsidyApplication


class ReadOnly(HistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubsidyApplication)
class SubsidyApplicationAdmin(ReadOnly):
    list_display = ["enterprise", "rule", "region", "state", "granted"]
    list_filter = ["rule", "state", "region"]
    search_fields = ["enterprise__name"]


@admin.register(PaymentCheck)
class PaymentCheckAdmin(ReadOnly):
    list_display = ["payment", "state", "checked_by", "checked_at"]
    list_filter = ["state"]
