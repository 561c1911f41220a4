"""The merged view of every load-generating process's deltas, kept by the process that reports.

That is the local runner, or the locust master: it merges the ``Recorder`` deltas of every process,
prints progress, and at the end turns what it merged into :class:`LoadMeasurements`. Nothing here
imports locust.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from gonogo.loadgen.histograms import CHART_DIGITS, DIGITS, Series, percentile_ms
from gonogo.loadgen.measurements import (
    CpuUsage,
    ErrorKind,
    IntervalPoint,
    LoadMeasurements,
    LocustFigures,
    OpenCounts,
    RouteMeasurement,
    total_of,
)
from gonogo.loadgen.plan import LoadPlan


def _measurement(name: str, series: Series) -> RouteMeasurement:
    return RouteMeasurement.of(
        name, series.hist, requests=series.requests, errors=series.errors, max_us=series.max_us
    )


class Aggregate:
    """The merged view of every process's deltas, kept by the process that reports."""

    def __init__(self, *, interval_s: float = 1.0) -> None:
        self.interval_s = interval_s
        self.begin()

    def begin(self) -> None:
        self.routes: dict[str, Series] = {}
        self.service = Series(DIGITS)
        self.intervals: dict[int, Series] = {}
        self.error_kinds: Counter[tuple[str, str]] = Counter()
        self.cpu: dict[str, list[float]] = {}
        self.open: Counter[str] = Counter()
        self.measured_s: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.finals: set[str] = set()
        self.sources: set[str] = set()
        self._since = Series(CHART_DIGITS)
        self._errors_total = 0
        self._requests_total = 0

    def merge(self, source: str, delta: Mapping[str, Any]) -> None:
        self.sources.add(source)
        for name, data in delta.get("routes", {}).items():
            self.routes.setdefault(name, Series(DIGITS)).merge(data)
        if delta.get("service"):
            self.service.merge(delta["service"])
        for key, data in delta.get("intervals", {}).items():
            interval = self.intervals.setdefault(int(key), Series(CHART_DIGITS))
            before = (interval.requests, interval.errors)
            interval.merge(data)
            self._since.merge(data)
            self._requests_total += interval.requests - before[0]
            self._errors_total += interval.errors - before[1]
        for name, kind, count in delta.get("error_kinds", []):
            self.error_kinds[str(name), str(kind)] += int(count)
        self.cpu.setdefault(source, []).extend(float(value) for value in delta.get("cpu", []))
        self.open.update({str(key): int(value) for key, value in delta.get("open", {}).items()})
        self.measured_s[source] = float(delta.get("measured_s", 0.0))
        if "cpu_s" in delta:
            self.cpu_seconds[source] = float(delta["cpu_s"])
        if delta.get("final"):
            self.finals.add(source)

    def progress(self, *, elapsed_s: float, users: int, window_s: float) -> str:
        """One line on what happened since the last call (warm-up included), then resets that count."""
        since = self._since
        self._since = Series(CHART_DIGITS)
        rps = since.requests / window_s if window_s > 0 else 0.0
        p95 = percentile_ms(since.hist, 95.0)
        p95_text = "-" if p95 is None else f"{p95:.1f} ms"
        share = self._errors_total / self._requests_total if self._requests_total else 0.0
        return (
            f"gonogo load  {elapsed_s:5.1f} s  users {users:>4}  {rps:8.1f} req/s  p95 {p95_text:>10}  "
            f"errors {self._errors_total} ({share:.2%})"
        )

    def to_measurements(
        self,
        *,
        plan: LoadPlan,
        locust: LocustFigures | None,
        complete: bool,
        problems: Iterable[str] = (),
        started_at: str = "",
        finished_at: str = "",
    ) -> LoadMeasurements:
        """What was merged: histograms per route, a summary per interval, the processes' figures."""
        intervals = tuple(
            IntervalPoint(
                t=index * self.interval_s,
                requests=series.requests,
                errors=series.errors,
                p50_ms=percentile_ms(series.hist, 50.0),
                p95_ms=percentile_ms(series.hist, 95.0),
            )
            for index, series in sorted(self.intervals.items())
        )
        routes = tuple(_measurement(name, series) for name, series in sorted(self.routes.items()))
        measured = list(self.measured_s.values())
        return LoadMeasurements(
            plan=plan,
            routes=routes,
            total=total_of(routes),
            measured_s=sum(measured) / len(measured) if measured else 0.0,
            processes=len(self.sources),
            complete=complete,
            problems=tuple(problems),
            errors=tuple(
                ErrorKind(name, kind, count) for (name, kind), count in self.error_kinds.most_common()
            ),
            interval_s=self.interval_s,
            intervals=intervals,
            cpu=tuple(
                CpuUsage(
                    process=source,
                    mean=sum(values) / len(values) if values else None,
                    max=max(values) if values else None,
                    samples=len(values),
                )
                for source, values in sorted(self.cpu.items())
            ),
            open=OpenCounts.from_dict(self.open) if plan.mode == "open" else None,
            locust=locust,
            service=_measurement("service time", self.service) if self.service.requests else None,
            cpu_seconds=sum(self.cpu_seconds.values()),
            started_at=started_at,
            finished_at=finished_at,
            measured_s_by_process=dict(self.measured_s),
        )
