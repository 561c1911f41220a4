"""What people read: the results file's checks, the end-of-run table and the latency chart."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gonogo.loadgen.judge import judge
from gonogo.loadgen.measurements import IntervalPoint, LoadMeasurements, MeasurementsError
from gonogo.loadgen.table import format_table
from gonogo.reporting.charts.latency import latency_svg

from .conftest import measured, plan

SVG = "{http://www.w3.org/2000/svg}"


def test_locusts_own_json_file_is_refused_with_the_way_to_get_gonogos(tmp_path: Path) -> None:
    path = tmp_path / "stats.json"
    path.write_text(json.dumps([{"name": "list items", "response_times": {"110": 4}}]), encoding="utf-8")

    with pytest.raises(
        MeasurementsError, match=r"looks like locust's own --json-file .* --gonogo-results FILE"
    ):
        LoadMeasurements.read(path)


def test_a_missing_or_foreign_results_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(MeasurementsError, match=r"cannot read load results .*missing\.json"):
        LoadMeasurements.read(tmp_path / "missing.json")
    other = tmp_path / "other.json"
    other.write_text('{"format": "x"}', encoding="utf-8")
    with pytest.raises(MeasurementsError, match=r"other\.json is not a gonogo load results file"):
        LoadMeasurements.read(other)


def test_the_table_has_a_row_per_route_the_total_and_the_verdict() -> None:
    run = measured([10.0] * 950 + [20.0] * 50, locust={"requests": 1000, "failures": 0, "p95_ms": 10})

    lines = format_table(run, judge(run, plan()))

    assert lines[0] == (
        "gonogo load: closed model, 10 users, 1 process against http://127.0.0.1:8000: 12 s run, "
        "2 s warm-up, 10.0 s measured"
    )
    assert lines[1].split() == (
        [
            "route",
            "requests",
            "errors",
            "req/s",
            "p50",
            "ms",
            "p95",
            "ms",
            "p99",
            "ms",
            "max",
            "ms",
            "locust",
            "p95",
        ]
    )
    assert lines[2].split()[:4] == ["list", "items", "1000", "0"]
    assert lines[3].split()[:3] == ["total", "1000", "0"]
    assert lines[3].split()[-1] == "10"
    # the bounds it passed on: the p95's 95% upper bound is the 962nd of 1000 samples (20 ms), and no
    # failure in 1000 requests bounds the rate at 0.30%
    assert lines[-1] == (
        "  PASS: p95 10.0 ms (at most 20.0 ms at 95%) <= 100 ms, "
        "error rate 0.00% (at most 0.30% at 95%) <= 1.00%"
    )


def test_the_chart_draws_p50_p95_errors_the_limit_and_the_warm_up() -> None:
    points = [
        IntervalPoint(
            t=float(second), requests=100, errors=second % 2, p50_ms=10.0 + second, p95_ms=40.0 + second
        )
        for second in range(10)
    ]

    svg = latency_svg(points, interval_s=1.0, warmup_s=2.0, p95_limit_ms=60.0, title="staging: latency")

    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [line.findtext(f"{SVG}title") for line in lines] == ["p50", "p95"]
    assert all(len(line.get("points", "").split()) == 10 for line in lines)
    error_bars = [rect for rect in root.findall(f"{SVG}rect") if rect.findtext(f"{SVG}title") == "1 errors"]
    assert len(error_bars) == 5
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "p95 limit 60 ms" in texts
    assert "warm-up" in texts


def test_a_limit_far_above_the_data_is_named_instead_of_flattening_the_lines() -> None:
    points = [IntervalPoint(t=0.0, requests=10, errors=0, p50_ms=2.0, p95_ms=5.0)]

    svg = latency_svg(points, interval_s=1.0, warmup_s=0.0, p95_limit_ms=500.0, title="t")

    assert "p95 limit 500 ms: above the chart" in svg
