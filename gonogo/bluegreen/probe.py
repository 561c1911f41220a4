"""One measurement of the watch: health, version, a sample of requests into the rolling window, Prometheus.

The sample's answers join :class:`gonogo.bluegreen.window.Window`, and the error rate and the p95 are
judged on the window by exact tests (that module's docstring). ``plan`` (the watch's slots,
:func:`gonogo.bluegreen.watch.slots`) sets the level of each measurement's tests, and raises the
sample so that the watch gathers a whole window by its end: a 3 s watch of 7 measurements against a
1 % error limit at 99 % sends 66 requests a measurement rather than 10, so that its verdict can rest
on evidence; when an overrun skips slots, the slots left send what is still missing. A sample never
grows past what fits in the time to the next slot at the pace measured: a watch too short for its
evidence keeps its schedule and ends inconclusive, saying how much more it needs. Without ``plan``
the sample is exactly ``sample_requests``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from gonogo.bluegreen import prometheus as prom
from gonogo.bluegreen.stats import percentile
from gonogo.bluegreen.watch import Measurement, Phase
from gonogo.bluegreen.window import (
    EvidenceCheck,
    Window,
    per_measurement_alpha,
    sample_size,
    window_size,
)
from gonogo.environment import HealthConfig, PrometheusConfig, RouteConfig, VersionConfig
from gonogo.probes.fetch import fetch
from gonogo.probes.health import check_health, read_version

__all__ = ["Prober", "PrometheusSource"]

#: the share of the time until the next slot a sample may take (health, version, Prometheus need the rest)
_BUSY = 0.7


@dataclass(frozen=True)
class PrometheusSource:
    client: httpx.Client
    config: PrometheusConfig

    def queries(self) -> dict[str, str]:
        """``error_rate`` / ``p95_ms`` -> the PromQL with labels and window filled in."""
        rendered = {}
        for name, query in (
            ("error_rate", self.config.error_rate_query),
            ("p95_ms", self.config.p95_ms_query),
        ):
            if query is not None:
                rendered[name] = prom.render(query, labels=self.config.labels, window=self.config.window)
        return rendered

    def read(self, name: str, promql: str) -> float | None:
        return prom.query_value(self.client, self.config.url, promql, timeout_s=self.config.timeout_s)

    def validate(self) -> None:
        """Ask each query once before the watch: a rejected query is the file's mistake (raises)."""
        for name, promql in self.queries().items():
            self.read(name, promql)


@dataclass
class Prober:
    """Takes one measurement of the candidate behind ``client`` (whose base URL is set)."""

    client: httpx.Client
    health: HealthConfig
    version: VersionConfig
    expected_version: str
    routes: Sequence[RouteConfig]
    sample_requests: int
    max_error_rate: float
    p95_ms: float
    prometheus: PrometheusSource | None = None
    clock: Callable[[], float] = time.perf_counter
    #: the confidence of the watch: its false-failure rate stays under 1 - confidence
    confidence: float = 0.99
    #: when the watch plans to measure (:func:`gonogo.bluegreen.watch.slots`); None: one look's level,
    #: and exactly ``sample_requests`` each time
    plan: Sequence[float] | None = None
    window: Window = field(init=False)
    #: requests per measurement, and the level of each measurement's tests
    requests: int = field(init=False)
    alpha: float = field(init=False)
    _next_route: int = field(default=0, init=False)
    _first: float | None = field(default=None, init=False)
    _sent: int = field(default=0, init=False)
    #: seconds per sample request, as last measured
    _pace_s: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        size = window_size(self.max_error_rate, self.confidence)
        self.window = Window(size, self.max_error_rate, self.p95_ms)
        planned = len(self.plan) if self.plan else 1
        self.alpha = per_measurement_alpha(self.confidence, planned)
        if not self.routes:
            self.requests = 0
        elif self.plan is None:
            self.requests = self.sample_requests
        else:
            self.requests = sample_size(self.sample_requests, size, planned)

    def _requests_now(self, t_s: float) -> int:
        """The sample of a measurement at ``t_s``: the plan's, or more once overruns skipped slots.

        What is still missing of a window, spread over the slots still ahead (this one included), but
        no more than fits in most of the time until the next slot at the pace measured so far: a
        watch keeps its schedule, and one too short to gather its evidence says so at the end.
        """
        if self.plan is None or self.requests == 0:
            return self.requests
        ahead = [slot for slot in self.plan if slot >= t_s - 1e-6]
        missing = self.window.size - self.window.answered
        wanted = sample_size(self.sample_requests, missing, len(ahead) or 1)
        if self._pace_s is None or len(ahead) < 2:
            return wanted
        fits = math.floor(_BUSY * (ahead[1] - t_s) / self._pace_s + 1e-9)
        return max(self.sample_requests, min(wanted, fits))

    def measure(self, index: int, t_s: float) -> Measurement:
        started = self.clock()
        if self._first is None:
            self._first = started
        failed: list[str] = []
        errors: list[str] = []
        missing: list[str] = []
        network = 0

        healthy = check_health(self.client, self.health)
        health_status = healthy.fetched.status
        if healthy.fetched.response is None:
            network += 1
            errors.append(f"health: {healthy.fetched.describe()}")
        elif not healthy.ok:
            failed.append(f"health: {healthy.problems[0].splitlines()[0]}")

        reading = read_version(self.client, self.version, self.expected_version)
        if reading.fetched.response is None:
            network += 1
            errors.append(f"version: {reading.fetched.describe()}")
        elif not reading.ok:
            failed.append(f"version: {reading.problems[0]}")

        sent, answered, wrong, sample_network = self._sample(errors, self._requests_now(t_s))
        network += sample_network
        if answered:
            failed.extend(self.window.failures(self.alpha))
        latencies = self.window.latencies

        prom_rate = prom_p95 = None
        if self.prometheus is not None:
            for name, promql in self.prometheus.queries().items():
                try:
                    value = self.prometheus.read(name, promql)
                except prom.PrometheusError as exc:
                    network += 1
                    errors.append(f"prometheus {name}: {exc}")
                    continue
                if value is None:
                    missing.append(f"prometheus {name}: no data for {promql}")
                elif name == "error_rate":
                    prom_rate = value
                    if value > self.max_error_rate:
                        failed.append(f"prometheus error rate {value:.2%} > {self.max_error_rate:.1%}")
                else:
                    prom_p95 = value
                    if value > self.p95_ms:
                        failed.append(f"prometheus p95 {value:.1f} ms > {self.p95_ms:g} ms")

        phase = (
            Phase.FAILED
            if failed
            else Phase.ERROR
            if errors
            else Phase.INCONCLUSIVE
            if missing
            else Phase.SUCCESSFUL
        )
        in_errors, in_slow = self.window.errors_tested(), self.window.slow_tested()
        return Measurement(
            index=index,
            t_s=t_s,
            duration_ms=(self.clock() - started) * 1000,
            phase=phase,
            reasons=tuple(failed or errors or missing),
            health_status=health_status,
            version=reading.actual,
            sample_sent=sent,
            sample_answered=answered,
            sample_errors=wrong,
            network_errors=network,
            p50_ms=percentile(latencies, 50),
            p95_ms=percentile(latencies, 95),
            prometheus_error_rate=prom_rate,
            prometheus_p95_ms=prom_p95,
            window_requests=in_errors.n,
            window_errors=in_errors.seen,
            window_good=in_slow.n,
            window_slow=in_slow.seen,
            alpha=self.alpha,
        )

    def evidence(self, elapsed_s: float) -> tuple[EvidenceCheck, ...]:
        """At the end of a watch that exceeded no limit: did its answers show both limits held?"""
        if self.requests == 0 or self._sent == 0:
            return ()  # nothing sampled (no GET route, or sample_requests = 0): health and version only
        rate = self._sent / elapsed_s if elapsed_s > 0 else None
        return self.window.evidence(self.confidence, rate)

    def _sample(self, errors: list[str], count: int) -> tuple[int, int, int, int]:
        """Send ``count`` requests, round robin over the routes, into the window.

        Returns: sent, answered, answered with another status, no answer.
        """
        if count == 0:
            return 0, 0, 0, 0
        answered = wrong = network = 0
        began = self.clock()
        for _ in range(count):
            route = self.routes[self._next_route % len(self.routes)]
            self._next_route += 1
            fetched = fetch(self.client, route.method, route.path)
            if fetched.response is None:
                network += 1
                continue
            answered += 1
            ok = fetched.status == route.status
            wrong += not ok
            self.window.add(error=not ok, latency_ms=fetched.elapsed_ms if ok else None)
        self._sent += count
        self._pace_s = (self.clock() - began) / count
        if network:
            errors.append(f"sample: {network} of {count} request(s) got no answer")
        return count, answered, wrong, network
