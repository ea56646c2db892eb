"""The view mixin every portal view uses: a django-rules permission, checked per object.

Anonymous visitors are sent to the login page; a signed-in user without the permission gets
403. Views name their permission; `get_permission_object` decides what it is checked on.
"""

from django.contrib import messages
from rules.contrib.views import PermissionRequiredMixin

from .domain.errors import PermissionDenied, ValidationError


class PortalPermissionMixin(PermissionRequiredMixin):
    permission_required: str | tuple = ()

    def get_permission_object(self):
        # List and create views check the permission without an object; detail views on it.
        if hasattr(self, "get_object") and getattr(self, "pk_url_kwarg", None) in self.kwargs:
            return self.get_object()
        return None


def message_for(error: Exception) -> str:
    """The user-facing text of a domain error."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def run_domain(request, fn, *args, **kwargs):
    """Call a domain function; show its refusal as a message instead of a 500. Returns success."""
    try:
        fn(*args, **kwargs)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, message_for(e))
        return False
    return True
