"""The one way a stored or generated file goes back to a user.

`file_response(request, source, filename=…, subject=…)` answers with the content's real type,
`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and writes who fetched what
into the download audit (`pojian.models.Download`). A PDF may be shown inline (`inline=True`) only
when its content is a PDF; that response then carries `Content-Security-Policy: sandbox`, so nothing
in it runs with the portal's origin.

A stored file is streamed (FileResponse), never read whole into memory. Its kind is judged without
reading it all: a file under a server-chosen name (`uploads.STORED_NAME`, checked in full when it was
uploaded) by its stored extension and its first bytes (magic); any other by a bounded prefix
(`DOWNLOAD_SNIFF_BYTES`), and for a zip by its central directory and [Content_Types].xml only.
Generated content passed as bytes is already in memory and is checked whole.
"""

import re
import zipfile
from pathlib import PurePath
from xml.etree import ElementTree

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .domain import uploads
from .domain.audit_downloads import record_download

MAGIC = {uploads.PDF: b"%PDF-", uploads.DOCX: b"PK\x03\x04", uploads.XLSX: b"PK\x03\x04"}
_CONTENT_TYPES_LIMIT = 1024 * 1024  # a real [Content_Types].xml is a few kilobytes


def _sniff_bytes_limit():
    return settings.DOWNLOAD_SNIFF_BYTES


def _stored_kind(name):
    """The kind a server-chosen stored name says (None: not such a name, or ".bin")."""
    if not uploads.STORED_NAME.search(name or ""):
        return None
    return {"pdf": uploads.PDF, "docx": uploads.DOCX, "xlsx": uploads.XLSX}.get(PurePath(name).suffix.lstrip("."))


def _zip_kind(f):
    """docx/xlsx from the zip's directory and declared main part, reading no member but that one."""
    try:
        with zipfile.ZipFile(f) as z:
            info = z.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_LIMIT:
                return None
            types = ElementTree.fromstring(z.read(info))
            names = set(z.namelist())
    except (KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, OSError, ValueError,
            EOFError, NotImplementedError):
        return None
    if any(re.search(r"\.(html?|js|svg)$", n, re.IGNORECASE) for n in names):
        return None
    declared = {(el.get("PartName") or "").lstrip("/"): el.get("ContentType") for el in types if el.tag.endswith("Override")}
    for kind, part in ((uploads.DOCX, "word/document.xml"), (uploads.XLSX, "xl/workbook.xml")):
        if declared.get(part) == uploads._MAIN_PARTS[kind] and part in names:
            return kind
    return None


def _file_kind(f, name):
    """The kind of an open stored file, read only in part; the file is left at its start."""
    try:
        stored = _stored_kind(name)
        head = f.read(8 if stored else _sniff_bytes_limit())
        if stored:
            return stored if head.startswith(MAGIC[stored]) else None
        if head.startswith(b"%PDF-"):
            return uploads.PDF if not uploads.has_active_content(head) else None
        if head.startswith(b"PK\x03\x04"):
            f.seek(0)
            return _zip_kind(f)
        return None
    finally:
        f.seek(0)


def _open(source):
    try:
        source.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    return source


def file_response(request, source, *, filename, subject="", category="file", inline=False, obj=None):
    """A response for `source` (a FieldFile, streamed, or bytes) named `filename` (its extension follows the content)."""
    if isinstance(source, bytes | bytearray):
        kind = uploads.sniff_bytes(bytes(source))
    else:
        source = _open(source)
        try:
            kind = _file_kind(source, source.name)
        except BaseException:
            source.close()
            raise
    content_type = uploads.CONTENT_TYPES.get(kind, uploads.UNKNOWN_CONTENT_TYPE)
    extension = uploads.EXTENSIONS.get(kind, uploads.UNKNOWN_EXTENSION)
    stem = PurePath(filename or "download").stem or "download"
    name = f"{stem}.{extension}"
    show_inline = inline and kind == uploads.PDF
    if isinstance(source, bytes | bytearray):
        response = HttpResponse(bytes(source), content_type=content_type)
    else:
        response = FileResponse(source, content_type=content_type)  # closes the file when sent
    response["Content-Disposition"] = content_disposition_header(not show_inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    if show_inline:
        response["Content-Security-Policy"] = "sandbox"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    record_download(user=request.user, subject=subject or name, file_name=name, category=category,
                    path=request.get_full_path()[:400], obj=obj)
    return response
