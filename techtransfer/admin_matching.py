"""The admin's view of 双千 matching (the office works on the portal pages; this is for looking up)."""

from django.contrib import admin

from pojian.history import HistoryAdmin

from .models import AccountRequest, Interest, MatchEvent, MatchRecord, Recommendation


@admin.register(AccountRequest)
class AccountRequestAdmin(HistoryAdmin):
    list_display = ["full_name", "email", "institution", "institution_name", "state", "submitted_on"]
    list_filter = ["state", "kind"]
    search_fields = ["full_name", "email", "institution_name"]
    readonly_fields = ["submitted_from", "submitted_on", "decided_by", "decided_at", "user"]


@admin.register(Recommendation)
class RecommendationAdmin(HistoryAdmin):
    list_display = ["result", "enterprise", "region", "created_by", "created_at"]
    list_filter = ["region"]
    search_fields = ["result__title", "enterprise__name"]
    raw_id_fields = ["result", "enterprise"]


@admin.register(Interest)
class InterestAdmin(HistoryAdmin):
    list_display = ["result", "enterprise", "side", "region", "created_at"]
    list_filter = ["side", "region"]
    search_fields = ["result__title", "enterprise__name"]
    raw_id_fields = ["result", "enterprise", "demand"]


@admin.register(MatchRecord)
class MatchRecordAdmin(HistoryAdmin):
    list_display = ["enterprise", "result", "status", "met_on", "region"]
    list_filter = ["status", "region"]
    search_fields = ["result__title", "enterprise__name"]
    raw_id_fields = ["result", "enterprise", "demand", "event", "contract"]


@admin.register(MatchEvent)
class MatchEventAdmin(HistoryAdmin):
    list_display = ["title", "held_on", "place", "region"]
    list_filter = ["region"]
    search_fields = ["title"]
    filter_horizontal = ["enterprises", "institutions"]
