"""Blue-green charts: latency distributions (baseline vs candidate) and the watch over time.

* :func:`distributions_svg`: per route, the empirical distribution (ECDF) of the baseline's and the
  candidate's latencies, with each side's p50 and p95 marked. A candidate curve to the right of the
  baseline's is slower; a horizontal gap between the curves at height 0.5 is the shift of the median.
* :func:`watch_svg`: every measurement over time: the sample's p95 (and Prometheus' when configured)
  against the p95 limit, the sample's error rate as bars (Prometheus' as a dashed line) against its
  limit, each measurement a point coloured by its phase, and the moment the watch ended. The error-rate
  axis (right) shares the latency axis' grid, each with its own round ticks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gonogo.bluegreen.watch import End, Measurement, Phase, WatchResult
from gonogo.reporting import svg
from gonogo.reporting.svg import escape

WIDTH = svg.WIDTH
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 64, 56, 46
BASELINE, CANDIDATE, LIMIT, GRID = "#1f77b4", "#ff7f0e", svg.LIMIT, svg.GRID
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


def distributions_svg(routes: Sequence[RouteSamples], *, title: str) -> str:
    panel_h = 230
    height = _TOP + len(routes) * (panel_h + 30) + 24
    samples = sum(len(r.baseline_ms) + len(r.candidate_ms) for r in routes)
    subtitle = (
        f"{svg.count(samples, 'request')} over {svg.count(len(routes), 'route')}: "
        "the share of each side's requests answered within a latency"
    )
    parts = svg.header(WIDTH, max(height, 120), title, subtitle, left=_LEFT)
    parts.append(
        f'<rect x="{WIDTH - 250}" y="10" width="12" height="3" fill="{BASELINE}"/>'
        f'<text x="{WIDTH - 234}" y="15">baseline</text>'
        f'<rect x="{WIDTH - 170}" y="10" width="12" height="3" fill="{CANDIDATE}"/>'
        f'<text x="{WIDTH - 154}" y="15">candidate</text>'
        f'<text x="{WIDTH - 90}" y="15" fill="{LIMIT}">dashed: p50, p95</text>'
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
    x_axis = svg.Axis.fitting(
        max(tails) * 1.5 if tails else 1.0, start_px=_LEFT, end_px=_LEFT + plot_w, intervals=5, unit="ms"
    )
    end = x_axis.high
    beyond = sum(ms > end for ms in (*route.baseline_ms, *route.candidate_ms))
    y_axis = svg.Axis(0.0, 1.0, 0.25, top + plot_h, top)
    x, y = x_axis.at, y_axis.at
    counts = f"n = {len(route.baseline_ms)} baseline, {len(route.candidate_ms)} candidate"
    parts = [
        f'<text x="{_LEFT}" y="{top - 6}" font-weight="bold">{escape(route.route)}</text>'
        f'<text x="{_LEFT + 180}" y="{top - 6}">{escape(route.caption)} ({counts})</text>'
    ]
    parts += svg.y_grid(y_axis, left=_LEFT, right=_LEFT + plot_w)
    parts += svg.x_ticks(x_axis, baseline_y=top + plot_h)
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
        points = [(x(0), y(0))]
        for rank, ms in enumerate(ordered, start=1):
            points.append((x(float(ms)), y((rank - 1) / n)))
            points.append((x(float(ms)), y(rank / n)))
        parts.append(svg.polyline(points, colour=colour, width=1.6))
        for q in (50, 95):
            at = float(np.percentile(ordered, q))
            parts.append(
                f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{y(0):.1f}" y2="{y(q / 100):.1f}" '
                f'stroke="{colour}" stroke-dasharray="3,3"><title>p{q} {at:.2f} ms</title></line>'
            )
    return parts


def watch_svg(result: WatchResult, *, p95_limit_ms: float, error_rate_limit: float, title: str) -> str:
    """The watch; its second line says how many measurements and sampled requests it shows."""
    height = 360
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
    bottom = _TOP + plot_h
    y_ms = svg.Axis.fitting(max([*latencies, p95_limit_ms]) * 1.05, start_px=bottom, end_px=_TOP, unit="ms")
    rates = [v for m in measurements for v in (m.error_rate, m.prometheus_error_rate) if v is not None]
    # the rate axis takes the latency axis' grid lines, with its own round step: both limits on scale
    y_rate = svg.Axis.with_intervals(
        min(1.0, max([*rates, error_rate_limit * 1.5, 0.01])),
        y_ms.intervals,
        start_px=bottom,
        end_px=_TOP,
        percent=True,
    )
    x_axis = svg.Axis.fitting(end_s, start_px=_LEFT, end_px=_LEFT + plot_w, intervals=6, unit="s")
    x, y = x_axis.at, y_ms.at
    sent = sum(m.sample_sent for m in measurements)
    subtitle = (
        f"{svg.count(len(measurements), 'measurement')} every {result.interval_s:g} s, "
        f"{svg.count(sent, 'sampled request')}"
        + ("" if result.end is End.PASSED else f"; stopped early ({result.duration_s:g} s planned)")
    )

    parts = svg.header(WIDTH, height, title, subtitle, left=_LEFT)
    parts += svg.y_grid(y_ms, left=_LEFT, right=_LEFT + plot_w)
    parts += svg.y_grid(y_rate, left=_LEFT, right=_LEFT + plot_w, side="right", colour=CANDIDATE)
    parts += svg.x_ticks(x_axis, baseline_y=bottom)
    parts.append(svg.axis_title("time since the watch began (s)", x=_LEFT + plot_w / 2, y=height - 8))
    parts.append(svg.axis_title("sample p95 latency (ms)", x=16, y=_TOP + plot_h / 2, rotate=-90))
    parts.append(
        svg.axis_title("error rate (%, bars)", x=WIDTH - 12, y=_TOP + plot_h / 2, rotate=90, colour=CANDIDATE)
    )
    bar_w = max(2.0, min(16.0, plot_w * result.interval_s / x_axis.high * 0.5))
    for m in measurements:
        if m.error_rate:
            tip = f"error rate {m.error_rate:.1%} ({m.sample_errors} of {m.sample_answered})"
            parts.append(
                f'<rect x="{x(m.t_s) - bar_w / 2:.1f}" y="{y_rate.at(m.error_rate):.1f}" width="{bar_w:.1f}" '
                f'height="{bottom - y_rate.at(m.error_rate):.1f}" fill="{CANDIDATE}" fill-opacity="0.45">'
                f"<title>{tip}</title></rect>"
            )
    parts.append(
        svg.limit_line(
            y(p95_limit_ms),
            left=_LEFT,
            right=_LEFT + plot_w,
            caption=f"p95 limit {y_ms.value_text(p95_limit_ms)}",
            anchor="start",
        )
    )
    parts.append(
        svg.limit_line(
            y_rate.at(error_rate_limit),
            left=_LEFT,
            right=_LEFT + plot_w,
            caption=f"error rate limit {y_rate.value_text(error_rate_limit)}",
            colour=CANDIDATE,
        )
    )
    parts += _series(measurements, value=lambda m: m.p95_ms, x=x, y=y, colour="#333333", dash="")
    parts += _series(
        measurements, value=lambda m: m.prometheus_error_rate, x=x, y=y_rate.at, colour=CANDIDATE, dash="5,3"
    )
    parts += _series(
        measurements, value=lambda m: m.prometheus_p95_ms, x=x, y=y, colour="#9467bd", dash="5,3"
    )
    for m in measurements:
        colour = PHASE_COLOURS[m.phase]
        shown = m.p95_ms if m.p95_ms is not None else m.prometheus_p95_ms
        cy = y(shown) if shown is not None else bottom - 6
        why = "; ".join(m.reasons) or m.phase.value
        parts.append(
            f'<circle cx="{x(m.t_s):.1f}" cy="{cy:.1f}" r="4" fill="{colour}">'
            f"<title>#{m.index} at {m.t_s:.2f} s: {escape(m.phase.value)}: {escape(why)}</title></circle>"
        )
    ended = x(result.elapsed_s)
    parts.append(
        f'<line x1="{ended:.1f}" x2="{ended:.1f}" y1="{_TOP}" y2="{bottom}" stroke="#000000"/>'
        f'<text x="{ended - 4:.1f}" y="{_TOP + 14}" text-anchor="end">'
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
            f'<line x1="{lx}" x2="{lx + 18}" y1="46" y2="46" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="{dash or "none"}"/><text x="{lx + 22}" y="50">{label}</text>'
        )
    for offset, (phase, colour) in enumerate(PHASE_COLOURS.items()):
        lx = WIDTH - 360 + offset * 90
        parts.append(
            f'<circle cx="{lx}" cy="12" r="4" fill="{colour}"/><text x="{lx + 8}" y="16">{phase.value}</text>'
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
    dash: str,
) -> list[str]:
    points = [(x(m.t_s), y(v)) for m in measurements if (v := value(m)) is not None]
    if len(points) < 2:
        return []
    return [svg.polyline(points, colour=colour, width=1.5, dash=dash)]
