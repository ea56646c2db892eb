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
