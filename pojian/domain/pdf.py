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
    """Render each context as its own document and join the pages into one PDF.

    Each document counts its own pages, so joined as they are every chunk would start again at
    “1 / 1”. The chunks are therefore laid out twice: once to count their pages, then with their
    first page number and the total set (`@page :first { counter-reset }`), so the joined PDF is
    numbered 1 / N to N / N. Twice the layout time, for documents that are chunked because they
    are long: only the assessment's region pages use this.
    """
    from weasyprint import HTML

    with translation.override(language):
        htmls = [render_to_string(template_name, context) for context in contexts]
    if not htmls:
        return b""
    base_url = str(settings.BASE_DIR)
    counts = [len(HTML(string=html, base_url=base_url).render().pages) for html in htmls]
    total, offset, documents = sum(counts), 0, []
    for html, count in zip(htmls, counts, strict=True):
        documents.append(HTML(string=_numbered(html, first=offset + 1, total=total), base_url=base_url).render())
        offset += count
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
def _numbered(html, *, first, total):
    """The chunk's HTML with its pages numbered from `first` out of `total`."""
    style = (
        f"<style>@page {{ @bottom-center {{ content: counter(page) \" / {total}\"; }} }}"
        f"@page :first {{ counter-reset: page {first}; }}</style>"
    )
    return html.replace("</head>", style + "</head>", 1) if "</head>" in html else style + html
