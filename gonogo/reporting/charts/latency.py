"""Latency over time: p50 and p95 lines, errors as bars, the p95 limit, the warm-up (the load check)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gonogo.reporting import svg

WIDTH, HEIGHT = svg.WIDTH, 360
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 60, 66, 44
_P50, _P95, _ERRORS, _LIMIT = "#1f77b4", "#d62728", "#ff7f0e", svg.LIMIT


class IntervalPoint(Protocol):
    """What the chart reads of one interval (the load runner's ``IntervalPoint`` has it)."""

    @property
    def t(self) -> float: ...
    @property
    def requests(self) -> int: ...
    @property
    def errors(self) -> int: ...
    @property
    def p50_ms(self) -> float | None: ...
    @property
    def p95_ms(self) -> float | None: ...


def latency_svg(
    points: Sequence[IntervalPoint],
    *,
    interval_s: float,
    warmup_s: float,
    p95_limit_ms: float | None,
    title: str,
) -> str:
    """The chart; its second line says how many requests over how long each point summarises."""
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    end_s = max([point.t + interval_s for point in points] + [warmup_s + interval_s, 1.0])
    values = [v for point in points for v in (point.p50_ms, point.p95_ms) if v is not None]
    highest = max([*values, 1.0])
    # the limit is drawn when it is near the data; far above, it would squash the lines flat
    limit_on_scale = p95_limit_ms is not None and p95_limit_ms <= 2 * highest
    # headroom above the limit: its caption sits inside the plot, not on the legend
    reach = max(highest, p95_limit_ms if limit_on_scale and p95_limit_ms else 0.0) * 1.05
    y_axis = svg.Axis.fitting(reach, start_px=_TOP + plot_h, end_px=_TOP, unit="ms")
    x_axis = svg.Axis.fitting(end_s, start_px=_LEFT, end_px=_LEFT + plot_w, intervals=6, unit="s")
    top_errors = max([point.errors for point in points] + [1])
    requests = sum(point.requests for point in points)
    errors = sum(point.errors for point in points)
    subtitle = (
        f"{svg.count(requests, 'request')} in {end_s:g} s ({svg.count(errors, 'error')}); "
        f"p50 and p95 of each {interval_s:g} s interval"
    )

    parts = svg.header(WIDTH, HEIGHT, title, subtitle, left=_LEFT)
    if warmup_s > 0:
        parts.append(
            f'<rect x="{x_axis.at(0):.1f}" y="{_TOP}" width="{x_axis.at(warmup_s) - x_axis.at(0):.1f}" '
            f'height="{plot_h}" fill="#eeeeee"/>'
            f'<text x="{x_axis.at(0) + 4:.1f}" y="{_TOP + 12}" fill="{svg.TEXT_MUTED}">warm-up</text>'
        )
    parts += svg.y_grid(y_axis, left=_LEFT, right=_LEFT + plot_w)
    parts += svg.x_ticks(x_axis, baseline_y=_TOP + plot_h)
    parts.append(svg.axis_title("time since start (s)", x=_LEFT + plot_w / 2, y=HEIGHT - 8))
    parts.append(svg.axis_title("latency (ms)", x=14, y=_TOP + plot_h / 2, rotate=-90))
    parts.append(
        svg.axis_title(
            f"errors per {interval_s:g} s interval (bar height: max {top_errors})",
            x=WIDTH - 14,
            y=_TOP + plot_h / 2,
            rotate=90,
            colour=_ERRORS,
        )
    )
    bar_w = max(1.0, plot_w * interval_s / x_axis.high - 1)
    for point in points:
        if point.errors:
            height = plot_h * 0.5 * point.errors / top_errors
            parts.append(
                f'<rect x="{x_axis.at(point.t):.1f}" y="{_TOP + plot_h - height:.1f}" width="{bar_w:.1f}" '
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
            svg.limit_line(
                y_axis.at(p95_limit_ms),
                left=_LEFT,
                right=_LEFT + plot_w,
                caption=f"p95 limit {p95_limit_ms:g} ms",
            )
        )
    for label, colour, attr in (("p50", _P50, "p50_ms"), ("p95", _P95, "p95_ms")):
        coords = [
            (x_axis.at(point.t + interval_s / 2), y_axis.at(getattr(point, attr)))
            for point in points
            if getattr(point, attr) is not None
        ]
        if coords:
            parts.append(svg.polyline(coords, colour=colour, title=label))
    for offset, (label, colour) in enumerate((("p50", _P50), ("p95", _P95), ("errors", _ERRORS))):
        lx = WIDTH - _RIGHT - 200 + offset * 70
        parts.append(
            f'<rect x="{lx}" y="44" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="54">{label}</text>'
        )
    parts.append(svg.frame(_LEFT, _TOP, plot_w, plot_h))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
