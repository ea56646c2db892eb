"""Admin pages that answer bad input with a form error or a notice, never a 500 (see test_fuzz_admin).

`harden(site)` gives every registered ModelAdmin:
- autocomplete widgets that ignore ids which are not ids (Django's widget puts the raw sent value
  into a query when it shows an invalid form again: "x" for an integer key raised ValueError);
- a change list whose date hierarchy refuses a year out of the calendar (`?day__year=99999999999`
  raised OverflowError) as the admin refuses any bad filter: the list, with "?e=1";
- for celery-beat's crontabs, a description that says the expression is invalid instead of raising
  (the add page shows it for the values just sent, before they are validated).
"""

import functools

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class WellFormedIdsMixin:
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if self._well_formed(v)], attr)

    def _well_formed(self, value):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        try:
            target.get_prep_value(target.to_python(value))
        except (TypeError, ValueError, OverflowError, ValidationError):
            return False
        return True


class SafeAutocompleteSelect(WellFormedIdsMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(WellFormedIdsMixin, AutocompleteSelectMultiple):
    pass


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as e:  # a date-hierarchy year beyond what a date holds
            raise IncorrectLookupParameters(e) from e


class HardenedAdminMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:  # inline forms have autocomplete widgets too
            if not isinstance(inline, HardenedAdminMixin):
                inline.__class__ = _hardened(inline.__class__)
        return inlines

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if changelist is ChangeList:
            return SafeChangeList
        return changelist


@functools.cache
def _hardened(admin_class):
    return type(admin_class.__name__, (HardenedAdminMixin, admin_class), {})


class SafeCrontabDescriptionMixin:
    @staticmethod
    def _description(obj):
        try:
            return obj.human_readable
        except Exception:  # celery's parser raises its own ParseException for e.g. "-0.5"
            return _("Not a valid crontab expression")

    def human_readable(self, obj):
        return self._description(obj)

    human_readable.short_description = _("Description")


def harden(site):
    from django_celery_beat.models import CrontabSchedule

    for model, model_admin in site._registry.items():
        if isinstance(model_admin, HardenedAdminMixin):
            continue
        mixins = (HardenedAdminMixin,)
        if model is CrontabSchedule:
            mixins = (SafeCrontabDescriptionMixin, *mixins)
        model_admin.__class__ = type(model_admin.__class__.__name__, (*mixins, model_admin.__class__), {})
