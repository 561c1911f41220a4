"""Every sample of one load-generating process, kept until it is handed out as a delta.

The request hook only appends four numbers to a flat array of doubles (the hot path stays under a
microsecond, and allocates nothing that outlives the request: a list of tuples made the garbage collector
run every 700 requests and walk the whole heap every few seconds); ``take_delta()`` folds the buffer into
HdrHistograms with numpy (``gonogo.loadgen.histograms``) and hands out what changed since
the last call as JSON-able data, which the reporting process merges (``gonogo.loadgen.aggregate``).
Nothing here imports locust.
"""

from __future__ import annotations

import math
import time
from array import array
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from gonogo.loadgen.histograms import CHART_DIGITS, DIGITS, Series

Clock = Callable[[], float]


def interval_for(duration_s: float) -> float:
    """Width of one point of the latency-over-time series: 1 s, wider for runs over 4 minutes."""
    return float(max(1, math.ceil(duration_s / 240)))


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
        #: (route number, latency ms, ok, at) per sample, flat; the route numbers index ``_names``
        self._buffer = array("d")
        self._names: dict[str, int] = {}
        #: open model: (time from the actual send, scheduled time), the service time a closed model sees
        self._service_buffer = array("d")
        self._service = Series(DIGITS)
        self._routes: dict[str, Series] = {}
        self._intervals: dict[int, Series] = {}
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
            number = self._names.get(name)
            if number is None:
                number = self._names[name] = len(self._names)
            self._buffer.extend((number, latency_ms, ok, at))

    def add_service(self, latency_ms: float, at: float) -> None:
        """Open model: the same request timed from its actual send (a lower bound of its latency)."""
        if self.started is not None and self.finished is None:
            self._service_buffer.extend((latency_ms, at))

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

    def take_delta(
        self, *, final: bool = False, now: float | None = None, encoded: bool = True
    ) -> dict[str, Any]:
        """What was recorded since the last call, for ``Aggregate.merge``: JSON-able, or with ``encoded``
        false the series themselves, for an aggregate in this process (no encoding round trip)."""
        self._fold()

        def out(series: Series) -> Series | dict[str, Any]:
            return series.to_delta() if encoded else series

        delta = {
            "final": final,
            "measured_s": self.measured_s(now),
            "routes": {name: out(series) for name, series in self._routes.items()},
            "intervals": {str(index): out(series) for index, series in self._intervals.items()},
            "error_kinds": [[name, kind, count] for (name, kind), count in self._error_kinds.items()],
            "cpu": list(self._cpu),
            "open": dict(self._open),
            "service": out(self._service) if self._service.requests else None,
            # CPU seconds this process used since begin(), all of it (not sampled)
            "cpu_s": self._cpu_spent if self._cpu_spent is not None else self.cpu_clock() - self._cpu_began,
        }
        self._service = Series(DIGITS)
        self._routes, self._intervals = {}, {}
        self._error_kinds, self._cpu, self._open = Counter(), [], Counter()
        return delta

    def _fold(self) -> None:
        if self._service_buffer and self.started is not None:
            service, self._service_buffer = self._service_buffer, array("d")
            latencies, at = np.frombuffer(service, dtype=np.float64).reshape(-1, 2).T
            kept = (at >= self.measure_from) & (at <= self.measure_until)
            values = np.rint(latencies * 1000.0).astype(np.int64)[kept]
            self._service.add(values, 0)
        if not self._buffer or self.started is None:
            return
        samples, self._buffer = self._buffer, array("d")
        numbers, latencies, oks, at = np.frombuffer(samples, dtype=np.float64).reshape(-1, 4).T
        values_us = np.rint(latencies * 1000.0).astype(np.int64)
        failed = oks == 0.0
        index = np.floor((at - self.started) / self.interval_s).astype(np.int64)
        for interval in np.unique(index).tolist():
            mask = index == interval
            series = self._intervals.setdefault(interval, Series(CHART_DIGITS))
            series.add(values_us[mask], int(failed[mask].sum()))
        measured = (at >= self.measure_from) & (at <= self.measure_until)
        if not measured.any():
            return
        route_numbers = numbers.astype(np.int64)
        for name, number in self._names.items():
            mask = measured & (route_numbers == number)
            if mask.any():
                self._routes.setdefault(name, Series(DIGITS)).add(values_us[mask], int(failed[mask].sum()))
