"""Uploaded files: checked by their whole content (never by their name), stored under a name the server chooses.

- `sniff(f)` says what a file really is ("pdf", "docx", "xlsx") or None. A PDF must parse as a PDF
  (pypdf) with at least one page and hold no web-page code or PDF JavaScript anywhere; an Office
  file must be a sound zip (every member's checksum verified) whose [Content_Types].xml declares
  the right main part, and neither may carry HTML or script markup. A file that begins like a PDF
  but holds a <script> (a "polyglot") is None.
- `validate_upload` / `ContentTypeValidator` refuse files of the wrong kind or size, in the user's language.
- `SafeFileField` is the only FileField for uploads: whatever name the client sent, the file is
  stored as `<upload_to>/<32 random hex>.<extension of the detected kind>` (".bin" when unknown).
- Files go back to users through `pojian.downloads.file_response` only.
"""

import io
import re
import secrets
import zipfile
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"

KIND_LABELS = {PDF: "PDF", DOCX: "Word (.docx)", XLSX: "Excel (.xlsx)"}
EXTENSIONS = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx"}
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UNKNOWN_EXTENSION = "bin"
UNKNOWN_CONTENT_TYPE = "application/octet-stream"

# The main part each Office kind must declare in [Content_Types].xml (macro-enabled variants are refused).
_MAIN_PARTS = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# Markup a browser would run or render if it ever took the file for a web page, and PDF JavaScript.
_ACTIVE = re.compile(
    rb"<\s*(?:script|html|body|head|iframe|frame|svg|object|embed|meta|link|style|form|base|!doctype)[\s>/]"
    rb"|javascript:|/JavaScript\b|/JS\s*[(<\[]",
    re.IGNORECASE,
)
_OFFICE_UNPACKED_LIMIT_FACTOR = 100  # an Office file may unpack to at most this × the upload limit


def _read_all(f) -> bytes:
    f.seek(0)
    if hasattr(f, "chunks"):
        try:
            return b"".join(f.chunks())
        finally:
            f.seek(0)
    data = f.read()
    f.seek(0)
    return data


def has_active_content(data: bytes) -> bool:
    """True if the bytes hold HTML/script markup or PDF JavaScript anywhere."""
    return _ACTIVE.search(data) is not None


def _is_pdf(data: bytes) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if "/Root" not in reader.trailer:
            return False
        return len(reader.pages) >= 1
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        return False


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024) * _OFFICE_UNPACKED_LIMIT_FACTOR
            if sum(i.file_size for i in infos) > limit:
                return None
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or z.testzip() is not None:
                return None
            types = ElementTree.fromstring(z.read("[Content_Types].xml"))
            for member in infos:
                if member.filename.lower().endswith((".html", ".htm", ".js", ".svg")):
                    return None
                if member.filename.endswith((".xml", ".rels")) and has_active_content(z.read(member)):
                    return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, OSError, ValueError, EOFError, NotImplementedError):
        return None
    declared = {(el.get("PartName") or "").lstrip("/"): el.get("ContentType") for el in types if el.tag.endswith("Override")}
    if declared.get("word/document.xml") == _MAIN_PARTS[DOCX] and "word/document.xml" in names:
        return DOCX
    if declared.get("xl/workbook.xml") == _MAIN_PARTS[XLSX] and "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(f) -> str | None:
    """What the file really is, judged on its whole content: "pdf", "docx", "xlsx" or None."""
    pos = f.tell() if hasattr(f, "tell") else 0
    try:
        data = _read_all(f)
    finally:
        f.seek(pos)
    return sniff_bytes(data)


def sniff_bytes(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        if has_active_content(data) or not _is_pdf(data):
            return None
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


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


def stored_name(kind) -> str:
    """A fresh server-chosen file name for content of `kind` (None: unknown)."""
    return f"{secrets.token_hex(16)}.{EXTENSIONS.get(kind, UNKNOWN_EXTENSION)}"


class SafeFieldFile(models.fields.files.FieldFile):
    def save(self, name, content, save=True):
        # The client's name is never used: only the detected kind chooses the extension.
        super().save(stored_name(sniff(content)), content, save)

    save.alters_data = True


class SafeFileField(models.FileField):
    """A FileField for uploads: content checked against `kinds`, stored under a random name.

    `SafeFileField(label, upload_to="letters/x/%Y/", kinds=(PDF,), blank=True)`.
    """

    attr_class = SafeFieldFile

    def __init__(self, *args, kinds=(PDF,), **kwargs):
        self.kinds = tuple(kinds)
        kwargs.setdefault("validators", [ContentTypeValidator(*self.kinds)])
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kinds"] = self.kinds
        if kwargs.get("validators") == [ContentTypeValidator(*self.kinds)]:
            del kwargs["validators"]
        if kwargs.get("max_length") == 200:
            del kwargs["max_length"]
        return name, path, args, kwargs


STORED_NAME = re.compile(r"(?:^|/)[0-9a-f]{32}\.(?:pdf|docx|xlsx|bin)$")


def rename_stored_files(models_with_field, field_name):
    """Give every file already stored in `field_name` a server-chosen name by its detected kind.

    For data migrations: `models_with_field` are the (historical) models whose column holds the
    names, the model first and its simple-history table after; a name shared by several rows
    (the demo's one letter) is renamed once. Missing files are left as they are. Idempotent.
    """
    from django.core.files.base import ContentFile

    model = models_with_field[0]
    storage = model._meta.get_field(field_name).storage
    names = set()
    for m in models_with_field:
        names.update(m.objects.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
                     .values_list(field_name, flat=True).distinct())
    renamed = 0
    for old in sorted(names):
        if STORED_NAME.search(old) or not storage.exists(old):
            continue
        with storage.open(old, "rb") as f:
            data = f.read()
        folder = old.rsplit("/", 1)[0] + "/" if "/" in old else ""
        new = storage.save(folder + stored_name(sniff_bytes(data)), ContentFile(data))
        for m in models_with_field:
            m.objects.filter(**{field_name: old}).update(**{field_name: new})
        storage.delete(old)
        renamed += 1
    return renamed
