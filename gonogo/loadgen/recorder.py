"""Every sample of a load run, kept in HdrHistograms precise to 0.1 %, mergeable across processes.

Locust rounds each response time to two significant digits before counting it (``stats.py``
``bucket_response_time``): a true p95 of 104.8 ms reads as 110 ms. gonogo keeps its own record of the
same samples with HdrHistogram at three significant digits, so its percentiles are within 0.1 % of the
exact ones (the percentile is the sample at rank ``round(p * N)``, reported as the upper edge of its
bucket).

Two roles, both living in the locust child process, neither importing locust:

``Recorder``   in each process that sends requests. The request hook only appends a tuple (the hot
               path stays under a microsecond); ``take_delta()`` folds the buffer into histograms with
               numpy and hands out what changed since the last call as a JSON-able dict.
``Aggregate``  in the process that reports (the local runner, or the locust master): merges the deltas
               of every process, prints progress, and writes the results file.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

LOWEST_US = 1
#: one hour; anything slower is counted as one hour (a request timeout is far below that)
HIGHEST_US = 3_600_000_000
#: 3 significant digits: buckets at most 0.1 % wide
DIGITS = 3
#: the latency-over-time chart and the progress line need less: 1 %
CHART_DIGITS = 2
#: HdrHistogram's sub-bucket count is 2**ceil(log2(2 * 10**digits)); within one bucket values differ
#: only below this many bits, which is what ``record_values`` groups on
_SUB_BUCKET_BITS = {3: 11, 2: 8}

Clock = Callable[[], float]


def new_histogram(digits: int = DIGITS) -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, digits)


def record_values(hist: HdrHistogram, values_us: np.ndarray[Any, Any], digits: int = DIGITS) -> None:
    """Record many microsecond values at once: one ``record_value(v, count)`` per distinct bucket.

    Values sharing a bucket are grouped on their bucket's lowest value, so the histogram ends up exactly
    as if each value had been recorded on its own, at a fraction of the cost.
    """
    if values_us.size == 0:
        return
    values = np.clip(values_us, LOWEST_US, HIGHEST_US).astype(np.int64)
    # frexp gives the bit length of each value (exact for integers below 2**53)
    bits = np.frexp(values.astype(np.float64))[1].astype(np.int64)
    shift = np.maximum(bits - _SUB_BUCKET_BITS[digits], 0)
    lowest = (values >> shift) << shift
    buckets, counts = np.unique(lowest, return_counts=True)
    for value, count in zip(buckets.tolist(), counts.tolist(), strict=True):
        hist.record_value(value, count)


def encode(hist: HdrHistogram) -> str:
    """HdrHistogram's own compressed, base64 wire format (readable by every HdrHistogram library)."""
    text: bytes = hist.encode()
    return text.decode("ascii")


def decode(text: str) -> HdrHistogram:
    return HdrHistogram.decode(text.encode("ascii"))


def percentile_ms(hist: HdrHistogram, percent: float) -> float | None:
    """The latency at ``percent`` (0-100) in milliseconds; None without samples."""
    if hist.get_total_count() == 0:
        return None
    return float(hist.get_value_at_percentile(percent)) / 1000.0


def interval_for(duration_s: float) -> float:
    """Width of one point of the latency-over-time series: 1 s, wider for runs over 4 minutes."""
    return float(max(1, math.ceil(duration_s / 240)))


@dataclass
class _Series:
    """Requests, errors and a histogram: for one route (measured samples) or one time interval (all)."""

    digits: int
    hist: HdrHistogram = field(init=False)
    requests: int = 0
    errors: int = 0
    max_us: int = 0

    def __post_init__(self) -> None:
        self.hist = new_histogram(self.digits)

    def add(self, values_us: np.ndarray[Any, Any], errors: int) -> None:
        record_values(self.hist, values_us, self.digits)
        self.requests += int(values_us.size)
        self.errors += errors
        if values_us.size:
            self.max_us = max(self.max_us, int(values_us.max()))

    def merge(self, data: Mapping[str, Any]) -> None:
        self.hist.add(decode(data["hist"]))
        self.requests += int(data["requests"])
        self.errors += int(data["errors"])
        self.max_us = max(self.max_us, int(data.get("max_us", 0)))

    def to_delta(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "max_us": self.max_us,
            "hist": encode(self.hist),
        }


class Recorder:
    """Collects the samples of one load-generating process between ``begin()`` and ``finish()``.

    Samples are timed by ``at`` (the process's monotonic clock): the end of a request in the closed
    model, its scheduled send in the open model. Those from ``begin + warmup_s`` to ``begin +
    duration_s`` are measured; all of them feed the latency-over-time series.
    """

    def __init__(
        self,
        *,
        warmup_s: float,
        duration_s: float,
        interval_s: float = 1.0,
        clock: Clock = time.monotonic,
        cpu_clock: Clock = time.process_time,
    ):
        self.warmup_s = warmup_s
        self.duration_s = duration_s
        self.interval_s = interval_s
        self.clock = clock
        self.cpu_clock = cpu_clock
        self._cpu_began = 0.0
        self._cpu_spent: float | None = None
        self.started: float | None = None
        self.closed: float | None = None
        self.finished: float | None = None
        self._reset()

    def _reset(self) -> None:
        self._buffer: list[tuple[str, float, bool, float]] = []
        #: open model: (time from the actual send, scheduled time), the service time a closed model sees
        self._service_buffer: list[tuple[float, float]] = []
        self._service = _Series(DIGITS)
        self._routes: dict[str, _Series] = {}
        self._intervals: dict[int, _Series] = {}
        self._error_kinds: Counter[tuple[str, str]] = Counter()
        self._cpu: list[float] = []
        self._open: Counter[str] = Counter()

    # --- lifecycle ----------------------------------------------------------------------------

    def begin(self, now: float | None = None) -> None:
        self._reset()
        self.started = self.clock() if now is None else now
        self.closed = None
        self.finished = None
        self._cpu_began = self.cpu_clock()
        self._cpu_spent = None

    def close(self, now: float | None = None) -> None:
        """End the measured window; samples timed inside it are still taken until ``finish()``.

        In the open model a sample is timed by its scheduled send, so requests in flight when the window
        closes still count when they answer: a target stalling at the very end cannot hide the stall.
        """
        if self.started is not None and self.closed is None:
            self.closed = self.clock() if now is None else now

    def finish(self, now: float | None = None) -> None:
        """Stop taking samples (a locust master stops its workers a little later)."""
        if self.started is not None and self.finished is None:
            now = self.clock() if now is None else now
            self.close(now)
            self.finished = now
            self._cpu_spent = self.cpu_clock() - self._cpu_began

    @property
    def accepting(self) -> bool:
        return self.started is not None and self.finished is None

    @property
    def measure_from(self) -> float:
        return (self.started or 0.0) + self.warmup_s

    @property
    def measure_until(self) -> float:
        end = (self.started or 0.0) + self.duration_s
        return end if self.closed is None else min(end, self.closed)

    def measuring(self, at: float) -> bool:
        return self.started is not None and self.measure_from <= at <= self.measure_until

    def measured_s(self, now: float | None = None) -> float:
        """Seconds of the measured window so far."""
        if self.started is None:
            return 0.0
        now = self.clock() if now is None else now
        return max(0.0, min(now, self.measure_until) - self.measure_from)

    # --- samples (hot path) --------------------------------------------------------------------

    def add(self, name: str, latency_ms: float, ok: bool, at: float) -> None:
        if self.started is not None and self.finished is None:
            self._buffer.append((name, latency_ms, ok, at))

    def add_service(self, latency_ms: float, at: float) -> None:
        """Open model: the same request timed from its actual send (a lower bound of its latency)."""
        if self.started is not None and self.finished is None:
            self._service_buffer.append((latency_ms, at))

    def error(self, name: str, kind: str, at: float) -> None:
        if self.measuring(at):
            self._error_kinds[name, kind[:200]] += 1

    def cpu(self, percent: float, at: float) -> None:
        if self.measuring(at):
            self._cpu.append(percent)

    def open_sent(self, *, late: bool, at: float) -> None:
        """Open model: one scheduled request went out (``late``: more than a little after its time)."""
        if self.measuring(at):
            self._open["sent"] += 1
            if late:
                self._open["late"] += 1

    def open_missed(self, *, dropped: int, unfinished: int) -> None:
        """Open model, at the end: scheduled requests never sent, and sent ones still unanswered."""
        self._open["dropped"] += dropped
        self._open["unfinished"] += unfinished

    # --- deltas ---------------------------------------------------------------------------------

    def take_delta(self, *, final: bool = False, now: float | None = None) -> dict[str, Any]:
        """What was recorded since the last call, as JSON-able data for ``Aggregate.merge``."""
        self._fold()
        delta = {
            "final": final,
            "measured_s": self.measured_s(now),
            "routes": {name: series.to_delta() for name, series in self._routes.items()},
            "intervals": {str(index): series.to_delta() for index, series in self._intervals.items()},
            "error_kinds": [[name, kind, count] for (name, kind), count in self._error_kinds.items()],
            "cpu": list(self._cpu),
            "open": dict(self._open),
            "service": self._service.to_delta() if self._service.requests else None,
            # CPU seconds this process used since begin(), all of it (not sampled)
            "cpu_s": self._cpu_spent if self._cpu_spent is not None else self.cpu_clock() - self._cpu_began,
        }
        self._service = _Series(DIGITS)
        self._routes, self._intervals = {}, {}
        self._error_kinds, self._cpu, self._open = Counter(), [], Counter()
        return delta

    def _fold(self) -> None:
        if self._service_buffer and self.started is not None:
            service, self._service_buffer = self._service_buffer, []
            latencies, ats = zip(*service, strict=True)
            at = np.asarray(ats, dtype=np.float64)
            kept = (at >= self.measure_from) & (at <= self.measure_until)
            values = np.rint(np.asarray(latencies, dtype=np.float64) * 1000.0).astype(np.int64)[kept]
            self._service.add(values, 0)
        if not self._buffer or self.started is None:
            return
        samples, self._buffer = self._buffer, []
        names, latencies, oks, ats = zip(*samples, strict=True)
        values_us = np.rint(np.asarray(latencies, dtype=np.float64) * 1000.0).astype(np.int64)
        failed = ~np.asarray(oks, dtype=bool)
        at = np.asarray(ats, dtype=np.float64)
        index = np.floor((at - self.started) / self.interval_s).astype(np.int64)
        for interval in np.unique(index).tolist():
            mask = index == interval
            series = self._intervals.setdefault(interval, _Series(CHART_DIGITS))
            series.add(values_us[mask], int(failed[mask].sum()))
        measured = (at >= self.measure_from) & (at <= self.measure_until)
        if not measured.any():
            return
        name_array = np.asarray(names, dtype=object)
        for name in set(names):
            mask = measured & (name_array == name)
            if mask.any():
                self._routes.setdefault(name, _Series(DIGITS)).add(values_us[mask], int(failed[mask].sum()))


class Aggregate:
    """The merged view of every process's deltas, kept by the process that reports."""

    def __init__(self, *, interval_s: float = 1.0) -> None:
        self.interval_s = interval_s
        self.begin()

    def begin(self) -> None:
        self.routes: dict[str, _Series] = {}
        self.service = _Series(DIGITS)
        self.intervals: dict[int, _Series] = {}
        self.error_kinds: Counter[tuple[str, str]] = Counter()
        self.cpu: dict[str, list[float]] = {}
        self.open: Counter[str] = Counter()
        self.measured_s: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.finals: set[str] = set()
        self.sources: set[str] = set()
        self._since = _Series(CHART_DIGITS)
        self._errors_total = 0
        self._requests_total = 0

    def merge(self, source: str, delta: Mapping[str, Any]) -> None:
        self.sources.add(source)
        for name, data in delta.get("routes", {}).items():
            self.routes.setdefault(name, _Series(DIGITS)).merge(data)
        if delta.get("service"):
            self.service.merge(delta["service"])
        for key, data in delta.get("intervals", {}).items():
            self.intervals.setdefault(int(key), _Series(CHART_DIGITS)).merge(data)
            self._since.merge(data)
            self._requests_total += int(data["requests"])
            self._errors_total += int(data["errors"])
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
        self._since = _Series(CHART_DIGITS)
        rps = since.requests / window_s if window_s > 0 else 0.0
        p95 = percentile_ms(since.hist, 95.0)
        p95_text = "-" if p95 is None else f"{p95:.1f} ms"
        share = self._errors_total / self._requests_total if self._requests_total else 0.0
        return (
            f"gonogo load  {elapsed_s:5.1f} s  users {users:>4}  {rps:8.1f} req/s  p95 {p95_text:>10}  "
            f"errors {self._errors_total} ({share:.2%})"
        )

    def to_results(
        self,
        *,
        plan: Mapping[str, Any],
        locust: Mapping[str, Any] | None,
        complete: bool,
        problems: Iterable[str] = (),
        started_at: str = "",
        finished_at: str = "",
    ) -> dict[str, Any]:
        """The results file (``RESULTS_FORMAT``): histograms per route and a summary per interval."""
        intervals = []
        for index in sorted(self.intervals):
            series = self.intervals[index]
            intervals.append(
                {
                    "t": index * self.interval_s,
                    "requests": series.requests,
                    "errors": series.errors,
                    "p50_ms": percentile_ms(series.hist, 50.0),
                    "p95_ms": percentile_ms(series.hist, 95.0),
                }
            )
        measured = list(self.measured_s.values())
        return {
            "format": RESULTS_FORMAT,
            "plan": dict(plan),
            "started_at": started_at,
            "finished_at": finished_at,
            "complete": complete,
            "problems": list(problems),
            "processes": len(self.sources),
            "measured_s": sum(measured) / len(measured) if measured else 0.0,
            "measured_s_by_process": dict(self.measured_s),
            "cpu_seconds": sum(self.cpu_seconds.values()),
            "routes": {name: series.to_delta() for name, series in sorted(self.routes.items())},
            "service": self.service.to_delta() if self.service.requests else None,
            "errors": [
                {"route": name, "error": kind, "count": count}
                for (name, kind), count in self.error_kinds.most_common()
            ],
            "interval_s": self.interval_s,
            "intervals": intervals,
            "cpu": [
                {
                    "process": source,
                    "mean": sum(values) / len(values) if values else None,
                    "max": max(values) if values else None,
                    "samples": len(values),
                }
                for source, values in sorted(self.cpu.items())
            ],
            "open": dict(self.open) if plan.get("mode") == "open" else None,
            "locust": dict(locust) if locust is not None else None,
        }


RESULTS_FORMAT = "gonogo-load-results/1"
