"""The portal's own SVG charts: well-formed, one shape per value, text escaped, empty data said so."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from reports.domain import charts

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


def test_count_axes_have_whole_number_ticks_money_axes_may_not():
    counts = parse(charts.bar_chart(["长春市", "吉林市"], [("推荐", [5, 3])]))
    ticks = [t.text for t in counts.iter(f"{NS}text") if t.get("fill") == "#555"]
    assert ticks == ["0", "2", "4", "6", "8"]
    line = parse(charts.line_chart(["2025", "2026"], [("推荐", [9, 12])]))
    assert [t.text for t in line.iter(f"{NS}text") if t.get("fill") == "#555"] == ["0", "3", "6", "9", "12"]
    money = parse(charts.bar_chart(["a"], [("x", [Decimal("4.5")])]))
    assert [t.text for t in money.iter(f"{NS}text") if t.get("fill") == "#555"] == ["0", "1.25", "2.50", "3.75", "5"]


def test_charts_keep_their_height_in_the_pdf():
    """WeasyPrint gives an inline SVG styled `height: auto` a square box: the chart must not carry that style."""
    from weasyprint import HTML

    svg = str(charts.bar_chart(["a", "b"], [("x", [1, 2])], horizontal=True, width=640))
    height = float(parse(svg).get("height"))
    doc = HTML(string=f'<html><style>@page {{ size: A4; margin: 10mm }}</style><body><div class="chart">{svg}</div></body></html>').render()

    def boxes(box):
        for child in getattr(box, "children", None) or []:
            if type(child).__name__.endswith("ReplacedBox"):
                yield child
            yield from boxes(child)

    [box] = list(boxes(doc.pages[0]._page_box))
    assert (round(box.width), round(box.height)) == (640, round(height)) and height < 200


def test_a_long_legend_wraps_inside_the_chart():
    names = ["草稿", "已提交", "已退回", "已受理", "不予受理", "已撤回", "已入选", "未入选"]
    svg = parse(charts.bar_chart(["长春市", "吉林市"], [(n, [1, 2]) for n in names], horizontal=True, stacked=True, width=400))
    keys = [r for r in svg.iter(f"{NS}rect") if r.get("width") == "10"]
    assert len(keys) == len(names)
    assert max(float(r.get("x")) for r in keys) < 400 - 10
    rows = sorted({float(r.get("y")) for r in keys})
    assert len(rows) >= 2  # wrapped onto more lines …
    bars_top = min(float(r.get("y")) for r in svg.iter(f"{NS}rect") if r.get("width") != "10")
    assert bars_top > rows[-1] + 10  # … and the bars start below the last one


def test_each_chart_is_an_image_named_by_its_title_and_described_by_its_figures():
    import re

    from reports.domain.charts import bar_chart, line_chart, pie_chart

    charts = [
        bar_chart(["长春市", "吉林市"], [("推荐", [5, 3]), ("受理", [3, 1])], title="推荐与受理"),
        line_chart(["2025", "2026"], [("企业", [40, 60])], title="入选企业"),
        pie_chart([("软件", 2), ("医药", 1)], title="行业"),
    ]
    ids = []
    for svg in charts:
        labelled = re.search(r'role="img" aria-labelledby="([\w-]+) ([\w-]+)"', svg)
        assert labelled, svg[:200]
        title_id, desc_id = labelled.groups()
        assert f'<title id="{title_id}">' in svg and f'<desc id="{desc_id}">' in svg
        ids += [title_id, desc_id]
    assert len(set(ids)) == len(ids)  # unique on a page that holds all three
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", charts[0]).group(1)
    assert desc == "长春市: 推荐 5, 受理 3; 吉林市: 推荐 3, 受理 1"
    assert re.search(r"<desc[^>]*>(.*?)</desc>", charts[1]).group(1) == "2025 40; 2026 60"
    assert re.search(r"<desc[^>]*>(.*?)</desc>", charts[2]).group(1) == "软件 2; 医药 1"
