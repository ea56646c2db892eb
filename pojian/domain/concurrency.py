"""Optimistic locking: a write names the version it was based on; a stale one is refused."""

from django.db.models import F
from django.utils.translation import gettext as _

from .errors import StaleEdit


def save_versioned(obj, *, expected_version: int, update_fields=None):
    """Save `obj` only if nobody saved it since `expected_version`; bump the version.

    The compare-and-set runs as one UPDATE, so two concurrent saves cannot both win.
    """
    model = type(obj)
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        raise StaleEdit(
            _("Someone else changed this record while you were editing it. Reload the page to see their changes."),
            code="stale",
        )
    obj.version = expected_version + 1
    obj.save(update_fields=update_fields)
    return obj


def check_deferred_constraints(*names):
    """Check deferred constraints now rather than at the commit, so a violation can be answered.

    A deferred unique constraint lets one save swap two values; this ends the grace period
    inside the caller's transaction (PostgreSQL; other databases check every row at once).
    """
    from django.db import connection

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(connection.ops.quote_name(n) for n in names)} IMMEDIATE")


# --- any edited model: a token of the state the form was based on ------------------------------
#
# A model with a `version` field uses it (save_versioned above bumps it). Any other model that keeps
# history (simple-history) uses the id of its latest history record: every save through the ORM
# writes one, so a newer record means someone saved since the form was loaded.


def _is_versioned(model):
    return any(f.name == "version" for f in model._meta.concrete_fields)


def _history_model(model):
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None)


def is_lockable(model):
    return _is_versioned(model) or _history_model(model) is not None


def edit_token(model, pk) -> int:
    """The token an edit form carries: who saves with an older one is refused."""
    if pk is None:
        return 0
    if _is_versioned(model):
        return model._default_manager.filter(pk=pk).values_list("version", flat=True).first() or 0
    history = _history_model(model)
    if history is None:
        return 0
    return history.objects.filter(**{model._meta.pk.attname: pk}).order_by("-history_id").values_list(
        "history_id", flat=True).first() or 0


def changes_since(model, pk, token):
    """What was changed since `token`, by whom and when: one line per saved change, newest last."""
    from django.utils import formats
    from django.utils.translation import gettext as _

    history = _history_model(model)
    if history is None:
        return []
    records = history.objects.filter(**{model._meta.pk.attname: pk}).select_related("history_user")
    if _is_versioned(model):
        before = records.filter(version__lte=token).order_by("-history_id").first()
        after = list(records.filter(version__gt=token).order_by("history_id"))
    else:
        before = records.filter(history_id__lte=token).order_by("-history_id").first()
        after = list(records.filter(history_id__gt=token).order_by("history_id"))
    lines = []
    for record in after:
        user = record.history_user
        who = (getattr(user, "full_name", "") or user.get_full_name() or user.get_username()) if user else _("someone")
        fields = []
        if before is not None:
            for change in record.diff_against(before).changes:
                if change.field == "version":
                    continue
                label = model._meta.get_field(change.field).verbose_name
                fields.append(_("%(field)s: “%(old)s” → “%(new)s”") % {
                    "field": label, "old": _shown(change.old), "new": _shown(change.new)})
        lines.append(_("%(when)s, %(who)s changed %(what)s.") % {
            "when": formats.date_format(record.history_date, "DATETIME_FORMAT"), "who": who,
            "what": "；".join(fields) if fields else _("this record"),
        })
        before = record
    return lines


def _shown(value, limit=60):
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_edit_token(obj, *, token):
    """Refuse an edit based on an old state of `obj`; lock its row when inside a transaction.

    Under the lock (held to the caller's commit) nobody can save in between, so check and save
    are one step. Raises StaleEdit listing what changed since, by whom. For a versioned model the
    version is set for the save that follows.
    """
    from django.db import connection
    from django.utils.translation import gettext as _

    model = type(obj)
    if connection.in_atomic_block:
        list(model._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
    current = edit_token(model, obj.pk)
    if token is None or int(token) != current:
        changes = changes_since(model, obj.pk, int(token or 0))
        raise StaleEdit(
            [_("Someone else changed this record while you were editing it; nothing of yours was saved. "
               "Reload the page to see their changes and make yours again.")] + changes,
            code="stale",
        )
    if _is_versioned(model):
        obj.version = current + 1
