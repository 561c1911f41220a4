"""What one load run measured, and its file: one model, written and read here only.

The locust child (or an external locust master running the suite's profile with ``--gonogo-results``)
builds a :class:`LoadMeasurements` from its merged samples and writes ``to_dict()`` as JSON; the check
reads it back with ``read()`` / ``from_dict()``. The format constant lives here, so the two sides cannot
drift apart. Percentiles are recomputed from the recorded HdrHistograms on both sides. Nothing here
imports locust or pytest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from gonogo.errors import GonogoError
from gonogo.loadgen.histograms import DIGITS, Buckets, decode, new_histogram, series_dict
from gonogo.loadgen.plan import LoadPlan, PlanError

#: a measurements file says what it is, so a file from something else is refused with a clear message
#: (the value predates the module's name: files written by earlier profiles still read)
MEASUREMENTS_FORMAT = "gonogo-load-results/1"


class MeasurementsError(GonogoError, ValueError):
    """A measurements file that cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class Latency:
    """Percentiles in milliseconds (None without samples)."""

    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    mean_ms: float | None

    @classmethod
    def of(cls, buckets: Buckets, max_us: int) -> Latency:
        if not buckets.total:
            return cls(None, None, None, None, None)
        return cls(
            p50_ms=buckets.percentile_ms(50.0),
            p95_ms=buckets.percentile_ms(95.0),
            p99_ms=buckets.percentile_ms(99.0),
            # the exact maximum, not its bucket's edge
            max_ms=max_us / 1000.0,
            mean_ms=buckets.mean_ms(),
        )


@dataclass(frozen=True)
class RouteMeasurement:
    """One route's measured requests (or their total, or the open model's service times)."""

    name: str
    requests: int
    errors: int
    max_us: int
    latency: Latency
    #: every measured sample (3 significant digits); not compared: ``latency`` says what it holds
    hist: HdrHistogram = field(compare=False, repr=False)
    #: the histogram's buckets in order, for percentiles and order statistics (confidence bounds)
    buckets: Buckets = field(compare=False, repr=False)

    @classmethod
    def of(
        cls, name: str, hist: HdrHistogram, *, requests: int, errors: int, max_us: int
    ) -> RouteMeasurement:
        buckets = Buckets.of(hist)
        return cls(name, requests, errors, max_us, Latency.of(buckets, max_us), hist, buckets)

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> RouteMeasurement:
        return cls.of(
            str(name),
            decode(data["hist"]),
            requests=int(data["requests"]),
            errors=int(data["errors"]),
            max_us=int(data["max_us"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return series_dict(self.hist, requests=self.requests, errors=self.errors, max_us=self.max_us)

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


def total_of(routes: Iterable[RouteMeasurement]) -> RouteMeasurement:
    """Every route's samples in one histogram."""
    hist = new_histogram(DIGITS)
    requests = errors = max_us = 0
    for route in routes:
        hist.add(route.hist)
        requests += route.requests
        errors += route.errors
        max_us = max(max_us, route.max_us)
    return RouteMeasurement.of("total", hist, requests=requests, errors=errors, max_us=max_us)


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OpenCounts:
        return cls(**{key: int(data.get(key, 0)) for key in ("sent", "late", "dropped", "unfinished")})


@dataclass(frozen=True)
class LocustFigures:
    """Locust's own statistics for the same run (response times rounded to 2 significant digits)."""

    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    routes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LocustFigures:
        return cls(
            requests=int(data["requests"]),
            failures=int(data["failures"]),
            p50_ms=data.get("p50_ms"),
            p95_ms=data.get("p95_ms"),
            p99_ms=data.get("p99_ms"),
            routes=dict(data.get("routes", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "routes": {name: dict(figures) for name, figures in self.routes.items()}}


@dataclass(frozen=True)
class LoadMeasurements:
    """One run's measurements after warm-up, per route, with the plan that ran and what went wrong."""

    plan: LoadPlan
    routes: tuple[RouteMeasurement, ...]
    total: RouteMeasurement
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
    service: RouteMeasurement | None = None
    #: CPU seconds the load-generating processes used from the start to the end of the run
    cpu_seconds: float = 0.0
    started_at: str = ""
    finished_at: str = ""
    #: the measured window as each process saw it (``measured_s`` is their mean)
    measured_s_by_process: Mapping[str, float] = field(default_factory=dict)

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

    def marked_incomplete(self, reason: str) -> LoadMeasurements:
        return replace(self, complete=False, problems=(*self.problems, reason))

    # --- the file -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The measurements file (``MEASUREMENTS_FORMAT``): histograms per route, a summary per interval."""
        return {
            "format": MEASUREMENTS_FORMAT,
            "plan": self.plan.to_dict(),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "complete": self.complete,
            "problems": list(self.problems),
            "processes": self.processes,
            "measured_s": self.measured_s,
            "measured_s_by_process": dict(self.measured_s_by_process),
            "cpu_seconds": self.cpu_seconds,
            "routes": {route.name: route.to_dict() for route in self.routes},
            "service": self.service.to_dict() if self.service is not None else None,
            "errors": [asdict(kind) for kind in self.errors],
            "interval_s": self.interval_s,
            "intervals": [asdict(point) for point in self.intervals],
            "cpu": [asdict(usage) for usage in self.cpu],
            "open": asdict(self.open) if self.open is not None else None,
            "locust": self.locust.to_dict() if self.locust is not None else None,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    def write(self, path: Path) -> None:
        """Write the file whole or not at all (a reader never sees half of it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.to_json(), encoding="utf-8")
        partial.replace(path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "results") -> LoadMeasurements:
        if isinstance(data, list):
            raise MeasurementsError(
                f"{source} looks like locust's own --json-file (rounded statistics, no samples). "
                "Fix: run the locust master with the suite's profile and --gonogo-results FILE, "
                "then pass that FILE."
            )
        if data.get("format") != MEASUREMENTS_FORMAT:
            raise MeasurementsError(
                f"{source} is not a gonogo load results file (format {data.get('format')!r}, "
                f"expected {MEASUREMENTS_FORMAT!r}). Fix: pass the file written by --gonogo-results."
            )
        try:
            routes = tuple(RouteMeasurement.from_dict(name, route) for name, route in data["routes"].items())
            return cls(
                plan=LoadPlan.from_dict(data["plan"]),
                routes=routes,
                total=total_of(routes),
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
                open=OpenCounts.from_dict(data["open"]) if data.get("open") is not None else None,
                locust=LocustFigures.from_dict(data["locust"]) if data.get("locust") else None,
                service=RouteMeasurement.from_dict("service time", data["service"])
                if data.get("service")
                else None,
                cpu_seconds=float(data.get("cpu_seconds", 0.0)),
                started_at=str(data.get("started_at", "")),
                finished_at=str(data.get("finished_at", "")),
                measured_s_by_process={
                    str(name): float(value) for name, value in data.get("measured_s_by_process", {}).items()
                },
            )
        except (KeyError, TypeError, ValueError, PlanError) as exc:
            raise MeasurementsError(
                f"{source}: malformed results file ({type(exc).__name__}: {exc})"
            ) from None

    @classmethod
    def read(cls, path: Path) -> LoadMeasurements:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MeasurementsError(f"cannot read load results {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise MeasurementsError(f"load results {path} is not JSON: {exc}") from None
        return cls.from_dict(data, source=str(path))
