"""The one way a stored or generated file goes back to a user.

`file_response(request, source, filename=…, subject=…)` re-detects the content's kind, answers with
its real content type, `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and
writes who fetched what into the download audit (`pojian.models.Download`). A PDF may be shown
inline (`inline=True`) only when its content really is a PDF; that response then carries
`Content-Security-Policy: sandbox`, so nothing in it runs with the portal's origin.
"""

from pathlib import PurePath

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .domain import uploads
from .domain.audit_downloads import record_download


def _read(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    try:
        source.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    try:
        return source.read()
    finally:
        source.close()


def file_response(request, source, *, filename, subject="", category="file", inline=False, obj=None):
    """An HttpResponse for `source` (a FieldFile or bytes) named `filename` (its extension follows the content)."""
    data = _read(source)
    kind = uploads.sniff_bytes(data)
    content_type = uploads.CONTENT_TYPES.get(kind, uploads.UNKNOWN_CONTENT_TYPE)
    extension = uploads.EXTENSIONS.get(kind, uploads.UNKNOWN_EXTENSION)
    stem = PurePath(filename or "download").stem or "download"
    name = f"{stem}.{extension}"
    show_inline = inline and kind == uploads.PDF
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not show_inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    if show_inline:
        response["Content-Security-Policy"] = "sandbox"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    record_download(user=request.user, subject=subject or name, file_name=name, category=category,
                    path=request.get_full_path()[:400], obj=obj)
    return response
