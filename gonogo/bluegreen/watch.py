"""The post-promotion watch: measure the candidate at each interval, stop as soon as a limit is exceeded.

Each measurement probes health, the version and a bounded sample of requests (and, when configured,
asks Prometheus for the error rate and p95). The sample's answers join a rolling window that spans
measurements (:mod:`gonogo.bluegreen.window`): the error rate and the p95 are judged on the window, by
exact binomial tests at a level that keeps the whole watch's false-failure rate under ``1 -
confidence`` (Bonferroni over the planned measurements), never on one interval's handful of requests.
A measurement ends in one phase, the first that applies:

    failed        something answered, and the answer is bad: health not ok, another version, the
                  window shows the error rate or the p95 over its limit, Prometheus' error rate or p95
                  over the limit
    error         a probe got no answer (network error, timeout, Prometheus down): nothing is known
    inconclusive  everything answered and nothing is bad, but a number is missing (Prometheus has no
                  data for the window)
    successful    otherwise

The limits mean what they mean in Argo Rollouts' AnalysisRun, and are checked in its order after every
measurement: ``failed > failure_limit`` ends the watch *failed*; ``inconclusive > inconclusive_limit``
ends it *inconclusive*; ``errors in a row > consecutive_error_limit`` ends it *errored* (a measurement
in another phase resets the run of errors). Otherwise the watch *passes* once its last measurement, at
the duration, is taken, and the whole watch's answers show both limits held at the confidence;
without that evidence it ends *inconclusive* (HOLD), saying how many more requests it would need.
Measurements start at 0, interval, 2 x interval, ... and at the duration; a measurement that overruns
its slot makes the watch skip the slots it missed rather than catch up.

One measurement is taken by :class:`gonogo.bluegreen.probe.Prober`; this module holds the schedule,
Argo Rollouts' limits and the result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from gonogo.bluegreen.rule import fraction
from gonogo.bluegreen.window import EvidenceCheck
from gonogo.model import Finding, FindingVerdict


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
    #: over the window's good answers
    p50_ms: float | None = None
    p95_ms: float | None = None
    prometheus_error_rate: float | None = None
    prometheus_p95_ms: float | None = None
    #: the rolling window after this measurement: answers, errors among them, good answers, slow ones
    window_requests: int = 0
    window_errors: int = 0
    window_good: int = 0
    window_slow: int = 0
    #: the level of this measurement's tests
    alpha: float | None = None

    @property
    def error_rate(self) -> float | None:
        """This measurement's own sample (the bars of the plot); the verdict reads the window."""
        return fraction(self.sample_errors, self.sample_answered)

    @property
    def window_error_rate(self) -> float | None:
        return fraction(self.window_errors, self.window_requests)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["phase"] = self.phase.value
        data["reasons"] = list(self.reasons)
        data["error_rate"] = self.error_rate
        data["window_error_rate"] = self.window_error_rate
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
    #: whether the whole watch showed its limits held (judged when no limit was exceeded)
    evidence: tuple[EvidenceCheck, ...] = ()

    def findings(self) -> list[Finding]:
        """The evidence checks as findings: pass when shown, inconclusive (HOLD) when not."""
        return [
            Finding(
                check.name,
                round(check.upper_bound, 5),
                FindingVerdict.PASS if check.passed else FindingVerdict.INCONCLUSIVE,
                check.limit,
                "",
                check.detail,
            )
            for check in self.evidence
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "end": self.end.value,
            "reason": self.reason,
            "time_to_verdict_s": round(self.elapsed_s, 3),
            "duration_s": self.duration_s,
            "interval_s": self.interval_s,
            "limits": asdict(self.limits),
            "tally": asdict(self.tally),
            "evidence": [asdict(check) for check in self.evidence],
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
    evidence: Callable[[float], tuple[EvidenceCheck, ...]] | None = None,
) -> WatchResult:
    """Measure on schedule until a limit is exceeded or the last slot is measured.

    ``evidence(elapsed_s)`` (:meth:`Prober.evidence`) judges a watch that exceeded no limit: one that
    did not show its limits held ends inconclusive.
    """
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
    elapsed = clock() - began
    reason = f"{len(taken)} measurement(s) over {duration_s:g} s, no limit exceeded: {tally.summary()}"
    checks = evidence(elapsed) if evidence is not None else ()
    short = [check for check in checks if not check.passed]
    if short:
        reason += "; but the watch did not show its limits held: " + "; ".join(
            f"{check.name}: {check.detail}" for check in short
        )
        return WatchResult(
            End.INCONCLUSIVE, reason, tuple(taken), elapsed, tally, duration_s, interval_s, limits, checks
        )
    return WatchResult(
        End.PASSED, reason, tuple(taken), elapsed, tally, duration_s, interval_s, limits, checks
    )
