"""The contract subsidy's applications and receipt checks in the administration: read-only there
(they change through the workflow's pages, techtransfer/views_subsidy.py)."""

from django.contrib import admin

from funding.admin import ReadOnlyAdmin as ReadOnly

from .models import PaymentCheck, SubsidyApplication


@admin.register(SubsidyApplication)
class SubsidyApplicationAdmin(ReadOnly):
    list_display = ["enterprise", "rule", "region", "state", "granted"]
    list_filter = ["rule", "state", "region"]
    search_fields = ["enterprise__name"]


@admin.register(PaymentCheck)
class PaymentCheckAdmin(ReadOnly):
    list_display = ["payment", "state", "checked_by", "checked_at"]
    list_filter = ["state"]
