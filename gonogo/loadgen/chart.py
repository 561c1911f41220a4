"""Latency over time as a self-contained SVG: p50 and p95 lines, errors as bars, the p95 limit, the warm-up.

Written by hand (no plotting library): a few dozen elements, readable in any browser and in Allure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from gonogo.loadgen.results import IntervalPoint

WIDTH, HEIGHT = 760, 340
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 60, 52, 44
_P50, _P95, _ERRORS, _LIMIT = "#1f77b4", "#d62728", "#ff7f0e", "#555555"


def latency_svg(
    points: Sequence[IntervalPoint],
    *,
    interval_s: float,
    warmup_s: float,
    p95_limit_ms: float | None,
    title: str,
) -> str:
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    end_s = max([point.t + interval_s for point in points] + [warmup_s + interval_s, 1.0])
    values = [v for point in points for v in (point.p50_ms, point.p95_ms) if v is not None]
    highest = max([*values, 1.0])
    # the limit is drawn when it is near the data; far above, it would squash the lines flat
    limit_on_scale = p95_limit_ms is not None and p95_limit_ms <= 2 * highest
    top_ms = _nice(max(highest, p95_limit_ms if limit_on_scale and p95_limit_ms else 0.0) * 1.1)
    top_errors = max([point.errors for point in points] + [1])

    def x(seconds: float) -> float:
        return _LEFT + plot_w * seconds / end_s

    def y(ms: float) -> float:
        return _TOP + plot_h * (1 - ms / top_ms)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{_LEFT}" y="20" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    if warmup_s > 0:
        parts.append(
            f'<rect x="{x(0):.1f}" y="{_TOP}" width="{x(warmup_s) - x(0):.1f}" height="{plot_h}" '
            'fill="#eeeeee"/>'
            f'<text x="{x(0) + 4:.1f}" y="{_TOP + 12}" fill="#777777">warm-up</text>'
        )
    for step in range(5):
        ms = top_ms * step / 4
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" stroke="#dddddd"/>'
            f'<text x="{_LEFT - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:g}</text>'
        )
    tick = _nice(end_s / 6)
    for step in range(int(end_s / tick) + 1):
        seconds = step * tick
        parts.append(
            f'<text x="{x(seconds):.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle">{seconds:g}</text>'
        )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">seconds since start</text>'
        f'<text x="14" y="{_TOP + plot_h / 2}" transform="rotate(-90 14 {_TOP + plot_h / 2})" '
        f'text-anchor="middle">latency (ms)</text>'
        f'<text x="{WIDTH - 14}" y="{_TOP + plot_h / 2}" '
        f'transform="rotate(90 {WIDTH - 14} {_TOP + plot_h / 2})" '
        f'text-anchor="middle" fill="{_ERRORS}">errors per {interval_s:g} s (max {top_errors})</text>'
    )
    bar_w = max(1.0, plot_w * interval_s / end_s - 1)
    for point in points:
        if point.errors:
            height = plot_h * 0.5 * point.errors / top_errors
            parts.append(
                f'<rect x="{x(point.t):.1f}" y="{_TOP + plot_h - height:.1f}" width="{bar_w:.1f}" '
                f'height="{height:.1f}" fill="{_ERRORS}" fill-opacity="0.6">'
                f"<title>{point.errors} errors</title></rect>"
            )
    if p95_limit_ms is not None and not limit_on_scale:
        parts.append(
            f'<text x="{_LEFT + plot_w - 4}" y="{_TOP + 12}" text-anchor="end" fill="{_LIMIT}">'
            f"p95 limit {p95_limit_ms:g} ms: above the chart</text>"
        )
    elif p95_limit_ms is not None:
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(p95_limit_ms):.1f}" y2="{y(p95_limit_ms):.1f}" '
            f'stroke="{_LIMIT}" stroke-dasharray="6 4"/>'
            f'<text x="{_LEFT + plot_w - 4}" y="{y(p95_limit_ms) - 4:.1f}" text-anchor="end" fill="{_LIMIT}">'
            f"p95 limit {p95_limit_ms:g} ms</text>"
        )
    for label, color, attr in (("p50", _P50, "p50_ms"), ("p95", _P95, "p95_ms")):
        coords = [
            f"{x(point.t + interval_s / 2):.1f},{y(getattr(point, attr)):.1f}"
            for point in points
            if getattr(point, attr) is not None
        ]
        if coords:
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(coords)}">'
                f"<title>{label}</title></polyline>"
            )
    for offset, (label, color) in enumerate((("p50", _P50), ("p95", _P95), ("errors", _ERRORS))):
        lx = _LEFT + offset * 70
        parts.append(
            f'<rect x="{lx}" y="28" width="12" height="12" fill="{color}"/>'
            f'<text x="{lx + 16}" y="38">{label}</text>'
        )
    parts.append(
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999999"/>'
        "</svg>"
    )
    return "\n".join(parts) + "\n"


def _nice(value: float) -> float:
    """A round number at or above ``value``: 1, 2, 2.5 or 5 times a power of ten."""
    magnitude = 10.0 ** math.floor(math.log10(value)) if value > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return value
