"""Horizontal bar charts as inline SVG, drawn in Python: no script, font file or network.

``bar_chart(chart)`` returns an ``<svg>`` element for an HTML page (no XML namespace
declaration: HTML puts inline ``svg`` in the SVG namespace itself). One row per
category, one bar per series; negative values run left of the zero line. A value that is
None (withheld or missing) draws no bar, only its label (the withheld marker or a dash).
"""

from __future__ import annotations

import unicodedata
from html import escape

from htz.publish.model import Chart

WIDTH = 760
FONT = 12
BAR = 14
GAP = 8
VALUE_SPACE = 96
MAX_LABEL = 300
COLOURS = ("#1f5fa8", "#e07b39", "#4d9a5b")


def text_width(text: str, size: int = FONT) -> float:
    """A rough width in pixels: wide (CJK) characters one em, others a little over half."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return (wide + 0.58 * (len(text) - wide)) * size


def _fit(text: str, room: float) -> str:
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _legend(chart: Chart) -> tuple[list[str], int]:
    """A key to the series, wrapped onto as many lines as it needs, and its height."""
    out, lx, ly = [], 8.0, 8
    for i, s in enumerate(chart.series):
        width = 16 + text_width(s.name) + 24
        if lx > 8 and lx + width > WIDTH:
            lx, ly = 8.0, ly + 20
        colour = COLOURS[i % len(COLOURS)]
        out.append(f'<rect x="{_n(lx)}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{_n(lx + 16)}" y="{ly + 10}">{escape(s.name)}</text>')
        lx += width
    return out, ly + 14


def bar_chart(chart: Chart) -> str:
    n_series = len(chart.series)
    values = [v for s in chart.series for v in s.values if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    label_w = min(MAX_LABEL, max([text_width(c) for c in chart.categories] + [40])) + 8
    legend, legend_h = _legend(chart) if n_series > 1 else ([], 0)
    row_h = n_series * BAR + GAP
    top = 8 + legend_h
    height = top + row_h * len(chart.categories) + 8
    plot_x = label_w + 4
    plot_w = WIDTH - plot_x - VALUE_SPACE

    def x(v: float) -> float:
        return plot_x + (v - low) / span * plot_w

    zero = x(0.0)
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {_n(height)}" width="100%" role="img" '
        f'aria-label="{escape(chart.title)}" font-size="{FONT}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    out += legend
    for r, category in enumerate(chart.categories):
        y0 = top + r * row_h
        mid = y0 + n_series * BAR / 2 + 4
        out.append(
            f'<text x="{_n(label_w)}" y="{_n(mid)}" text-anchor="end">'
            f"<title>{escape(category)}</title>{escape(_fit(category, label_w - 8))}</text>"
        )
        for i, s in enumerate(chart.series):
            y = y0 + i * BAR
            v = s.values[r]
            end = zero
            if v is not None:
                x0, x1 = sorted((zero, x(v)))
                colour = COLOURS[i % len(COLOURS)]
                out.append(
                    f'<rect x="{_n(x0)}" y="{_n(y + 1)}" width="{_n(max(x1 - x0, 0.5))}" '
                    f'height="{BAR - 2}" fill="{colour}"/>'
                )
                end = max(x1, zero)
            cls = "" if v is not None else ' class="withheld" fill="#777" font-style="italic"'
            out.append(
                f'<text x="{_n(end + 4)}" y="{_n(y + BAR - 3)}"{cls}>{escape(s.labels[r])}</text>'
            )
    out.append(
        f'<line x1="{_n(zero)}" y1="{top - 2}" x2="{_n(zero)}" y2="{_n(height - 6)}" '
        'stroke="#444" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "\n".join(out)
