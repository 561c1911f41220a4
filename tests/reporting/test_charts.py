"""The charts read right: round, distinct ticks; limit lines exactly at their value; units; titles that
say what was measured over how many samples (issue 17: the watch's error-rate axis read 2%, 2%, 1%, 1%,
0% with the 1% limit line below the "1%" tick)."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonogo.bluegreen.watch import End, Limits, Measurement, Phase, Tally, WatchResult
from gonogo.loadgen.measurements import IntervalPoint
from gonogo.reporting import svg
from gonogo.reporting.charts.bluegreen import RouteSamples, distributions_svg, watch_svg
from gonogo.reporting.charts.latency import latency_svg

NS = "{http://www.w3.org/2000/svg}"


def _texts(document: str) -> list[str]:
    return [text.text or "" for text in ET.fromstring(document).iter(f"{NS}text")]


def _tick_rows(document: str, *, x: float, anchor: str | None) -> list[tuple[str, float]]:
    """Tick labels of one vertical axis (those at ``x``), top to bottom, with the y of their grid line."""
    rows = []
    for text in ET.fromstring(document).iter(f"{NS}text"):
        if (
            float(text.get("x", "nan")) != x
            or text.get("text-anchor") != anchor
            or "transform" in text.attrib
        ):
            continue
        rows.append((text.text or "", float(text.get("y", "nan")) - 4))  # labels sit 4 px below their line
    return rows


def _watch(rates: list[float], p95s: list[float]) -> WatchResult:
    measurements = tuple(
        Measurement(
            index=i + 1,
            t_s=i * 1.0,
            duration_ms=20.0,
            phase=Phase.FAILED if rate > 0.01 else Phase.SUCCESSFUL,
            sample_sent=20,
            sample_answered=20,
            sample_errors=round(rate * 20),
            p95_ms=p95,
        )
        for i, (rate, p95) in enumerate(zip(rates, p95s, strict=True))
    )
    return WatchResult(
        End.FAILED, "failed 1 > 0", measurements, len(rates) - 1.0, Tally(), 10.0, 1.0, Limits()
    )


def test_the_watch_error_rate_axis_has_distinct_ticks_and_the_limit_on_its_own_tick() -> None:
    # the shape of issue 17's report: a 1 % limit and a worst measurement of 0 %
    document = watch_svg(
        _watch([0.0, 0.0, 0.0], [40.0, 42.0, 41.0]), p95_limit_ms=300, error_rate_limit=0.01, title="t"
    )

    right = _tick_rows(document, x=760 - 64 + 6, anchor=None)
    labels = [label for label, _ in right]
    assert len(labels) == len(set(labels)) >= 3, labels
    assert all(label.endswith("%") for label in labels)
    assert "1%" in labels or "1.0%" in labels, labels
    one = dict(right).get("1%", dict(right).get("1.0%"))
    limit = next(
        line
        for line in ET.fromstring(document).iter(f"{NS}line")
        if "error rate limit" in (line.findtext(f"{NS}title") or "")
    )
    assert float(limit.get("y1", "nan")) == pytest.approx(one, abs=0.11)
    assert "error rate limit 1.0%" in _texts(document)  # as precise as the ticks


def test_the_watch_p95_limit_line_is_at_its_value_on_the_latency_axis() -> None:
    document = watch_svg(
        _watch([0.0, 0.05, 0.1], [120.0, 180.0, 260.0]), p95_limit_ms=200, error_rate_limit=0.02, title="t"
    )
    left = _tick_rows(document, x=64 - 6, anchor="end")
    labels = [label for label, _ in left]
    assert len(labels) == len(set(labels)), labels
    values = [float(label) for label in labels]
    assert max(values) >= 260  # the axis reaches the highest measurement
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1  # evenly spaced round numbers
    step = steps.pop()
    assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 5)
    # y is linear in the value: the 200 ms limit lies where the ticks put 200 ms
    (a, ya), (b, yb) = sorted((float(k), v) for k, v in left)[:2]
    expected = ya + (200 - a) * (yb - ya) / (b - a)
    limit = next(
        line
        for line in ET.fromstring(document).iter(f"{NS}line")
        if (line.findtext(f"{NS}title") or "").startswith("p95 limit")
    )
    assert float(limit.get("y1", "nan")) == pytest.approx(expected, abs=0.11)


def test_the_watch_names_its_units_and_how_many_measurements_and_requests_it_shows() -> None:
    document = watch_svg(
        _watch([0.0, 0.0, 0.1], [40.0, 42.0, 41.0]), p95_limit_ms=300, error_rate_limit=0.01, title="watch"
    )
    texts = _texts(document)
    assert "sample p95 latency (ms)" in texts
    assert "error rate (%, bars)" in texts
    assert "time since the watch began (s)" in texts
    assert "3 measurements every 1 s, 60 sampled requests; stopped early (10 s planned)" in texts


def test_the_latency_chart_says_how_many_requests_each_point_summarises() -> None:
    points = [IntervalPoint(float(t), 100, 1 if t == 3 else 0, 10.0 + t, 40.0 + t) for t in range(10)]
    document = latency_svg(points, interval_s=1.0, warmup_s=2.0, p95_limit_ms=60.0, title="staging: latency")
    texts = _texts(document)
    assert "1,000 requests in 10 s (1 error); p50 and p95 of each 1 s interval" in texts
    assert "latency (ms)" in texts
    labels = [label for label, _ in _tick_rows(document, x=60 - 6, anchor="end")]
    assert labels == ["0", "20", "40", "60", "80"]  # room above the 60 ms limit for its caption


def test_the_distribution_chart_counts_both_sides_of_each_route() -> None:
    route = RouteSamples("list items", [10.0, 11.0, 12.0], [13.0, 14.0], "PASS")
    texts = _texts(distributions_svg([route], title="baseline vs candidate"))
    assert "5 requests over 1 route: the share of each side's requests answered within a latency" in texts
    assert "PASS (n = 3 baseline, 2 candidate)" in texts


@given(
    highest=st.floats(min_value=1e-4, max_value=1e6, allow_nan=False, allow_infinity=False),
    percent=st.booleans(),
    intervals=st.integers(min_value=2, max_value=8),
)
def test_axis_ticks_are_round_distinct_and_reach_the_highest_value(
    highest: float, percent: bool, intervals: int
) -> None:
    axis = svg.Axis.fitting(highest, start_px=300, end_px=0, intervals=intervals, percent=percent)
    labels = [axis.label(tick) for tick in axis.ticks]
    assert len(labels) == len(set(labels)), labels
    assert axis.high >= highest * (1 - 1e-9)
    assert axis.intervals <= 2 * intervals + 1
    mantissa = axis.step / 10 ** math.floor(math.log10(axis.step))
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)
    # every tick is drawn at its value: linear from start to end
    for tick in axis.ticks:
        assert axis.at(tick) == pytest.approx(300 - 300 * tick / axis.high)


@given(highest=st.floats(min_value=1e-4, max_value=1.0), intervals=st.integers(min_value=1, max_value=8))
def test_a_second_axis_shares_the_grid_with_its_own_round_distinct_ticks(
    highest: float, intervals: int
) -> None:
    axis = svg.Axis.with_intervals(highest, intervals, start_px=300, end_px=0, percent=True)
    labels = [axis.label(tick) for tick in axis.ticks]
    assert len(axis.ticks) == intervals + 1
    assert len(labels) == len(set(labels)), labels
    assert axis.high >= highest * (1 - 1e-9)
