"""Serving a stored 50 MB PDF: time and peak Python memory, before (read whole, checked whole, then
sent) and now (`pojian.downloads.file_response`: streamed, checked by stored extension and magic bytes,
or by a bounded prefix for a file not under a server-chosen name).

    make bench BENCH_ARGS=downloads          (BENCH_DOWNLOAD_MB=50)
"""

import io
import os
import tempfile
import time
import tracemalloc

from bench.common import bench_database, settings

MB = int(os.environ.get("BENCH_DOWNLOAD_MB", "50"))


def make_pdf(size):
    """A real PDF of about `size` bytes: one page and an incompressible attachment."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("data.bin", os.urandom(size))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def old_file_response(request, source, *, filename):
    """The helper as it was: the whole file read into memory and sniffed whole (pypdf parse)."""
    from django.http import HttpResponse

    from pojian.domain import uploads

    source.open("rb")
    try:
        data = source.read()
    finally:
        source.close()
    kind = uploads.sniff_bytes(data)
    response = HttpResponse(data, content_type=uploads.CONTENT_TYPES.get(kind, uploads.UNKNOWN_CONTENT_TYPE))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def measure(label, serve):
    tracemalloc.start()
    start = time.perf_counter()
    response = serve()
    sent = 0
    if response.streaming:
        for chunk in response.streaming_content:
            sent += len(chunk)
    else:
        sent = len(response.content)
    response.close()
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<58} {seconds:7.3f} s   peak {peak / 2**20:8.1f} MiB   sent {sent / 2**20:.1f} MiB "
          f"({response['Content-Type']})", flush=True)


def main():
    from django.db.models.fields.files import FieldFile
    from django.test import RequestFactory

    from pojian.downloads import file_response
    from pojian.models import Job, User

    settings.DEBUG = False
    with bench_database(), tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        os.makedirs(os.path.join(media, "bench"))
        data = make_pdf(MB * 2**20)
        names = {"server-named": "bench/" + "0123456789abcdef" * 2 + ".pdf", "client-named": "bench/report.pdf"}
        for name in names.values():
            with open(os.path.join(media, name), "wb") as f:
                f.write(data)
        del data
        user = User.objects.create(username="office-bench", role="office")
        request = RequestFactory().get("/bench/")
        request.user = user
        field = Job._meta.get_field("result_file")
        print(f"stored PDF: {os.path.getsize(os.path.join(media, names['server-named'])) / 2**20:.1f} MiB", flush=True)
        for kind, name in names.items():
            measure(f"before: read whole, pypdf check ({kind})",
                    lambda name=name: old_file_response(request, FieldFile(None, field, name), filename="a.pdf"))
            measure(f"now: streamed ({kind})",
                    lambda name=name: file_response(request, FieldFile(None, field, name), filename="a.pdf"))
