"""PDFs from HTML templates with WeasyPrint, in Chinese with the Noto CJK font embedded.

Templates extend "pdf/base.html" (A4, page numbers, CJK font). Long documents are rendered in
chunks and joined, since WeasyPrint slows down on very long tables (DESIGN.md).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name, context, *, language="zh-hans") -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_pdf_chunks(template_name, contexts, *, language="zh-hans") -> bytes:
    """Render each context as its own document and join the pages into one PDF."""
    from weasyprint import HTML

    documents = []
    with translation.override(language):
        for context in contexts:
            html = render_to_string(template_name, context)
            documents.append(HTML(string=html, base_url=str(settings.BASE_DIR)).render())
    if not documents:
        return b""
    pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(pages).write_pdf()


def minimal_pdf(title: str) -> bytes:
    """A minimal, valid one-page PDF (demo letters and reports, tests)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 72 760 Td ({title}) Tj ET".encode("ascii", "replace")
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
