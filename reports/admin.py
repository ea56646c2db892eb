from django.contrib import admin

from .models import AnnualReport, ProgressRelease


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    """Read-only: reports are made from the reports page (or by a schedule)."""

    list_display = ["cycle", "region", "requested_by", "scheduled", "created_at", "finished_at", "pages"]
    list_filter = ["cycle", "region", "scheduled"]
    list_select_related = ["cycle", "region", "requested_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProgressRelease)
class ProgressReleaseAdmin(admin.ModelAdmin):
    list_display = ["cycle", "released_at", "released_by", "note"]
    list_filter = ["cycle"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
