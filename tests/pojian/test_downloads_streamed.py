"""Stored files are streamed (FileResponse) and judged without reading them whole.

A server-named file by its stored extension and magic bytes; any other by a bounded prefix (and a
zip by its directory). The headers are those of every download: real type, attachment, nosniff, CSP.
"""

import io

import pytest
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.test import RequestFactory
from openpyxl import Workbook

from pojian import downloads
from pojian.domain import uploads
from pojian.domain.pdf import minimal_pdf
from pojian.models import Download, Job

pytestmark = pytest.mark.django_db
SERVER_NAME = "downloads/" + "ab" * 16


def stored(settings, tmp_path, name, data):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(data)
    return FieldFile(None, Job._meta.get_field("result_file"), name)


def serve(source, office, **kwargs):
    request = RequestFactory().get("/x/")
    request.user = office
    return downloads.file_response(request, source, filename="信件.pdf", **kwargs)


def body(response):
    return b"".join(response.streaming_content)


def no_whole_sniffing(monkeypatch):
    def refuse(data):
        raise AssertionError("a stored file was read and checked whole")

    monkeypatch.setattr(uploads, "sniff_bytes", refuse)


def test_a_server_named_pdf_is_streamed_and_may_open_inline(settings, tmp_path, office, monkeypatch):
    pdf = minimal_pdf("letter")
    source = stored(settings, tmp_path, f"{SERVER_NAME}.pdf", pdf)
    no_whole_sniffing(monkeypatch)
    response = serve(source, office, inline=True)
    assert isinstance(response, FileResponse) and response.streaming
    assert response["Content-Type"] == "application/pdf" and response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("inline") and response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == pdf
    assert Download.objects.get().file_name == "信件.pdf"


def test_a_server_named_file_whose_bytes_are_not_its_extension_is_an_unknown_attachment(settings, tmp_path, office):
    source = stored(settings, tmp_path, f"{SERVER_NAME}.pdf", b"<html><script>alert(1)</script></html>")
    response = serve(source, office, inline=True)
    assert response["Content-Type"] == uploads.UNKNOWN_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment") and ".bin" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_file_of_another_name_is_judged_by_a_bounded_prefix(settings, tmp_path, office, monkeypatch):
    settings.DOWNLOAD_SNIFF_BYTES = 4096
    no_whole_sniffing(monkeypatch)
    polyglot = stored(settings, tmp_path, "reports/letter.pdf", b"%PDF-1.4\n<script>alert(1)</script>" + b" " * 100_000)
    response = serve(polyglot, office, inline=True)
    assert response["Content-Type"] == uploads.UNKNOWN_CONTENT_TYPE and response["Content-Disposition"].startswith("attachment")
    body(response)

    reads = []
    original = downloads._file_kind

    class Counting:
        def __init__(self, f):
            self.f = f

        def read(self, size=-1):
            reads.append(size)
            return self.f.read(size)

        def __getattr__(self, name):
            return getattr(self.f, name)

    def spy(f, name):
        return original(Counting(f), name)

    monkeypatch.setattr(downloads, "_file_kind", spy)
    pdf = stored(settings, tmp_path, "reports/report.pdf", minimal_pdf("report") + b"%" + b"0" * 200_000)
    response = serve(pdf, office, inline=True)
    assert response["Content-Type"] == "application/pdf"
    assert reads and all(0 < size <= 4096 for size in reads)
    assert body(response).startswith(b"%PDF-")


def test_a_generated_workbook_of_another_name_is_recognised_by_its_zip_directory(settings, tmp_path, office):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = stored(settings, tmp_path, "jobs/结果.xlsx", buffer.getvalue())
    response = serve(source, office)
    assert response["Content-Type"] == uploads.CONTENT_TYPES[uploads.XLSX]
    assert ".xlsx" in response["Content-Disposition"] and body(response) == buffer.getvalue()


def test_a_missing_file_is_404(settings, tmp_path, office):
    from django.http import Http404

    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(Http404):
        serve(FieldFile(None, Job._meta.get_field("result_file"), f"{SERVER_NAME}.pdf"), office)
