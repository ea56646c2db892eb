"""Charts as SVG strings drawn by the portal itself: bar (vertical or horizontal, grouped or
stacked), line and pie. No JavaScript, no web fonts, no internet: the same markup is embedded
inline in the web pages and in the PDFs (WeasyPrint draws inline SVG with the CJK font).

Sizing: the SVG has its width and height; a page lets it shrink with `svg.chart {max-width:
100%; height: auto}` in its own CSS. That rule must not reach the PDF: WeasyPrint gives an
inline SVG with `height: auto` a square box (a 640×98 chart became 640×640 of white space).

Values may be int, Decimal or None (None draws nothing); they are turned into float only to
place shapes, never for the figures themselves, which the tables beside each chart show.
"""

import itertools
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

PALETTE = ["#1f5fa8", "#e07b18", "#2e9d4b", "#c0392b", "#7d4fa8", "#8c6d31", "#d35fb7", "#5f6b73", "#17a2b8", "#b5a000"]
FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Microsoft YaHei', sans-serif"
TEXT = "#222"
GRID = "#d9d9d9"


def _num(v):
    if v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _fmt(v):
    if v is None:
        return ""
    f = float(v)
    if abs(f - round(f)) < 1e-9:
        return f"{int(round(f)):,}"
    return f"{f:,.2f}"


def nice_max(value):
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    import math

    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        bound = step * 10**exp
        if bound >= value:
            return float(bound)
    return float(10 ** (exp + 1))


def axis_top(value, *, integral=False):
    """The axis' upper bound. For whole numbers (counts) it is four times a whole step, so the
    four grid lines fall on whole numbers (0, 2, 4, 6, 8 rather than 0, 1.25, 2.5 …); steps 1, 2, 2.5, 3, 5 × 10ⁿ."""
    if not integral:
        return nice_max(value)
    step = 1
    while 4 * step < value:
        step = next(s for s in _integer_steps(step) if s > step)
    return float(4 * step)


def _integer_steps(after):
    import math

    exp = int(math.log10(after))
    return [int(m * 10**e) for e in (exp, exp + 1) for m in (1, 2, 2.5, 3, 5) if (m * 10**e) == int(m * 10**e)]


def _integral(values):
    return all(v is None or float(v).is_integer() for v in values)


def _svg(width, height, title, body, desc=""):
    """The chart as an image with a name and a description a screen reader reads out (WCAG 1.1.1):
    role="img", labelled by its <title> and described by its <desc>, which states the figures."""
    t = escape(str(title or _("Chart")))
    d = escape(str(desc or _("No data yet")))
    uid = next(_ids)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-{uid}-t chart-{uid}-d" '
        f'style="max-width:100%;font-family:{FONT}">'
        f'<title id="chart-{uid}-t">{t}</title><desc id="chart-{uid}-d">{d}</desc>{"".join(body)}</svg>'
    )


# Ids for <title>/<desc>, unique within a page whatever charts it holds.
_ids = itertools.count(1)


def _describe(categories, series, unit=""):
    """The figures in words: "长春市: 提交 4, 受理 3; 吉林市: …" (one series: "长春市 4; 吉林市 3")."""
    parts = []
    for i, cat in enumerate(categories):
        vals = [(name, vals[i] if i < len(vals) else None) for name, vals in series]
        if len(series) == 1:
            v = vals[0][1]
            parts.append(f"{cat} {'—' if v is None else _fmt(v) + unit}")
        else:
            parts.append(f"{cat}: " + ", ".join(f"{n} {'—' if v is None else _fmt(v) + unit}" for n, v in vals))
    return "; ".join(parts)


def _text(x, y, s, *, size=11, anchor="start", fill=TEXT, weight="normal", rotate=None):
    transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate is not None else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}" font-family="{FONT}"{transform}>{escape(str(s))}</text>')


def _empty(width, height, title):
    return _svg(width, height, title, [_text(width / 2, height / 2, _("No data yet"), anchor="middle", fill="#777")])


def _legend(series, x, y, *, right_edge, size=11):
    """The series' colour keys from (x, y), wrapped onto more lines before `right_edge`. Returns (parts, lines)."""
    parts, cx, lines = [], x, 1
    for i, (name, _values) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        item = 14 + _text_width(str(name), size) + 16
        if cx > x and cx + item - 16 > right_edge:
            cx, y, lines = x, y + LEGEND_LINE, lines + 1
        parts.append(f'<rect x="{cx:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(cx + 14, y, name, size=size))
        cx += item
    return parts, lines


def _legend_lines(series, x, right_edge, size=11):
    return _legend(series, x, 0, right_edge=right_edge, size=size)[1] if len(series) > 1 else 0


LEGEND_LINE = 18


def _text_width(s, size):
    # CJK characters are about one em wide, Latin about half.
    return sum(size if ord(c) > 0x2E80 else size * 0.6 for c in s)


def bar_chart(categories, series, *, title="", horizontal=False, stacked=False, width=640, height=None, unit=""):
    """series: [(name, [value per category])]. Grouped bars, or stacked with `stacked`."""
    categories = [str(c) for c in categories]
    series = [(str(n), [_num(v) for v in vals]) for n, vals in series]
    if not categories or not series or all(v is None or v == 0 for _n, vals in series for v in vals):
        return _empty(width, height or 200, title)
    if stacked:
        top = max(sum(v or 0 for v in col) for col in zip(*[vals for _n, vals in series], strict=False))
    else:
        top = max(v or 0 for _n, vals in series for v in vals)
    top = axis_top(top, integral=_integral(v for _n, vals in series for v in vals))
    legend = len(series) > 1
    body = []
    if horizontal:
        label_w = min(220, max(_text_width(c, 11) for c in categories) + 12)
        band = 22 if stacked or len(series) == 1 else 10 * len(series) + 8
        left, right = label_w, 56
        lines = _legend_lines(series, left, width - 4)
        height = height or int(30 + band * len(categories) + LEGEND_LINE * lines + (6 if lines else 0) + 24)
        top_pad = 10 + LEGEND_LINE * lines + (2 if lines else 0)
        plot_w = width - left - right
        if legend:
            body += _legend(series, left, 16, right_edge=width - 4)[0]
        for k in range(5):
            gx = left + plot_w * k / 4
            body.append(f'<line x1="{gx:.1f}" y1="{top_pad}" x2="{gx:.1f}" y2="{top_pad + band * len(categories)}" stroke="{GRID}"/>')
            body.append(_text(gx, top_pad + band * len(categories) + 14, _fmt(top * k / 4), size=10, anchor="middle", fill="#555"))
        for i, cat in enumerate(categories):
            y0 = top_pad + band * i
            body.append(_text(left - 6, y0 + band / 2 + 4, cat, anchor="end"))
            offset = 0.0
            for j, (_name, vals) in enumerate(series):
                v = vals[i] if i < len(vals) else None
                if not v:
                    continue
                color = PALETTE[j % len(PALETTE)]
                w = plot_w * v / top
                if stacked:
                    body.append(f'<rect x="{left + offset:.1f}" y="{y0 + 4:.1f}" width="{w:.1f}" height="{band - 8:.1f}" fill="{color}"/>')
                    offset += w
                else:
                    bh = (band - 8) / len(series)
                    body.append(f'<rect x="{left:.1f}" y="{y0 + 4 + j * bh:.1f}" width="{w:.1f}" height="{bh - 1:.1f}" fill="{color}"/>')
                    if len(series) == 1 or bh >= 9:
                        body.append(_text(left + w + 3, y0 + 4 + j * bh + bh / 2 + 4, _fmt(v) + unit, size=10, fill="#333"))
            total = sum(vals[i] or 0 for _n, vals in series if i < len(vals))
            if stacked and total:
                body.append(_text(left + offset + 3, y0 + band / 2 + 4, _fmt(total) + unit, size=10, fill="#333"))
        return _svg(width, height, title, body, _describe(categories, series, unit))
    height = height or 300
    left, right, bottom = 48, 12, 48
    lines = _legend_lines(series, left, width - 4)
    top_pad = 12 + LEGEND_LINE * lines + (2 if lines else 0)
    height += LEGEND_LINE * max(0, lines - 1)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    if legend:
        body += _legend(series, left, 16, right_edge=width - 4)[0]
    for k in range(5):
        gy = top_pad + plot_h - plot_h * k / 4
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, gy + 4, _fmt(top * k / 4), size=10, anchor="end", fill="#555"))
    band = plot_w / len(categories)
    rotate = band < max(_text_width(c, 11) for c in categories) + 4
    for i, cat in enumerate(categories):
        x0 = left + band * i
        if rotate:
            body.append(_text(x0 + band / 2, top_pad + plot_h + 12, cat, size=10, anchor="end", rotate=-35))
        else:
            body.append(_text(x0 + band / 2, top_pad + plot_h + 16, cat, anchor="middle"))
        offset = 0.0
        for j, (_name, vals) in enumerate(series):
            v = vals[i] if i < len(vals) else None
            if not v:
                continue
            color = PALETTE[j % len(PALETTE)]
            h = plot_h * v / top
            if stacked:
                body.append(f'<rect x="{x0 + band * 0.15:.1f}" y="{top_pad + plot_h - offset - h:.1f}" width="{band * 0.7:.1f}" height="{h:.1f}" fill="{color}"/>')
                offset += h
            else:
                bw = band * 0.8 / len(series)
                bx = x0 + band * 0.1 + j * bw
                body.append(f'<rect x="{bx:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" fill="{color}"/>')
                if bw >= 18:
                    body.append(_text(bx + bw / 2, top_pad + plot_h - h - 3, _fmt(v) + unit, size=9, anchor="middle", fill="#333"))
    return _svg(width, height, title, body, _describe(categories, series, unit))


def line_chart(categories, series, *, title="", width=640, height=280, unit=""):
    """series: [(name, [value per category])]; a None value breaks the line."""
    categories = [str(c) for c in categories]
    series = [(str(n), [_num(v) for v in vals]) for n, vals in series]
    values = [v for _n, vals in series for v in vals if v is not None]
    if not categories or not values:
        return _empty(width, height, title)
    top = axis_top(max(values), integral=_integral(values))
    legend = len(series) > 1
    left, right, bottom = 48, 16, 30
    lines = _legend_lines(series, left, width - 4)
    top_pad = 12 + LEGEND_LINE * lines + (2 if lines else 0)
    height += LEGEND_LINE * max(0, lines - 1)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    body = _legend(series, left, 16, right_edge=width - 4)[0] if legend else []
    for k in range(5):
        gy = top_pad + plot_h - plot_h * k / 4
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, gy + 4, _fmt(top * k / 4), size=10, anchor="end", fill="#555"))
    step = plot_w / max(1, len(categories) - 1) if len(categories) > 1 else 0
    xs = [left + (step * i if len(categories) > 1 else plot_w / 2) for i in range(len(categories))]
    for x, cat in zip(xs, categories, strict=True):
        body.append(_text(x, top_pad + plot_h + 16, cat, anchor="middle"))
    for j, (_name, vals) in enumerate(series):
        color = PALETTE[j % len(PALETTE)]
        segment = []
        for x, v in zip(xs, vals, strict=False):
            if v is None:
                if len(segment) > 1:
                    body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(segment)}"/>')
                segment = []
                continue
            y = top_pad + plot_h - plot_h * v / top
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
            body.append(_text(x, y - 6, _fmt(v) + unit, size=9, anchor="middle", fill="#333"))
        if len(segment) > 1:
            body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(segment)}"/>')
    return _svg(width, height, title, body, _describe(categories, series, unit))


def pie_chart(slices, *, title="", width=420, height=240):
    """slices: [(label, value)]; zero and None slices are left out of the drawing, not the legend."""
    import math

    slices = [(str(label), _num(v) or 0.0) for label, v in slices]
    total = sum(v for _l, v in slices if v > 0)
    if total <= 0:
        return _empty(width, height, title)
    cx, cy, r = height / 2, height / 2, height / 2 - 12
    body, angle = [], -math.pi / 2
    drawn = [(i, v) for i, (_l, v) in enumerate(slices) if v > 0]
    for i, v in drawn:
        color = PALETTE[i % len(PALETTE)]
        if len(drawn) == 1:
            body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{color}"/>')
            break
        sweep = 2 * math.pi * v / total
        x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
        x2, y2 = cx + r * math.cos(angle + sweep), cy + r * math.sin(angle + sweep)
        large = 1 if sweep > math.pi else 0
        body.append(f'<path d="M{cx:.1f},{cy:.1f} L{x1:.1f},{y1:.1f} A{r:.1f},{r:.1f} 0 {large} 1 {x2:.1f},{y2:.1f} Z" '
                    f'fill="{color}" stroke="#fff" stroke-width="1"/>')
        angle += sweep
    lx = height + 8
    for i, (label, v) in enumerate(slices):
        y = 24 + i * 20
        share = f"{100 * v / total:.1f}%" if total else ""
        body.append(f'<rect x="{lx}" y="{y - 10}" width="11" height="11" fill="{PALETTE[i % len(PALETTE)]}"/>')
        body.append(_text(lx + 16, y, f"{label}  {_fmt(v)} ({share})", size=11))
    return _svg(width, max(height, 24 + len(slices) * 20), title, body,
                "; ".join(f"{label} {_fmt(v)}" for label, v in slices))
