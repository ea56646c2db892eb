"""Bulk pushes through the API: the same all-or-nothing imports as the uploaded files (tax figures,
the registration list), run as jobs, with an idempotency key so that a retried push never imports
twice."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from enterprises.domain import import_registrations, import_tax
from pojian.domain.jobs import start_job

from ..models import Push

TAX = "tax"
REGISTRATIONS = "registrations"


def body_hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _push(*, kind, payload, by, idempotency_key, token, perm, refusal, task, title):
    """Queue the import of a pushed payload; returns (push, created).

    The same key with the same body returns the first push and its job; the same key with another
    body is refused: a key names one push, for good.
    """
    if not by.has_perm(perm):
        raise PermissionDenied(refusal)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise ValidationError(_("Send an Idempotency-Key header (1 to 100 characters) with every push."))
    digest = body_hash(payload)
    existing = Push.objects.select_related("job").filter(user=by, kind=kind, idempotency_key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                job, _new = start_job(
                    kind=f"api_{kind}_push", by=by, task=task, title=title,
                    params={"language": get_language() or settings.LANGUAGE_CODE,
                            "client": token.name if token else by.get_username()},
                    input_file=ContentFile(json.dumps(payload, ensure_ascii=False, default=str).encode(), name="push.json"),
                )
                return Push.objects.create(token=token, user=by, kind=kind, idempotency_key=key, body_hash=digest,
                                           job=job), True
        except IntegrityError:  # an identical retry raced this one: it won, join it
            existing = Push.objects.select_related("job").get(user=by, kind=kind, idempotency_key=key)
    if existing.body_hash != digest:
        raise ValidationError(_("This Idempotency-Key was used for another push; use a new key for new data."),
                              code="key_reused")
    return existing, False


def push_tax(*, year, rows, by, idempotency_key, token=None):
    from ..tasks import import_pushed_tax

    return _push(
        kind=TAX, payload={"year": year, "rows": rows}, by=by, idempotency_key=idempotency_key, token=token,
        perm="api.push_tax", refusal=_("This caller may not push tax figures."), task=import_pushed_tax,
        title=_("Tax figures for %(year)s pushed through the API (%(rows)s rows)") % {"year": year, "rows": len(rows)},
    )


def push_registrations(*, rows, by, idempotency_key, token=None):
    from ..tasks import import_pushed_registrations

    return _push(
        kind=REGISTRATIONS, payload={"rows": rows}, by=by, idempotency_key=idempotency_key, token=token,
        perm="api.push_registrations", refusal=_("This caller may not push the registration list."),
        task=import_pushed_registrations,
        title=_("Registration list pushed through the API (%(rows)s rows)") % {"rows": len(rows)},
    )


def _rows(job, keys):
    """The pushed rows as the imports' (names, data): row numbers count the pushed rows from 1."""
    with job.input_file.open("rb") as f:
        payload = json.load(f)
    names = {key: key for key in keys}
    return payload, names, [(n, {key: row.get(key) for key in keys}) for n, row in enumerate(payload["rows"], start=1)]


def tax_push_job(job, progress):
    """Work function for run_job: the pushed rows, checked and written as a workbook's would be."""
    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        payload, names, data = _rows(job, [key for key, _zh, _en in import_tax.COLUMNS])
        result = import_tax.import_tax_rows(names, data, year=int(payload["year"]), by=job.created_by, progress=progress)
        return result.message()


def registrations_push_job(job, progress):
    """Work function for run_job: the pushed registration list, checked and written as a file's would be."""
    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        _payload, names, data = _rows(job, [key for key, _zh, _en in import_registrations.COLUMNS])
        return import_registrations.import_rows(names, data, by=job.created_by, progress=progress).message()
