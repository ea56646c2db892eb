"""Finding the other apps' data without depending on their code.

The assessment reads what the enterprise, incubator, finance and review apps hold. Their models
are looked up by name when needed (`model("incubators.PostSubsidy")`); a model or field that is
not there (an app not built yet, a field renamed) makes the indicator "not available" — it counts
0 with a note — instead of breaking the assessment.
"""

import hashlib

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Max


def model(label):
    """The model "app.Model", or None when that app or model does not exist."""
    app_label, _, name = label.partition(".")
    if not apps.is_installed(app_label):
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def first_model(*labels):
    for label in labels:
        m = model(label)
        if m is not None:
            return m
    return None


def field_path_exists(m, path) -> bool:
    """Does "a__b__c" lead through real fields of `m`?"""
    current = m
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if i < len(parts) - 1:
            if not field.is_relation or field.related_model is None:
                return False
            current = field.related_model
    return True


def resolve(m, *candidates):
    """The first of the candidate field paths that exists on `m`, else None."""
    if m is None:
        return None
    for path in candidates:
        if field_path_exists(m, path):
            return path
    return None


def nominee_field(m):
    """The foreign key of a nomination model that names what is nominated (a model of the same app)."""
    if m is None:
        return None
    for field in m._meta.get_fields():
        if (
            field.many_to_one and field.concrete and field.related_model is not None
            and field.related_model._meta.app_label == m._meta.app_label
        ):
            return field.name
    return None


# What the assessment reads; a change in any of these makes a computed assessment stale.
# (A label that does not exist is skipped: the app may not be built yet.)
WATCHED = (
    "pojian.Region",
    "enterprises.Enterprise",
    "enterprises.Registration",
    "enterprises.EnterpriseNomination",
    "incubators.Incubator",
    "incubators.IncubatorNomination",
    "incubators.PostSubsidy",
    "incubators.Tenancy",
    "finance.Investment",
    "reviews.Round",
    "reviews.ReviewItem",
    "assessment.BureauSummary",
    "assessment.LocalPolicy",
    "assessment.Indicator",
    "assessment.OfficeEntry",
)


def _watched_models():
    return [m for m in (model(label) for label in WATCHED) if m is not None]


def _updated_field(m):
    for name in ("updated_at", "modified", "updated", "changed_at"):
        try:
            m._meta.get_field(name)
            return name
        except FieldDoesNotExist:
            continue
    return None


def data_signature() -> str:
    """A fingerprint of the data the assessment reads, from a few index-only aggregates.

    Models with an audit history: the newest history row (every insert, update and delete adds
    one). Others: row count, highest id and newest update time. Cheap enough to check every few
    minutes; equal fingerprints mean nothing the assessment reads has changed.
    """
    parts = []
    for m in _watched_models():
        history = getattr(m, "history", None)
        history_model = getattr(history, "model", None)
        if history_model is not None and history_model is not m:
            parts.append((m._meta.label, history_model.objects.aggregate(last=Max("history_id"))["last"]))
            continue
        aggregates = {"n": Count("pk"), "last": Max("pk")}
        updated = _updated_field(m)
        if updated:
            aggregates["changed"] = Max(updated)
        row = m._default_manager.aggregate(**aggregates)
        parts.append((m._meta.label, row["n"], row["last"], str(row.get("changed"))))
    return hashlib.sha256(repr(sorted(parts)).encode()).hexdigest()
