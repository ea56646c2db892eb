"""Bulk pushes through the API: the same all-or-nothing import as an uploaded workbook, run as a
job, with an idempotency key so that a retried push never imports twice."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from enterprises.domain import import_tax
from pojian.domain.jobs import start_job

from ..models import Push

TAX = "tax"


def body_hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def push_tax(*, year, rows, by, idempotency_key, token=None):
    """Queue the import of pushed tax rows; returns (push, created).

    The same key with the same body returns the first push and its job; the same key with another
    body is refused: a key names one push, for good.
    """
    from ..tasks import import_pushed_tax

    if not by.has_perm("api.push_tax"):
        raise PermissionDenied(_("This caller may not push tax figures."))
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise ValidationError(_("Send an Idempotency-Key header (1 to 100 characters) with every push."))
    payload = {"year": year, "rows": rows}
    digest = body_hash(payload)
    existing = Push.objects.select_related("job").filter(user=by, kind=TAX, idempotency_key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                job, _new = start_job(
                    kind="api_tax_push", by=by, task=import_pushed_tax,
                    title=_("Tax figures for %(year)s pushed through the API (%(rows)s rows)") % {"year": year, "rows": len(rows)},
                    params={"year": year, "language": get_language() or settings.LANGUAGE_CODE,
                            "client": token.name if token else by.get_username()},
                    input_file=ContentFile(json.dumps(payload, ensure_ascii=False, default=str).encode(), name="push.json"),
                )
                return Push.objects.create(token=token, user=by, kind=TAX, idempotency_key=key, body_hash=digest,
                                           job=job), True
        except IntegrityError:  # an identical retry raced this one: it won, join it
            existing = Push.objects.select_related("job").get(user=by, kind=TAX, idempotency_key=key)
    if existing.body_hash != digest:
        raise ValidationError(_("This Idempotency-Key was used for another push; use a new key for new data."),
                              code="key_reused")
    return existing, False


def tax_push_job(job, progress):
    """Work function for run_job: the pushed rows, checked and written as a workbook's would be."""
    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        with job.input_file.open("rb") as f:
            payload = json.load(f)
        names = {key: key for key, _zh, _en in import_tax.COLUMNS}
        data = [(number, {key: row.get(key) for key in names}) for number, row in enumerate(payload["rows"], start=1)]
        result = import_tax.import_tax_rows(names, data, year=int(payload["year"]), by=job.created_by, progress=progress)
        return result.message()
