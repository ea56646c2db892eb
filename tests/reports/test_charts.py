"""The portal's own SVG charts: well-formed, one shape per value, text escaped, empty data said so."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from pojian.reports.domain import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(str(svg))


def test_bar_chart_draws_one_bar_per_non_zero_value():
    svg = parse(charts.bar_chart(["长春市", "吉林市", "四平市"], [("推荐", [5, 3, 0]), ("入选", [2, 1, 0])], title="推荐"))
    assert svg.tag == f"{NS}svg" and svg.find(f"{NS}title").text == "推荐"
    bars = [r for r in svg.iter(f"{NS}rect") if float(r.get("height")) > 0 and r.get("width") != "10"]
    assert len(bars) == 4
    texts = [t.text for t in svg.iter(f"{NS}text")]
    assert "长春市" in texts and "四平市" in texts


def test_bar_chart_horizontal_and_stacked_scale_to_the_largest_total():
    svg = parse(charts.bar_chart(["a", "b"], [("x", [Decimal("1.5"), 2]), ("y", [1, 6])], horizontal=True, stacked=True))
    widths = [float(r.get("width")) for r in svg.iter(f"{NS}rect") if r.get("height") != "10"]
    assert len(widths) == 4
    # b's total (8) fills at most the axis (nice bound 10); a's bars are shorter than b's.
    assert widths[0] + widths[1] < widths[2] + widths[3]


def test_line_chart_and_pie_chart():
    line = parse(charts.line_chart(["2024", "2025", "2026"], [("推荐", [10, None, 30])]))
    assert len(list(line.iter(f"{NS}circle"))) == 2  # None breaks the line
    pie = parse(charts.pie_chart([("通过", 3), ("未通过", 1)]))
    assert len(list(pie.iter(f"{NS}path"))) == 2
    assert any("75.0%" in (t.text or "") for t in pie.iter(f"{NS}text"))


def test_charts_escape_text_and_say_when_there_is_no_data():
    svg = charts.bar_chart(["<script>&"], [("a\"b", [1])], title="<t>")
    assert "<script>" not in str(svg) and parse(svg) is not None
    empty = parse(charts.bar_chart(["a"], [("x", [0])]))
    assert len(list(empty.iter(f"{NS}rect"))) == 0 and len(list(empty.iter(f"{NS}text"))) == 1
    assert len(list(parse(charts.pie_chart([("a", 0)])).iter(f"{NS}text"))) == 1
