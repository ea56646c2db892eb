import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from pojian.domain import pdf, uploads
from pojian.domain.pdf import minimal_pdf
from pojian.domain.xlsx import read_rows, write_workbook
from tests.factories import minimal_docx

MINIMAL_PDF = minimal_pdf("letter")


def docx_bytes():
    return minimal_docx("report")


def test_pdf_recognised_by_content_whatever_its_name():
    assert uploads.validate_upload(SimpleUploadedFile("letter.txt", MINIMAL_PDF), kinds=[uploads.PDF]) == "pdf"


def test_renamed_file_refused_with_a_clear_message():
    fake = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 this is an exe")
    with pytest.raises(ValidationError) as e:
        uploads.validate_upload(fake, kinds=[uploads.PDF])
    assert e.value.code == "wrong_type"


def test_docx_and_size_limit(settings):
    assert uploads.validate_upload(SimpleUploadedFile("r.docx", docx_bytes()), kinds=[uploads.PDF, uploads.DOCX]) == "docx"
    with pytest.raises(ValidationError) as e:
        uploads.validate_upload(SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"0" * 2000), kinds=[uploads.PDF], max_bytes=1000)
    assert e.value.code == "too_large"


def test_export_neutralises_formulas_and_keeps_types(tmp_path):
    import datetime
    from decimal import Decimal

    path = tmp_path / "x.xlsx"
    rows = [["=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "\tx", Decimal("12.50"), 3, datetime.date(2026, 1, 2), "正常"]]
    write_workbook(path, [("表", list("ABCDEFGHI"), rows, None)])
    ws = load_workbook(path).active
    cells = list(ws[2])
    for c in cells[:5]:
        assert c.data_type == "s" and c.quotePrefix, c.value
    assert cells[0].value == "=HYPERLINK(\"http://evil\")"  # the text itself is kept
    assert cells[5].value == 12.5 and cells[6].value == 3 and cells[7].value.date() == datetime.date(2026, 1, 2)
    assert not cells[8].quotePrefix
    assert ws.freeze_panes == "A2"
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_read_rows_gives_row_numbers_and_skips_blank_rows(tmp_path):
    path = tmp_path / "in.xlsx"
    write_workbook(path, [("s", ["统一社会信用代码", "年度"], [["91350100M000100Y43", 2026], [None, None], ["x", 2025]], None)])
    rows = list(read_rows(path))
    assert [n for n, _ in rows] == [2, 4]
    assert rows[0][1]["年度"] == 2026


def test_chinese_pdf_embeds_a_cjk_font():
    from django.template import Context, Template

    from tests import pdfcheck

    html = Template('{% extends "pdf/base.html" %}{% block content %}<h1>破茧成蝶专项行动</h1>{% endblock %}')
    from weasyprint import HTML

    data = HTML(string=html.render(Context({}))).write_pdf()
    assert pdfcheck.has_embedded_cjk_font(data)
    assert "破茧成蝶专项行动" in pdfcheck.text(data)


def test_render_pdf_chunks_joins_pages():
    from tests import pdfcheck

    data = pdf.render_pdf_chunks("pdf/base.html", [{}, {}, {}])
    assert pdfcheck.page_count(data) == 3
