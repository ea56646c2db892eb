"""Uploaded files are checked by what they contain, never by their name, and by size."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"

KIND_LABELS = {PDF: "PDF", DOCX: "Word (.docx)", XLSX: "Excel (.xlsx)"}


def sniff(f) -> str | None:
    """What the file really is: "pdf", "docx", "xlsx" or None."""
    pos = f.tell() if hasattr(f, "tell") else 0
    try:
        f.seek(0)
        head = f.read(8)
        f.seek(0)
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"PK\x03\x04"):
            try:
                with zipfile.ZipFile(f) as z:
                    names = set(z.namelist())
            except zipfile.BadZipFile:
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX
        return None
    finally:
        f.seek(pos)


def validate_upload(f, *, kinds, max_bytes=None):
    """Raise ValidationError (in the user's language) unless `f` is one of `kinds` and small enough."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if f.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(max)s.")
            % {"size": filesizeformat(f.size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    if f.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(f)
    if kind not in kinds:
        raise ValidationError(
            _("This file is not a %(kinds)s file (its content was checked, not its name).")
            % {"kinds": _(" or ").join(KIND_LABELS[k] for k in kinds)},
            code="wrong_type",
        )
    return kind


class ContentTypeValidator:
    """A model/form field validator: `validators=[ContentTypeValidator(PDF)]`."""

    def __init__(self, *kinds, max_bytes=None):
        self.kinds = kinds
        self.max_bytes = max_bytes

    def __call__(self, f):
        validate_upload(f, kinds=self.kinds, max_bytes=self.max_bytes)

    def __eq__(self, other):
        return isinstance(other, ContentTypeValidator) and (self.kinds, self.max_bytes) == (other.kinds, other.max_bytes)

    def deconstruct(self):
        return ("pojian.domain.uploads.ContentTypeValidator", self.kinds, {"max_bytes": self.max_bytes})
