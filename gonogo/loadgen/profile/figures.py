"""Locust's own figures of a run, reported beside gonogo's, and its statistics CSV written at the end."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

from gonogo.loadgen.measurements import LoadMeasurements, LocustFigures


def write_measurements(path: Path, measurements: LoadMeasurements, environment: Any) -> None:
    """The measurements, and beside them locust's statistics as of now (``<stem>_locust_stats.csv``)."""
    measurements.write(path)
    # locust's --csv file is rewritten every second, not at the end: written here, after the run
    with path.with_name(path.stem + "_locust_stats.csv").open("w", newline="", encoding="utf-8") as handle:
        StatsCSV(environment, PERCENTILES_TO_REPORT).requests_csv(csv.writer(handle))


def locust_figures(stats: Any) -> LocustFigures:
    """Locust's own (rounded) figures for the same run, reported beside gonogo's."""

    def figures(entry: Any) -> dict[str, Any]:
        empty = entry.num_requests == 0
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": None if empty else entry.get_response_time_percentile(0.50),
            "p95_ms": None if empty else entry.get_response_time_percentile(0.95),
            "p99_ms": None if empty else entry.get_response_time_percentile(0.99),
        }

    total = figures(stats.total)
    return LocustFigures(
        requests=total["requests"],
        failures=total["failures"],
        p50_ms=total["p50_ms"],
        p95_ms=total["p95_ms"],
        p99_ms=total["p99_ms"],
        routes={name: figures(entry) for (name, _), entry in stats.entries.items()},
    )
