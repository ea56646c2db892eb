from django.contrib import admin

from .models import ApiToken, Push


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The office sees every token and may revoke one; keys are never shown (only their hashes exist)."""

    list_display = ["name", "user", "scope", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "scope", "prefix", "created_by", "created_at", "last_used_at", "revoked_by"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False  # tokens are made through the API or the token page, which shows the key once


@admin.register(Push)
class PushAdmin(admin.ModelAdmin):
    list_display = ["kind", "user", "token", "idempotency_key", "job", "created_at"]
    readonly_fields = ["token", "user", "kind", "idempotency_key", "body_hash", "job", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
