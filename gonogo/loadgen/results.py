"""The results file of one load run, read back: percentiles recomputed from the recorded histograms.

The locust child (or an external locust master running the suite's profile with ``--gonogo-results``)
writes it; the check reads it. Nothing here imports locust.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.loadgen.plan import LoadPlan, PlanError
from gonogo.loadgen.recorder import DIGITS, RESULTS_FORMAT, decode, new_histogram, percentile_ms


class ResultsError(ValueError):
    """A results file that cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class Latency:
    """Percentiles in milliseconds (None without samples)."""

    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    mean_ms: float | None


@dataclass(frozen=True)
class RouteResult:
    name: str
    requests: int
    errors: int
    latency: Latency

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class ErrorKind:
    route: str
    error: str
    count: int


@dataclass(frozen=True)
class IntervalPoint:
    """One point of the latency-over-time series (warm-up included); ``t`` in seconds from the start."""

    t: float
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True)
class CpuUsage:
    """CPU of one load-generating process after warm-up, in % of one core."""

    process: str
    mean: float | None
    max: float | None
    samples: int


@dataclass(frozen=True)
class OpenCounts:
    """Open model: what happened to the scheduled requests of the measured window."""

    sent: int
    #: sent more than 10 ms after their scheduled time (still timed from it)
    late: int
    #: scheduled inside the window, never sent (k6's dropped_iterations)
    dropped: int
    #: sent, not answered when the window closed
    unfinished: int


@dataclass(frozen=True)
class LocustFigures:
    """Locust's own statistics for the same run (response times rounded to 2 significant digits)."""

    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    routes: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class LoadResults:
    plan: LoadPlan
    routes: tuple[RouteResult, ...]
    total: RouteResult
    measured_s: float
    processes: int
    complete: bool
    problems: tuple[str, ...]
    errors: tuple[ErrorKind, ...]
    interval_s: float
    intervals: tuple[IntervalPoint, ...]
    cpu: tuple[CpuUsage, ...]
    open: OpenCounts | None
    locust: LocustFigures | None
    #: open model: every measured request timed from its actual send, not its schedule (a lower bound)
    service: RouteResult | None = None
    #: CPU seconds the load-generating processes used from the start to the end of the run
    cpu_seconds: float = 0.0
    started_at: str = ""
    finished_at: str = ""

    @property
    def requests(self) -> int:
        return self.total.requests

    @property
    def model(self) -> str:
        """The plan's model with the number of processes that sent load."""
        return self.plan.describe(self.processes or None)

    @property
    def error_rate(self) -> float:
        return self.total.error_rate

    @property
    def achieved_rate_per_s(self) -> float:
        """Requests completed per second of the measured window."""
        return self.requests / self.measured_s if self.measured_s > 0 else 0.0

    @property
    def generator_cpu(self) -> CpuUsage | None:
        """The busiest load-generating process (highest mean CPU after warm-up)."""
        measured = [usage for usage in self.cpu if usage.mean is not None]
        return max(measured, key=lambda usage: usage.mean or 0.0) if measured else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "results") -> LoadResults:
        if isinstance(data, list):
            raise ResultsError(
                f"{source} looks like locust's own --json-file (rounded statistics, no samples). "
                "Fix: run the locust master with the suite's profile and --gonogo-results FILE, "
                "then pass that FILE."
            )
        if data.get("format") != RESULTS_FORMAT:
            raise ResultsError(
                f"{source} is not a gonogo load results file (format {data.get('format')!r}, "
                f"expected {RESULTS_FORMAT!r}). Fix: pass the file written by --gonogo-results."
            )
        try:
            plan = LoadPlan.from_dict(data["plan"])
            routes = tuple(_route(name, route) for name, route in data["routes"].items())
            total = _total(data["routes"])
            return cls(
                plan=plan,
                routes=routes,
                total=total,
                measured_s=float(data["measured_s"]),
                processes=int(data.get("processes", 1)),
                complete=bool(data.get("complete", False)),
                problems=tuple(str(problem) for problem in data.get("problems", [])),
                errors=tuple(
                    ErrorKind(str(e["route"]), str(e["error"]), int(e["count"])) for e in data["errors"]
                ),
                interval_s=float(data.get("interval_s", 1.0)),
                intervals=tuple(IntervalPoint(**point) for point in data.get("intervals", [])),
                cpu=tuple(CpuUsage(**usage) for usage in data.get("cpu", [])),
                open=OpenCounts(**_open_counts(data["open"])) if data.get("open") is not None else None,
                locust=_locust(data.get("locust")),
                service=_route("service time", data["service"]) if data.get("service") else None,
                cpu_seconds=float(data.get("cpu_seconds", 0.0)),
                started_at=str(data.get("started_at", "")),
                finished_at=str(data.get("finished_at", "")),
            )
        except (KeyError, TypeError, ValueError, PlanError) as exc:
            raise ResultsError(f"{source}: malformed results file ({type(exc).__name__}: {exc})") from None

    @classmethod
    def read(cls, path: Path) -> LoadResults:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ResultsError(f"cannot read load results {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise ResultsError(f"load results {path} is not JSON: {exc}") from None
        return cls.from_dict(data, source=str(path))


def _route(name: str, data: Mapping[str, Any]) -> RouteResult:
    hist = decode(data["hist"])
    return RouteResult(
        str(name), int(data["requests"]), int(data["errors"]), _latency(hist, int(data["max_us"]))
    )


def _total(routes: Mapping[str, Mapping[str, Any]]) -> RouteResult:
    hist = new_histogram(DIGITS)
    requests = errors = max_us = 0
    for data in routes.values():
        hist.add(decode(data["hist"]))
        requests += int(data["requests"])
        errors += int(data["errors"])
        max_us = max(max_us, int(data["max_us"]))
    return RouteResult("total", requests, errors, _latency(hist, max_us))


def _latency(hist: Any, max_us: int) -> Latency:
    if hist.get_total_count() == 0:
        return Latency(None, None, None, None, None)
    return Latency(
        p50_ms=percentile_ms(hist, 50.0),
        p95_ms=percentile_ms(hist, 95.0),
        p99_ms=percentile_ms(hist, 99.0),
        # the exact maximum, not its bucket's edge
        max_ms=max_us / 1000.0,
        mean_ms=float(hist.get_mean_value()) / 1000.0,
    )


def _open_counts(data: Mapping[str, Any]) -> dict[str, int]:
    return {key: int(data.get(key, 0)) for key in ("sent", "late", "dropped", "unfinished")}


def _locust(data: Mapping[str, Any] | None) -> LocustFigures | None:
    if not data:
        return None
    return LocustFigures(
        requests=int(data["requests"]),
        failures=int(data["failures"]),
        p50_ms=data.get("p50_ms"),
        p95_ms=data.get("p95_ms"),
        p99_ms=data.get("p99_ms"),
        routes=data.get("routes", {}),
    )
