"""Optimistic locking for every admin page that edits a model with a version or a history.

`protect(site)` gives each registered ModelAdmin of such a model a locked form (pojian.forms.locked):
a save based on what someone else has changed since is refused with what they changed. The admin
runs each change page in a transaction, so the check holds the row until the save commits.
"""

from django.contrib.admin.utils import flatten_fieldsets

from .domain.concurrency import is_lockable
from .forms import locked


class LockedAdminMixin:
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or "edit_token" in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "edit_token"]}), *rest]


def protect(site):
    for model, model_admin in site._registry.items():
        if is_lockable(model) and not isinstance(model_admin, LockedAdminMixin):
            model_admin.form = locked(model_admin.form)
            model_admin.__class__ = type(model_admin.__class__.__name__, (LockedAdminMixin, model_admin.__class__), {})
