"""The few SVG pieces gonogo's charts share: the frame, honest axes, lines, text.

Written by hand (no plotting library): a chart is a few dozen elements that any browser, Allure and a
GitHub step summary show as they are. What "honest" means here:

* ticks are round numbers (1, 2 or 5 times a power of ten apart) and every label differs from the
  others: the precision of a label follows the tick step, so 0.5 % steps read 0.5 %, 1.0 %, 1.5 %;
* the axis ends on a tick at or above the highest value it must show (a limit included), so a limit
  line sits exactly where its value is on the axis;
* every axis names its unit, and the caller's title says what was measured over how many samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as _escape

WIDTH = 760
GRID, LIMIT, TEXT_MUTED = "#dddddd", "#555555", "#777777"
#: steps between ticks, per power of ten
_STEPS = (1.0, 2.0, 5.0, 10.0)


def escape(text: object) -> str:
    """Text for an SVG element or attribute (quotes included)."""
    return _escape(str(text), {'"': "&quot;"})


def nice_step(span: float, intervals: int) -> float:
    """The smallest round step (1, 2 or 5 times a power of ten) that covers ``span`` in ``intervals``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(intervals, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in _STEPS:
        if raw <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop ends on 10


def nice_ceiling(value: float) -> float:
    """A round number at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover


def decimals_for(step: float) -> int:
    """Digits after the point that tell ticks ``step`` apart (0.25 needs 2, 5 needs none)."""
    for digits in range(10):
        if abs(round(step, digits) - step) <= abs(step) * 1e-9:
            return digits
    return 10


@dataclass(frozen=True)
class Axis:
    """A linear value axis from 0 (or ``low``) to ``high`` in ticks ``step`` apart, mapped to pixels.

    ``start_px`` is where ``low`` is drawn and ``end_px`` where ``high`` is (for a vertical axis the
    start is the bottom: ``start_px > end_px``).
    """

    low: float
    high: float
    step: float
    start_px: float
    end_px: float
    unit: str = ""
    #: shown as a percentage (values are fractions: 0.01 reads 1 %)
    percent: bool = False

    @classmethod
    def fitting(
        cls,
        highest: float,
        *,
        start_px: float,
        end_px: float,
        intervals: int = 4,
        unit: str = "",
        percent: bool = False,
        low: float = 0.0,
    ) -> Axis:
        """An axis from ``low`` whose last tick is at or above ``highest``, in about ``intervals`` steps."""
        span = max(highest - low, 0.0)
        step = nice_step(span if span > 0 else 1.0, intervals)
        count = max(1, math.ceil(span / step - 1e-9))
        return cls(low, low + count * step, step, start_px, end_px, unit, percent)

    @classmethod
    def with_intervals(
        cls,
        highest: float,
        intervals: int,
        *,
        start_px: float,
        end_px: float,
        unit: str = "",
        percent: bool = False,
    ) -> Axis:
        """Exactly ``intervals`` round steps from 0 up to ``highest`` or more: a second axis on a grid."""
        step = nice_step(highest if highest > 0 else 1.0, intervals)
        return cls(0.0, intervals * step, step, start_px, end_px, unit, percent)

    @property
    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [self.low + index * self.step for index in range(count + 1)]

    @property
    def intervals(self) -> int:
        return len(self.ticks) - 1

    def at(self, value: float) -> float:
        """The pixel of ``value``; values outside the axis are drawn at its ends."""
        clamped = min(max(value, self.low), self.high)
        fraction = (clamped - self.low) / (self.high - self.low) if self.high > self.low else 0.0
        return self.start_px + (self.end_px - self.start_px) * fraction

    def label(self, value: float) -> str:
        """A tick's label: as precise as the step needs, no more (every label differs)."""
        if self.percent:
            return f"{value * 100:.{decimals_for(self.step * 100)}f}%"
        return f"{value:.{decimals_for(self.step)}f}"

    def value_text(self, value: float) -> str:
        """A value with its unit, as a limit line's caption says it."""
        if self.percent:
            return f"{value * 100:.{max(decimals_for(self.step * 100), decimals_for(value * 100))}f}%"
        text = f"{value:g}"
        return f"{text} {self.unit}".strip()


def header(width: int, height: int, title: str, subtitle: str = "", *, left: int = 60) -> list[str]:
    """The opening tag, the title (also the tooltip and the accessible name), an optional second line."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{left}" y="20" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    if subtitle:
        parts.append(f'<text x="{left}" y="36" fill="{TEXT_MUTED}">{escape(subtitle)}</text>')
    return parts


def y_grid(axis: Axis, *, left: float, right: float, side: str = "left", colour: str = "") -> list[str]:
    """Horizontal grid lines at the ticks, labelled on the ``left`` or ``right`` of the plot."""
    parts = []
    for value in axis.ticks:
        y = axis.at(value)
        if side == "left":
            parts.append(
                f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{axis.label(value)}</text>'
            )
        else:
            fill = f' fill="{colour}"' if colour else ""
            parts.append(f'<text x="{right + 6}" y="{y + 4:.1f}"{fill}>{axis.label(value)}</text>')
    return parts


def x_ticks(axis: Axis, *, baseline_y: float) -> list[str]:
    return [
        f'<text x="{axis.at(value):.1f}" y="{baseline_y + 16:.1f}" text-anchor="middle">'
        f"{axis.label(value)}</text>"
        for value in axis.ticks
    ]


def axis_title(text: str, *, x: float, y: float, rotate: int = 0, colour: str = "") -> str:
    """An axis caption; ``rotate`` -90 for a left axis, 90 for a right one."""
    turn = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
    fill = f' fill="{colour}"' if colour else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{turn} text-anchor="middle"{fill}>{escape(text)}</text>'


def limit_line(
    y: float, *, left: float, right: float, caption: str, colour: str = LIMIT, anchor: str = "end"
) -> str:
    """A dashed horizontal line at a limit's value, captioned above it."""
    x = right - 4 if anchor == "end" else left + 4
    return (
        f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
        f'stroke-dasharray="6,4"><title>{escape(caption)}</title></line>'
        f'<text x="{x:.1f}" y="{y - 4:.1f}" text-anchor="{anchor}" fill="{colour}">{escape(caption)}</text>'
    )


def polyline(
    points: Sequence[tuple[float, float]], *, colour: str, width: float = 2.0, dash: str = "", title: str = ""
) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    tip = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<polyline fill="none" stroke="{colour}" stroke-width="{width:g}"{dashed} points="{coords}">'
        f"{tip}</polyline>"
    )


def frame(left: float, top: float, width: float, height: float) -> str:
    return f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#999999"/>'


def count(number: int, noun: str) -> str:
    """``count(1, "request")`` -> "1 request"; thousands separated (12,345 requests)."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
