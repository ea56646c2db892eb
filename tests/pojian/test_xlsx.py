"""pojian.domain.xlsx: the streamed writer gives a well-formed package with typed, neutralised cells."""

import datetime
import enum
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from pojian.domain.xlsx import read_rows, write_workbook


class Colour(models.TextChoices):
    RED = "red", "Red"


class Level(enum.IntEnum):
    HIGH = 3


def written(sheets):
    out = io.BytesIO()
    write_workbook(out, sheets)
    out.seek(0)
    return out


def test_every_part_is_well_formed_xml_and_declared_in_content_types():
    out = written([("一", ["a"], [[1]], None), ("二", ["b"], [["x"]], None)])
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        for name in names:
            ElementTree.fromstring(z.read(name))  # raises on malformed XML
        types = z.read("[Content_Types].xml").decode()
    for part in ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml",
                 "xl/sharedStrings.xml", "docProps/core.xml"):
        assert part in names
        assert f'PartName="/{part}"' in types
    assert {"_rels/.rels", "xl/_rels/workbook.xml.rels"} <= set(names)
    assert load_workbook(out).sheetnames == ["一", "二"]


def test_values_keep_their_types(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    aware = datetime.datetime(2026, 3, 1, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Changchun
    row = [7, 2.5, Decimal("1234567.89"), True, False, datetime.date(2026, 1, 2), aware, datetime.time(8, 15),
           Colour.RED, Level.HIGH, None, "末尾"]
    with timezone.override("Asia/Shanghai"):
        ws = load_workbook(written([("s", [f"h{i}" for i in range(len(row))], [row], None)])).active
    cells = list(ws[2])
    assert [c.value for c in cells[:5]] == [7, 2.5, 1234567.89, True, False]
    assert [c.data_type for c in cells[:5]] == ["n", "n", "n", "b", "b"]
    assert cells[5].is_date and cells[5].value == datetime.datetime(2026, 1, 2)
    assert cells[6].is_date and cells[6].value == datetime.datetime(2026, 3, 1, 9, 30)
    assert cells[7].is_date and cells[7].value == datetime.time(8, 15)
    assert cells[8].value == "red" and cells[8].data_type == "s"
    assert cells[9].value == 3 and cells[9].data_type == "n"
    assert cells[10].value is None  # a gap, and the next cell keeps its column
    assert cells[11].value == "末尾" and cells[11].column_letter == "L"


def test_lazy_translations_are_written_in_the_active_language():
    with translation.override("zh-hans"):
        ws = load_workbook(written([("s", [gettext_lazy("Year")], [[gettext_lazy("Year")]], None)])).active
    assert ws["A1"].value == ws["A2"].value == "年度"


@pytest.mark.parametrize("text", ["=1+2", "+86 431", "-5", "@SUM(A1)", "\tx", "\r=1", '=HYPERLINK("http://evil")'])
def test_formula_like_text_stays_text_with_the_quote_prefix(text):
    out = written([("s", [text, "ok"], [[text, "正常 -1"]], None)])
    ws = load_workbook(out).active
    for cell in (ws["A1"], ws["A2"]):
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix
    assert ws["A1"].font.b  # the header keeps its bold font with the prefix
    assert not ws["B2"].quotePrefix
    with zipfile.ZipFile(out) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_text_is_escaped_and_round_trips():
    texts = ["a & b < c > d", "  spaces kept  ", "第一行\n第二行", "_x0041_ stays", '"quoted" \'single\'', "#N/A"]
    out = written([("s", ["t"], [[t] for t in texts], None)])
    with zipfile.ZipFile(out) as z:
        shared = z.read("xl/sharedStrings.xml").decode()
    assert "_x005F_x0041_" in shared  # else Excel would show "A"
    ws = load_workbook(out).active
    assert [ws.cell(row=i, column=1).value for i in range(2, 2 + len(texts))] == texts
    assert all(ws.cell(row=i, column=1).data_type == "s" for i in range(2, 2 + len(texts)))


def test_overlapping_escape_like_text_is_protected_at_every_underscore():
    # Excel decodes _xHHHH_ everywhere; openpyxl's reader forgives, so check what is in the file.
    out = written([("s", ["t"], [["_x005F_x0041_"]], None)])
    with zipfile.ZipFile(out) as z:
        shared = z.read("xl/sharedStrings.xml").decode()
    assert "<t xml:space=\"preserve\">_x005F_x005F_x005F_x0041_</t>" in shared


def test_text_is_cut_at_excels_limit_counted_in_utf16_units():
    from pojian.domain import xlsx

    emoji = "\U0001F600" * 20000  # 40,000 UTF-16 units
    ws = load_workbook(written([("s", ["t"], [[emoji], ["字" * 40000]], None)])).active
    assert len(ws["A2"].value.encode("utf-16-le")) // 2 <= xlsx.MAX_TEXT
    assert len(ws["A2"].value) == xlsx.MAX_TEXT // 2  # whole emoji only
    assert len(ws["A3"].value) == xlsx.MAX_TEXT


def test_more_rows_than_a_worksheet_holds_is_an_error_not_a_broken_file(monkeypatch):
    from pojian.domain import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)  # a header and two rows
    written([("s", ["t"], [[1], [2]], None)])
    with pytest.raises(ValueError):
        written([("s", ["t"], [[1], [2], [3]], None)])


def test_control_characters_are_dropped_not_fatal():
    ws = load_workbook(written([("s", ["t"], [["a\x00b\x07c\x1fd"]], None)])).active
    assert ws["A2"].value == "abcd"


def test_headers_bold_frozen_and_widths():
    ws = load_workbook(written([("s", ["名称", "代码"], [["x", "y"]], [26, 12])])).active
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b and ws["B1"].font.b and not ws["A2"].font.b
    assert ws.column_dimensions["A"].width == 26 and ws.column_dimensions["B"].width == 12


def test_sheet_titles_are_made_valid_and_unique():
    long = "一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长的标题名称"
    out = written([("a/b:c", ["h"], [], None), ("A/B:C", ["h"], [], None), (long, ["h"], [], None)])
    names = load_workbook(out).sheetnames
    assert names[0] == "a_b_c" and names[1] != names[0] and names[1].lower() != names[0].lower()
    assert len(names[2]) == 31
    names = load_workbook(written([("History", ["h"], [], None), ("'quoted\x01'", ["h"], [], None)])).sheetnames
    assert names == ["History_", "quoted"]  # Excel keeps "History"; no quotes at the ends, no control codes


def test_rows_may_be_a_generator_longer_than_the_headers_and_read_back():
    def rows():
        for i in range(3):
            yield [f"code{i}", i, "extra"]

    out = written([("s", ["代码", "数量"], rows(), None)])
    assert [(n, r["代码"], r["数量"]) for n, r in read_rows(out)] == [(2, "code0", 0), (3, "code1", 1), (4, "code2", 2)]
    out.seek(0)
    assert load_workbook(out).active["C4"].value == "extra"


def test_repeated_text_is_stored_once():
    out = written([("s", ["地区"], [["长春市"]] * 1000, None)])
    with zipfile.ZipFile(out) as z:
        shared = z.read("xl/sharedStrings.xml").decode()
    assert shared.count("长春市") == 1 and 'uniqueCount="2"' in shared


def test_writes_to_a_path(tmp_path):
    path = tmp_path / "x.xlsx"
    assert write_workbook(path, [("s", ["a"], [[1]], None)]) == path
    assert load_workbook(path).active["A2"].value == 1
