"""The watch's evidence: a rolling window of requests judged by exact tests, and the whole watch's tally.

Both limits of the watch are limits on a share of requests, so one exact binomial test serves both:

* the error rate: the share of answers with another status than the route's, at most
  ``max_error_rate``;
* the p95: at most 5 % of the good answers may be slower than ``p95_ms`` (the p95 is at or below the
  limit exactly when the share of requests above the limit is at most 5 %).

A measurement *fails* a limit when the window (the last ``size`` answers, across measurements) shows,
at the measurement's level, that the share is above it: ``P(Binomial(n, limit) >= seen) < alpha``. A
lone slow request or error cannot do that; a burst can, even in a small window. The window is as long
as showing both limits *held* would take (:func:`window_size`: 459 answers for 1 % errors at 99 %).

At the end, the whole watch's answers must show the limits held (one-sided Clopper-Pearson bounds
below them); otherwise the watch did not gather the evidence to pass, and says how much more it needs.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from gonogo.bluegreen.rule import fraction
from gonogo.stats_bounds import (
    need_more,
    rate_exceeds_p,
    rate_upper_bound,
    requests_to_show_rate_below,
)

__all__ = [
    "P95_SHARE",
    "EvidenceCheck",
    "Tested",
    "Window",
    "per_measurement_alpha",
    "sample_size",
    "window_size",
]

#: the p95 limit, as a share: at most this many requests slower than ``p95_ms``
P95_SHARE = 0.05


def window_size(max_error_rate: float, confidence: float) -> int:
    """Answers needed to show both limits with nothing bad seen: the longer of the two."""
    p95 = requests_to_show_rate_below(P95_SHARE, confidence) or 1
    errors = requests_to_show_rate_below(max_error_rate, confidence) if 0 < max_error_rate < 1 else None
    return max(p95, errors or 0)


@dataclass(frozen=True)
class Tested:
    """One limit over the window: what was seen and the exact test's p-value."""

    seen: int
    n: int
    p_value: float

    @property
    def share(self) -> float | None:
        return fraction(self.seen, self.n)


@dataclass(frozen=True)
class EvidenceCheck:
    """The end of a watch: did its answers show a limit held? ``passed`` False: inconclusive."""

    name: str
    seen: int
    n: int
    limit: float
    upper_bound: float
    passed: bool
    detail: str


@dataclass
class Window:
    """The last ``size`` answers (error?, latency of a good answer), and totals over the whole watch."""

    size: int
    max_error_rate: float
    p95_ms: float
    _recent: deque[tuple[bool, bool]] = field(init=False, repr=False)
    _latencies: deque[float] = field(init=False, repr=False)
    #: over the whole watch
    answered: int = 0
    errors: int = 0
    good: int = 0
    slow: int = 0
    #: in the window
    _in_errors: int = field(default=0, init=False, repr=False)
    _in_good: int = field(default=0, init=False, repr=False)
    _in_slow: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._recent = deque(maxlen=self.size)
        self._latencies = deque(maxlen=self.size)

    def add(self, *, error: bool, latency_ms: float | None) -> None:
        slow = not error and latency_ms is not None and latency_ms > self.p95_ms
        if len(self._recent) == self.size:  # the oldest answer leaves the window
            old_error, old_slow = self._recent[0]
            self._in_errors -= old_error
            self._in_good -= not old_error
            self._in_slow -= old_slow
        self._recent.append((error, slow))
        self._in_errors += error
        self._in_good += not error
        self._in_slow += slow
        self.answered += 1
        if error:
            self.errors += 1
        else:
            self.good += 1
            self.slow += slow
            if latency_ms is not None:
                self._latencies.append(latency_ms)

    @property
    def latencies(self) -> list[float]:
        """The good answers' latencies in the window (ms), oldest first."""
        return list(self._latencies)

    def errors_tested(self) -> Tested:
        n = len(self._recent)
        return Tested(self._in_errors, n, _exceeds(self._in_errors, n, self.max_error_rate))

    def slow_tested(self) -> Tested:
        return Tested(self._in_slow, self._in_good, _exceeds(self._in_slow, self._in_good, P95_SHARE))

    def failures(self, alpha: float) -> list[str]:
        """The limits the window shows exceeded at level ``alpha``, as sentences."""
        reasons = []
        errors, slow = self.errors_tested(), self.slow_tested()
        if errors.p_value < alpha:
            reasons.append(
                f"error rate {errors.seen}/{errors.n} = {errors.seen / errors.n:.1%} over the last "
                f"{errors.n} requests > {self.max_error_rate:.1%} ({_exact(errors, alpha)})"
            )
        if slow.p_value < alpha:
            reasons.append(
                f"p95 over {self.p95_ms:g} ms: {slow.seen} of the last {slow.n} good requests slower "
                f"({slow.seen / slow.n:.1%} > {P95_SHARE:.0%}; {_exact(slow, alpha)})"
            )
        return reasons

    def evidence(self, confidence: float, rate_per_s: float | None) -> tuple[EvidenceCheck, ...]:
        """Whether the whole watch showed each limit held, at ``confidence``; what more it needs."""
        return (
            _shown(
                "watch error rate",
                seen=self.errors,
                n=self.answered,
                limit=self.max_error_rate,
                confidence=confidence,
                rate_per_s=rate_per_s,
                what=f"an error rate below {self.max_error_rate:.2%}",
            ),
            _shown(
                "watch p95",
                seen=self.slow,
                n=self.good,
                limit=P95_SHARE,
                confidence=confidence,
                rate_per_s=rate_per_s,
                what=f"a p95 below {self.p95_ms:g} ms (at most {P95_SHARE:.0%} of requests slower)",
            ),
        )


def _exact(test: Tested, alpha: float) -> str:
    return f"exact binomial p = {test.p_value:.2g} < {alpha:.2g}"


def _exceeds(seen: int, n: int, limit: float) -> float:
    if n == 0 or limit >= 1:
        return 1.0
    if limit <= 0:
        return 0.0 if seen else 1.0  # a zero limit: any error exceeds it
    return rate_exceeds_p(seen, n, limit)


def _shown(
    name: str,
    *,
    seen: int,
    n: int,
    limit: float,
    confidence: float,
    rate_per_s: float | None,
    what: str,
) -> EvidenceCheck:
    bound = rate_upper_bound(seen, n, confidence)
    counts = f"{seen}/{n} over the watch, {confidence:.0%} upper bound {bound:.2%}"
    if limit <= 0:
        passed = seen == 0
        detail = f"{counts}; a limit of 0 can be checked (nothing seen), not bounded"
        return EvidenceCheck(name, seen, n, limit, bound, passed, detail)
    if bound < limit:
        return EvidenceCheck(name, seen, n, limit, bound, True, f"{counts}: shows {what}")
    needed = requests_to_show_rate_below(limit, confidence, seen / n if n else 0.0)
    if needed is None or (n and seen / n >= limit):
        detail = f"{counts}: does not show {what}, and more requests at this rate would not"
    else:
        detail = f"{counts}: does not show {what}; {need_more(max(needed - n, 1), rate_per_s=rate_per_s)}"
    return EvidenceCheck(name, seen, n, limit, bound, False, detail)


def per_measurement_alpha(confidence: float, measurements: int, tests: int = 2) -> float:
    """Bonferroni over the watch: every test of every planned measurement gets an equal share."""
    return (1 - confidence) / max(measurements, 1) / tests


def sample_size(sample_requests: int, window: int, measurements: int, most: int = 1000) -> int:
    """Requests per measurement: as configured, or enough that the watch gathers a window by its end."""
    if sample_requests <= 0:
        return 0
    return min(most, max(sample_requests, math.ceil(window / max(measurements, 1))))
