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
            cursor.execute("SET CONSTRAINTS %s IMMEDIATE" % ", ".join(connection.ops.quote_name(n) for n in names))
