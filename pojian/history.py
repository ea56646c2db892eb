"""History and audit entries shown in the user's language and local time, in the portal and the admin.

Domain functions store a short code as simple-history's change reason ("submit", "accept: why",
"select (quota 10)"), so the record stays the same whatever language wrote it. Here the code
becomes words: `change_reason_display` for the reason, `HistoryContextHelper` for the admin's
list of changed fields (the field's name, a choice's label, a local date and time).
"""

import datetime
import re

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

# Every code the domain functions write, with its words.
CHANGE_REASONS = {
    "create": pgettext_lazy("history", "created"),
    "add": pgettext_lazy("history", "added"),
    "edit": pgettext_lazy("history", "edited"),
    "draft": pgettext_lazy("history", "saved as draft"),
    "import": pgettext_lazy("history", "imported"),
    "demo": pgettext_lazy("history", "demo data"),
    "admin edit": pgettext_lazy("history", "edited in the administration"),
    "make_current": pgettext_lazy("history", "made the current year"),
    "close": pgettext_lazy("history", "closed"),
    "reopen": pgettext_lazy("history", "reopened"),
    "compute": pgettext_lazy("history", "computed"),
    "publish": pgettext_lazy("history", "published"),
    "unpublish": pgettext_lazy("history", "publication withdrawn"),
    "withdraw": pgettext_lazy("history", "withdrawn"),
    "clear": pgettext_lazy("history", "cleared"),
    "enter": pgettext_lazy("history", "entered"),
    "remove": pgettext_lazy("history", "removed"),
    "record": pgettext_lazy("history", "recorded"),
    "refresh": pgettext_lazy("history", "refreshed"),
    "rank": pgettext_lazy("history", "ranked"),
    "populate": pgettext_lazy("history", "filled in"),
    "detected": pgettext_lazy("history", "detected automatically"),
    "settings": pgettext_lazy("history", "settings changed"),
    "score": pgettext_lazy("history", "scored"),
    "assign": pgettext_lazy("history", "assigned"),
    "conflict": pgettext_lazy("history", "conflict of interest"),
    "confirm_results": pgettext_lazy("history", "results confirmed"),
    "confirm_assignment": pgettext_lazy("history", "assignment confirmed"),
    "objection upheld": pgettext_lazy("history", "objection upheld"),
    "mark": pgettext_lazy("history", "put on the list"),
    "change": pgettext_lazy("history", "amount changed"),
    "submit": pgettext_lazy("history", "submitted"),
    "return": pgettext_lazy("history", "returned"),
    "accept": pgettext_lazy("history", "accepted"),
    "reject": pgettext_lazy("history", "rejected"),
    "select": pgettext_lazy("history", "selected"),
    "not_select": pgettext_lazy("history", "not selected"),
    "deselect": pgettext_lazy("history", "not selected"),
    "override select": pgettext_lazy("history", "selected by the office's decision"),
    "override deselect": pgettext_lazy("history", "taken off the selection by the office's decision"),
    "forward to city": pgettext_lazy("history", "forwarded to the city bureau"),
    "return to county": pgettext_lazy("history", "returned to the county bureau"),
}
_QUOTA = re.compile(r"^select \(quota (?P<quota>\d+)\)$")
_REASSIGN = re.compile(r"^reassign from (?P<expert>\d+)$")


def _choice_label(model, code):
    for field in model._meta.get_fields() if model is not None else ():
        for value, label in getattr(field, "flatchoices", None) or ():
            if value == code:
                return label
    return None


def change_reason_display(raw, model=None):
    """The words for a stored change reason, e.g. “accept: 材料齐全” → “已受理：材料齐全”."""
    if not raw:
        return ""
    code, sep, rest = raw.partition(": ")
    label = CHANGE_REASONS.get(code)
    if label is None and (m := _QUOTA.match(code)):
        label = gettext("selected within the quota of %(quota)s") % {"quota": m["quota"]}
    if label is None and _REASSIGN.match(code):
        label = gettext("reassigned to another expert")
    if label is None:
        label = _choice_label(model, code)
    if label is None:
        return raw  # free text (an admin's own reason): shown as written
    return gettext("%(action)s: %(detail)s") % {"action": label, "detail": rest} if sep and rest else str(label)


def display_value(field, value):
    """A stored field value as the user reads it: a choice's label, a local time, 是/否, — for nothing."""
    if value is None or value == "":
        return "—"
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        parsed = _parse_datetime(value)
        return display_value(field, parsed) if parsed else value
    return value


def _parse_datetime(text):
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(text)
    except ValueError:
        return None


class HistoryContextHelper(HistoricalRecordContextHelper):
    """The admin's “changes” column: values in the user's language and local time."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):
            return [display_value(field, v) for v in value]
        return display_value(field, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history page shows words and local times, not codes and UTC."""

    object_history_list_template = "simple_history/portal_object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryContextHelper(self.model, historical_record)
