"""Self-contained SVG plots (no plotting library): latency distributions and the watch over time.

* :func:`distributions_svg`: per route, the empirical distribution (ECDF) of the baseline's and the
  candidate's latencies, with each side's p50 and p95 marked. A candidate curve to the right of the
  baseline's is slower; a horizontal gap between the curves at height 0.5 is the shift of the median.
* :func:`watch_svg`: every measurement over time: the sample's p95 (and Prometheus' when configured)
  against the p95 limit, the sample's error rate as bars (Prometheus' as a dashed line) against its
  limit, each measurement a point coloured by its phase, and the moment the watch ended.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np

from gonogo.bluegreen.watch import End, Measurement, Phase, WatchResult

WIDTH = 760
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 64, 40, 46
BASELINE, CANDIDATE, LIMIT, GRID = "#1f77b4", "#ff7f0e", "#555555", "#dddddd"
PHASE_COLOURS = {
    Phase.SUCCESSFUL: "#2ca02c",
    Phase.FAILED: "#d62728",
    Phase.ERROR: "#7f7f7f",
    Phase.INCONCLUSIVE: "#bcbd22",
}


@dataclass(frozen=True)
class RouteSamples:
    """What the distribution plot needs of one route."""

    route: str
    baseline_ms: Sequence[float]
    candidate_ms: Sequence[float]
    #: e.g. "FAIL: shift +6.1 ms (98 % CI +4.9 to +7.3)"
    caption: str


def _nice(value: float) -> float:
    """A round number at or above ``value`` for an axis end."""
    if value <= 0:
        return 1.0
    exponent = 10 ** np.floor(np.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return float(step * exponent)
    return float(10 * exponent)


def _header(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{_LEFT}" y="22" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]


def distributions_svg(routes: Sequence[RouteSamples], *, title: str) -> str:
    panel_h = 230
    height = _TOP + len(routes) * (panel_h + 30) + 24
    parts = _header(WIDTH, max(height, 120), title)
    parts.append(
        f'<rect x="{WIDTH - 250}" y="10" width="12" height="3" fill="{BASELINE}"/>'
        f'<text x="{WIDTH - 234}" y="15">baseline</text>'
        f'<rect x="{WIDTH - 170}" y="10" width="12" height="3" fill="{CANDIDATE}"/>'
        f'<text x="{WIDTH - 154}" y="15">candidate</text>'
        f'<text x="{WIDTH - 90}" y="15" fill="{LIMIT}">┆ p50, p95</text>'
    )
    for index, route in enumerate(routes):
        top = _TOP + index * (panel_h + 30) + 18
        parts += _ecdf_panel(route, top, panel_h - 40)
    if not routes:
        parts.append(f'<text x="{_LEFT}" y="{_TOP + 30}">no route was compared</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _ecdf_panel(route: RouteSamples, top: float, plot_h: float) -> list[str]:
    plot_w = WIDTH - _LEFT - _RIGHT
    tails = [float(np.percentile(side, 95)) for side in (route.baseline_ms, route.candidate_ms) if len(side)]
    # the axis ends past the larger p95: a few slow outliers must not squash the curves (they are
    # drawn at the right edge, and counted under the axis)
    end = _nice(max(tails) * 1.6) if tails else 1.0
    beyond = sum(ms > end for ms in (*route.baseline_ms, *route.candidate_ms))

    def x(ms: float) -> float:
        return _LEFT + plot_w * min(ms, end) / end

    def y(fraction: float) -> float:
        return top + plot_h * (1 - fraction)

    parts = [
        f'<text x="{_LEFT}" y="{top - 6}" font-weight="bold">{escape(route.route)}</text>'
        f'<text x="{_LEFT + 180}" y="{top - 6}">{escape(route.caption)}</text>'
    ]
    for step in range(5):
        fraction = step / 4
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(fraction):.1f}" y2="{y(fraction):.1f}" '
            f'stroke="{GRID}"/><text x="{_LEFT - 6}" y="{y(fraction) + 4:.1f}" text-anchor="end">'
            f"{fraction:g}</text>"
        )
    for step in range(6):
        ms = end * step / 5
        parts.append(f'<text x="{x(ms):.1f}" y="{top + plot_h + 14}" text-anchor="middle">{ms:g}</text>')
    parts.append(
        f'<text x="{_LEFT + plot_w / 2}" y="{top + plot_h + 30}" text-anchor="middle">'
        "latency (ms); the curve gives the share of requests answered within it"
        + (f" ({beyond} beyond {end:g} ms drawn at the edge)" if beyond else "")
        + "</text>"
    )
    for samples, colour in ((route.baseline_ms, BASELINE), (route.candidate_ms, CANDIDATE)):
        if not samples:
            continue
        ordered = np.sort(np.asarray(samples, dtype=float))
        n = len(ordered)
        points = [f"{x(0):.1f},{y(0):.1f}"]
        for rank, ms in enumerate(ordered, start=1):
            points.append(f"{x(ms):.1f},{y((rank - 1) / n):.1f}")
            points.append(f"{x(ms):.1f},{y(rank / n):.1f}")
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.6"/>'
        )
        for q in (50, 95):
            at = float(np.percentile(ordered, q))
            parts.append(
                f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{y(0):.1f}" y2="{y(q / 100):.1f}" '
                f'stroke="{colour}" stroke-dasharray="3,3"><title>p{q} {at:.2f} ms</title></line>'
            )
    return parts


def watch_svg(result: WatchResult, *, p95_limit_ms: float, error_rate_limit: float, title: str) -> str:
    height = 340
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = height - _TOP - _BOTTOM
    measurements = result.measurements
    # a watch stopped early is drawn up to its end, not over the whole planned duration
    reached = max([result.elapsed_s, *(m.t_s for m in measurements)])
    end_s = result.duration_s if result.end is End.PASSED else max(reached * 1.08, 1.0)
    end_s = max(end_s, reached, 1.0)
    latencies = [
        v for m in measurements for v in (m.p95_ms, m.prometheus_p95_ms) if v is not None and v < 1e12
    ]
    top_ms = _nice(max([*latencies, p95_limit_ms]) * 1.15)
    rates = [v for m in measurements for v in (m.error_rate, m.prometheus_error_rate) if v is not None]
    top_rate = min(1.0, _nice(max([*rates, error_rate_limit * 2, 0.01]) * 1.1))

    def x(seconds: float) -> float:
        return _LEFT + plot_w * seconds / end_s

    def y(ms: float) -> float:
        return _TOP + plot_h * (1 - min(ms, top_ms) / top_ms)

    def y_rate(rate: float) -> float:
        return _TOP + plot_h * (1 - min(rate, top_rate) / top_rate)

    parts = _header(WIDTH, height, title)
    for step in range(5):
        ms = top_ms * step / 4
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" stroke="{GRID}"/>'
            f'<text x="{_LEFT - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:g}</text>'
            f'<text x="{_LEFT + plot_w + 6}" y="{y(ms) + 4:.1f}" fill="{CANDIDATE}">'
            f"{top_rate * step / 4:.0%}</text>"
        )
    tick = _nice(end_s / 6)
    for step in range(int(end_s / tick + 1e-9) + 1):
        seconds = step * tick
        parts.append(
            f'<text x="{x(seconds):.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle">{seconds:g}</text>'
        )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2}" y="{height - 8}" text-anchor="middle">'
        "seconds since the watch began"
        + ("" if result.end is End.PASSED else f" ({result.duration_s:g} s planned)")
        + "</text>"
        f'<text x="16" y="{_TOP + plot_h / 2}" transform="rotate(-90 16 {_TOP + plot_h / 2})" '
        'text-anchor="middle">sample p95 (ms)</text>'
        f'<text x="{WIDTH - 12}" y="{_TOP + plot_h / 2}" '
        f'transform="rotate(90 {WIDTH - 12} {_TOP + plot_h / 2})" '
        f'text-anchor="middle" fill="{CANDIDATE}">error rate (bars)</text>'
    )
    bar_w = max(2.0, min(16.0, plot_w * result.interval_s / end_s * 0.5))
    for m in measurements:
        if m.error_rate:
            parts.append(
                f'<rect x="{x(m.t_s) - bar_w / 2:.1f}" y="{y_rate(m.error_rate):.1f}" width="{bar_w:.1f}" '
                f'height="{_TOP + plot_h - y_rate(m.error_rate):.1f}" fill="{CANDIDATE}" fill-opacity="0.45">'
                f"<title>error rate {m.error_rate:.1%}</title></rect>"
            )
    parts.append(
        f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(p95_limit_ms):.1f}" y2="{y(p95_limit_ms):.1f}" '
        f'stroke="{LIMIT}" stroke-dasharray="6,4"/><text x="{_LEFT + 4}" y="{y(p95_limit_ms) - 4:.1f}" '
        f'fill="{LIMIT}">p95 limit {p95_limit_ms:g} ms</text>'
        f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y_rate(error_rate_limit):.1f}" '
        f'y2="{y_rate(error_rate_limit):.1f}" stroke="{CANDIDATE}" stroke-dasharray="2,4"/>'
        f'<text x="{_LEFT + plot_w - 4}" y="{y_rate(error_rate_limit) - 4:.1f}" text-anchor="end" '
        f'fill="{CANDIDATE}">error rate limit {error_rate_limit:.1%}</text>'
    )
    parts += _series(measurements, value=lambda m: m.p95_ms, x=x, y=y, colour="#333333", style="")
    parts += _series(
        measurements,
        value=lambda m: m.prometheus_error_rate,
        x=x,
        y=y_rate,
        colour=CANDIDATE,
        style=' stroke-dasharray="5,3"',
    )
    parts += _series(
        measurements,
        value=lambda m: m.prometheus_p95_ms,
        x=x,
        y=y,
        colour="#9467bd",
        style=' stroke-dasharray="5,3"',
    )
    for m in measurements:
        colour = PHASE_COLOURS[m.phase]
        shown = m.p95_ms if m.p95_ms is not None else m.prometheus_p95_ms
        cy = y(shown) if shown is not None else _TOP + plot_h - 6
        why = "; ".join(m.reasons) or m.phase.value
        parts.append(
            f'<circle cx="{x(m.t_s):.1f}" cy="{cy:.1f}" r="4" fill="{colour}">'
            f"<title>#{m.index} at {m.t_s:.2f} s: {escape(m.phase.value)}: {escape(why)}</title></circle>"
        )
    ended = x(result.elapsed_s)
    parts.append(
        f'<line x1="{ended:.1f}" x2="{ended:.1f}" y1="{_TOP}" y2="{_TOP + plot_h}" stroke="#000000"/>'
        f'<text x="{ended - 4:.1f}" y="{_TOP + plot_h - 10}" text-anchor="end">'
        f"{escape(result.end.value.upper())} after {result.elapsed_s:.1f} s</text>"
    )
    series = [("#333333", "", "sample p95")]
    if any(m.prometheus_p95_ms is not None for m in measurements):
        series.append(("#9467bd", "5,3", "Prometheus p95"))
    if any(m.prometheus_error_rate is not None for m in measurements):
        series.append((CANDIDATE, "5,3", "Prometheus error rate"))
    for offset, (colour, dash, label) in enumerate(series):
        lx = WIDTH - 480 + offset * 135
        parts.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="31" y2="31" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="{dash or "none"}"/><text x="{lx + 22}" y="35">{label}</text>'
        )
    legend = [(colour, phase.value) for phase, colour in PHASE_COLOURS.items()]
    for offset, (colour, label) in enumerate(legend):
        lx = WIDTH - 360 + offset * 90
        parts.append(
            f'<circle cx="{lx}" cy="12" r="4" fill="{colour}"/><text x="{lx + 8}" y="16">{label}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _series(
    measurements: Sequence[Measurement],
    *,
    value: Callable[[Measurement], float | None],
    x: Callable[[float], float],
    y: Callable[[float], float],
    colour: str,
    style: str,
) -> list[str]:
    points = [f"{x(m.t_s):.1f},{y(v):.1f}" for m in measurements if (v := value(m)) is not None]
    if len(points) < 2:
        return []
    return [
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.5"{style}/>'
    ]
