"""The API asks the same django-rules permissions as the pages: no second permission system.

A view names `permission_required` (for the endpoint; with `permission_any`, any one of several) and may name `object_permission_required`
(for each object). A system client's token (a scope other than personal) opens only the views
that list its scope in `allowed_scopes`, whatever its owner could do in person.
"""

from rest_framework.permissions import BasePermission

from .models import ApiToken


def token_scope(request):
    return request.auth.scope if isinstance(request.auth, ApiToken) else ApiToken.Scope.PERSONAL


class ScopedRulesPermission(BasePermission):
    def has_permission(self, request, view):
        scope = token_scope(request)
        if scope != ApiToken.Scope.PERSONAL and scope not in getattr(view, "allowed_scopes", ()):
            return False
        required = getattr(view, "permission_required", None)
        if required is None:
            return False  # a view that names nothing is open to nobody
        if isinstance(required, str):
            required = (required,)
        # permission_any: open to whoever has any of them (the office's page permission or the bureau's).
        check = any if getattr(view, "permission_any", False) else all
        return check(request.user.has_perm(p) for p in required)

    def has_object_permission(self, request, view, obj):
        perm = getattr(view, "object_permission_required", None)
        return perm is None or request.user.has_perm(perm, obj)
