"""Inline SVG charts for the HTML report, drawn in Python so that the report needs no
JavaScript, stylesheet or font from outside the file. Every text is escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5")
_FONT = 'font-family="inherit" font-size="12"'


def histogram(values: Sequence[float], *, title: str, lo: float = 0.0, hi: float | None = None, bins: int = 10,
              unit: str = "", color: str = PALETTE[0]) -> str:
    """Counts of `values` in `bins` equal bins over [lo, hi] (hi: a round number above
    the largest value when None); the last bin includes hi."""
    width, height, left, right, top, bottom = 560, 230, 44, 16, 30, 40
    if not values:
        return _empty(title, width)
    if hi is None:
        hi = nice_ceiling(max(values))
    if hi <= lo:
        hi = lo + 1
    counts = [0] * bins
    for value in values:
        index = int((min(max(value, lo), hi) - lo) / (hi - lo) * bins)
        counts[min(index, bins - 1)] += 1
    peak = max(counts) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    bar_w = plot_w / bins
    parts = [_open(width, height, f"{title} (n={len(values)})"), _title(title + f" (n={len(values)})", left)]
    for tick in _count_ticks(peak):
        y = top + plot_h - tick / peak * plot_h
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {_FONT} fill="#4a5568">{tick}</text>')
    for i, count in enumerate(counts):
        if not count:
            continue
        h = count / peak * plot_h
        x = left + i * bar_w
        edge_lo, edge_hi = lo + i * (hi - lo) / bins, lo + (i + 1) * (hi - lo) / bins
        parts.append(f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                     f'fill="{color}"><title>{escape(_fmt(edge_lo))}–{escape(_fmt(edge_hi))}{escape(unit)}: '
                     f'{count}건</title></rect>')
    for i in range(0, bins + 1, max(1, bins // 5)):
        x = left + i * bar_w
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" {_FONT} fill="#4a5568">'
                     f'{escape(_fmt(lo + i * (hi - lo) / bins))}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#718096"/>')
    if unit:
        parts.append(f'<text x="{width - right}" y="{height - 6}" text-anchor="end" {_FONT} fill="#4a5568">'
                     f'{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(rows: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str], *, title: str,
              hi: float = 1.0) -> str:
    """Grouped horizontal bars, one group per row label and one bar per series, over
    [0, hi]; a missing value (nothing to measure) is written as "–", not drawn as 0."""
    width, left, right, top = 680, 200, 56, 52
    bar_h, gap = 14, 10
    if not rows:
        return _empty(title, width)
    group_h = len(series) * bar_h + gap
    height = top + len(rows) * group_h + 10
    plot_w = width - left - right
    parts = [_open(width, height, title), _title(title, 8)]
    x = 8
    for i, name in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="30" width="12" height="12" fill="{color}"/>'
                     f'<text x="{x + 16}" y="40" {_FONT} fill="#2d3748">{escape(name)}</text>')
        x += 24 + 13 * len(name)
    for r, (label, values) in enumerate(rows):
        y0 = top + r * group_h
        shown = label if len(label) <= 18 else label[:17] + "…"
        parts.append(f'<text x="{left - 8}" y="{y0 + group_h / 2:.1f}" text-anchor="end" {_FONT} fill="#2d3748">'
                     f'<title>{escape(label)}</title>{escape(shown)}</text>')
        for s, value in enumerate(values):
            y = y0 + s * bar_h
            color = PALETTE[s % len(PALETTE)]
            if value is None:
                parts.append(f'<text x="{left + 4}" y="{y + 11}" {_FONT} fill="#a0aec0">–</text>')
                continue
            w = max(0.0, min(value / hi, 1.0)) * plot_w
            parts.append(f'<rect x="{left}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}">'
                         f'<title>{escape(series[s])}: {value:.3f}</title></rect>')
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 11}" {_FONT} fill="#2d3748">{value:.2f}</text>')
    parts.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{height - 10}" stroke="#718096"/>')
    parts.append("</svg>")
    return "".join(parts)


def nice_ceiling(value: float) -> float:
    """1, 2 or 5 times a power of ten, at or above value."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def _count_ticks(peak: int) -> list[int]:
    step = max(1, math.ceil(peak / 4))
    return list(range(0, peak + 1, step))


def _open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(label)}" class="chart">')


def _title(text: str, x: int) -> str:
    return f'<text x="{x}" y="18" font-family="inherit" font-size="14" font-weight="bold" fill="#1a202c">' \
           f'{escape(text)}</text>'


def _empty(title: str, width: int) -> str:
    return (_open(width, 60, title) + _title(title, 8)
            + f'<text x="8" y="44" {_FONT} fill="#718096">자료 없음</text></svg>')


def _fmt(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
