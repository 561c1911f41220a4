"""The post-promotion watch: measure the candidate at each interval, stop as soon as a limit is exceeded.

Each measurement probes health, the version and a bounded sample of requests (and, when configured,
asks Prometheus for the error rate and p95). It ends in one phase, the first that applies:

    failed        something answered, and the answer is bad: health not ok, another version, the
                  sample's error rate or p95 over the limit, Prometheus' error rate or p95 over the limit
    error         a probe got no answer (network error, timeout, Prometheus down): nothing is known
    inconclusive  everything answered and nothing is bad, but a number is missing (Prometheus has no
                  data for the window)
    successful    otherwise

The limits mean what they mean in Argo Rollouts' AnalysisRun, and are checked in its order after every
measurement: ``failed > failure_limit`` ends the watch *failed*; ``inconclusive > inconclusive_limit``
ends it *inconclusive*; ``errors in a row > consecutive_error_limit`` ends it *errored* (a measurement
in another phase resets the run of errors). Otherwise the watch *passes* once its last measurement, at
the duration, is taken. Measurements start at 0, interval, 2 x interval, ... and at the duration; a
measurement that overruns its slot makes the watch skip the slots it missed rather than catch up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from gonogo.bluegreen import prometheus as prom
from gonogo.bluegreen.stats import percentile
from gonogo.environment import HealthConfig, PrometheusConfig, RouteConfig, VersionConfig
from gonogo.probes.fetch import fetch
from gonogo.probes.health import check_health, read_version


class Phase(StrEnum):
    SUCCESSFUL = "successful"
    FAILED = "failed"
    ERROR = "error"
    INCONCLUSIVE = "inconclusive"


class End(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERRORED = "errored"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Measurement:
    index: int
    #: seconds since the watch began, when this measurement started
    t_s: float
    duration_ms: float
    phase: Phase
    reasons: tuple[str, ...] = ()
    health_status: int | None = None
    version: str | None = None
    sample_sent: int = 0
    sample_answered: int = 0
    #: answered with another status than the route's
    sample_errors: int = 0
    #: requests of any probe that got no answer
    network_errors: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    prometheus_error_rate: float | None = None
    prometheus_p95_ms: float | None = None

    @property
    def error_rate(self) -> float | None:
        return self.sample_errors / self.sample_answered if self.sample_answered else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["phase"] = self.phase.value
        data["reasons"] = list(self.reasons)
        data["error_rate"] = self.error_rate
        return {key: _finite(value) for key, value in data.items()}


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else str(value)
    return value


@dataclass(frozen=True)
class Limits:
    failure_limit: int = 0
    consecutive_error_limit: int = 4
    inconclusive_limit: int = 0


@dataclass
class Tally:
    successful: int = 0
    failed: int = 0
    errors: int = 0
    inconclusive: int = 0
    errors_in_a_row: int = 0
    most_errors_in_a_row: int = 0

    def add(self, phase: Phase) -> None:
        if phase is Phase.ERROR:
            self.errors += 1
            self.errors_in_a_row += 1
            self.most_errors_in_a_row = max(self.most_errors_in_a_row, self.errors_in_a_row)
            return
        self.errors_in_a_row = 0
        if phase is Phase.SUCCESSFUL:
            self.successful += 1
        elif phase is Phase.FAILED:
            self.failed += 1
        else:
            self.inconclusive += 1

    def exceeded(self, limits: Limits) -> tuple[End, str] | None:
        """The first limit exceeded, in Argo Rollouts' order, with the sentence that says so."""
        if self.failed > limits.failure_limit:
            return End.FAILED, f"{self.failed} failed measurement(s) > failure_limit {limits.failure_limit}"
        if self.inconclusive > limits.inconclusive_limit:
            return End.INCONCLUSIVE, (
                f"{self.inconclusive} inconclusive measurement(s) > inconclusive_limit "
                f"{limits.inconclusive_limit}"
            )
        if self.errors_in_a_row > limits.consecutive_error_limit:
            return End.ERRORED, (
                f"{self.errors_in_a_row} measurements in a row got no answer > consecutive_error_limit "
                f"{limits.consecutive_error_limit}"
            )
        return None

    def summary(self) -> str:
        return (
            f"{self.successful} successful, {self.failed} failed, {self.errors} error(s), "
            f"{self.inconclusive} inconclusive"
        )


@dataclass(frozen=True)
class WatchResult:
    end: End
    reason: str
    measurements: tuple[Measurement, ...]
    #: seconds from the start of the watch to its verdict
    elapsed_s: float
    tally: Tally
    duration_s: float
    interval_s: float
    limits: Limits

    def to_dict(self) -> dict[str, Any]:
        return {
            "end": self.end.value,
            "reason": self.reason,
            "time_to_verdict_s": round(self.elapsed_s, 3),
            "duration_s": self.duration_s,
            "interval_s": self.interval_s,
            "limits": asdict(self.limits),
            "tally": asdict(self.tally),
            "measurements": [m.to_dict() for m in self.measurements],
        }


def slots(duration_s: float, interval_s: float) -> list[float]:
    """When measurements start: 0, interval, 2 x interval, ... and the duration itself."""
    count = math.floor(duration_s / interval_s + 1e-9)
    times = [k * interval_s for k in range(count + 1)]
    if duration_s - times[-1] > 1e-6:
        times.append(duration_s)
    return times


def run(
    measure: Callable[[int, float], Measurement],
    *,
    duration_s: float,
    interval_s: float,
    limits: Limits,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_measurement: Callable[[Measurement, Tally], None] | None = None,
) -> WatchResult:
    """Measure on schedule until a limit is exceeded or the last slot is measured."""
    schedule = slots(duration_s, interval_s)
    tally = Tally()
    taken: list[Measurement] = []
    began = clock()
    index = 0
    while index < len(schedule):
        now = clock() - began
        while index + 1 < len(schedule) and schedule[index + 1] <= now:
            index += 1  # an overrun: skip the slots already gone instead of catching up in a burst
        if schedule[index] > now:
            sleep(schedule[index] - now)
        measurement = measure(len(taken), clock() - began)
        taken.append(measurement)
        tally.add(measurement.phase)
        if on_measurement is not None:
            on_measurement(measurement, tally)
        ended = tally.exceeded(limits)
        if ended is not None:
            end, reason = ended
            return WatchResult(
                end, reason, tuple(taken), clock() - began, tally, duration_s, interval_s, limits
            )
        index += 1
    reason = f"{len(taken)} measurement(s) over {duration_s:g} s, no limit exceeded: {tally.summary()}"
    return WatchResult(
        End.PASSED, reason, tuple(taken), clock() - began, tally, duration_s, interval_s, limits
    )


# --- taking one measurement --------------------------------------------------------------------


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
    _next_route: int = field(default=0, init=False)

    def measure(self, index: int, t_s: float) -> Measurement:
        started = self.clock()
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

        sent, answered, wrong, latencies, sample_network = self._sample(errors)
        network += sample_network
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        if answered:
            rate = wrong / answered
            if rate > self.max_error_rate:
                failed.append(f"error rate {wrong}/{answered} = {rate:.1%} > {self.max_error_rate:.1%}")
        if p95 is not None and p95 > self.p95_ms:
            failed.append(f"p95 {p95:.1f} ms > {self.p95_ms:g} ms over {len(latencies)} request(s)")

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
        reasons = tuple(failed or errors or missing)
        return Measurement(
            index=index,
            t_s=t_s,
            duration_ms=(self.clock() - started) * 1000,
            phase=phase,
            reasons=reasons,
            health_status=health_status,
            version=reading.actual,
            sample_sent=sent,
            sample_answered=answered,
            sample_errors=wrong,
            network_errors=network,
            p50_ms=p50,
            p95_ms=p95,
            prometheus_error_rate=prom_rate,
            prometheus_p95_ms=prom_p95,
        )

    def _sample(self, errors: list[str]) -> tuple[int, int, int, list[float], int]:
        """Send the sample, round robin over the routes.

        Returns: sent, answered, answered with another status, latencies of the good answers, no answer.
        """
        if not self.routes or self.sample_requests == 0:
            return 0, 0, 0, [], 0
        answered = wrong = network = 0
        latencies: list[float] = []
        for _ in range(self.sample_requests):
            route = self.routes[self._next_route % len(self.routes)]
            self._next_route += 1
            fetched = fetch(self.client, route.method, route.path)
            if fetched.response is None:
                network += 1
                continue
            answered += 1
            if fetched.status == route.status:
                latencies.append(fetched.elapsed_ms)
            else:
                wrong += 1
        if network:
            errors.append(f"sample: {network} of {self.sample_requests} request(s) got no answer")
        return self.sample_requests, answered, wrong, latencies, network
