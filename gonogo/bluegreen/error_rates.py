"""The error rate increase: Fisher's exact test and Newcombe's hybrid score interval.

See :mod:`gonogo.bluegreen.stats` for the rule and the other measures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from gonogo.bluegreen.rule import HOPELESS, Classification, classify, critical_value, fraction


@dataclass(frozen=True)
class ErrorRateComparison:
    classification: Classification
    baseline_errors: int
    baseline_n: int
    candidate_errors: int
    candidate_n: int
    #: candidate rate minus baseline rate
    increase: float | None
    ci_low: float | None
    ci_high: float | None
    #: Fisher's exact test, one-sided: does the candidate fail more often?
    p_value: float | None
    allowed_increase: float
    reason: str
    #: requests per side beyond those sent that would probably decide it
    more: float | None = None

    @property
    def baseline_rate(self) -> float | None:
        return fraction(self.baseline_errors, self.baseline_n)

    @property
    def candidate_rate(self) -> float | None:
        return fraction(self.candidate_errors, self.candidate_n)


def compare_error_rates(
    *,
    candidate_errors: int,
    candidate_n: int,
    baseline_errors: int,
    baseline_n: int,
    confidence: float,
    allowed_increase: float,
    min_samples: int,
    critical: float | None = None,
) -> ErrorRateComparison:
    counts = (baseline_errors, baseline_n, candidate_errors, candidate_n)
    z = critical_value(confidence, critical)
    if baseline_n < min_samples or candidate_n < min_samples:
        reason = f"{baseline_n} baseline and {candidate_n} candidate requests; at least {min_samples} each"
        short = float(min_samples - min(baseline_n, candidate_n))
        return ErrorRateComparison(
            Classification.INCONCLUSIVE, *counts, None, None, None, None, allowed_increase, reason, short
        )
    table = [
        [candidate_errors, candidate_n - candidate_errors],
        [baseline_errors, baseline_n - baseline_errors],
    ]
    p_value = float(stats.fisher_exact(table, alternative="greater").pvalue)
    increase = candidate_errors / candidate_n - baseline_errors / baseline_n
    low, high = _newcombe_z(candidate_errors, candidate_n, baseline_errors, baseline_n, z)
    significant = p_value < stats.norm.sf(z)
    verdict = classify(
        significant=significant, estimate=increase, ci_low=low, ci_high=high, limit=allowed_increase
    )
    more = None
    if verdict in (Classification.MARGINAL, Classification.INCONCLUSIVE):
        more = _more_requests(counts, z, allowed_increase)
    interval = f"interval {low:+.2%} to {high:+.2%}"
    reason = {
        Classification.FAIL: f"the candidate's error rate is more than {allowed_increase:.2%} above the "
        f"baseline's, with {confidence:.0%} confidence ({interval})",
        Classification.PASS: f"at most {allowed_increase:.2%} more errors than the baseline, with "
        f"{confidence:.0%} confidence ({interval})",
        Classification.MARGINAL: f"the candidate fails significantly more often and the increase exceeds "
        f"{allowed_increase:.2%}, but the {interval} reaches back within it",
        Classification.INCONCLUSIVE: f"{min(baseline_n, candidate_n)} requests a side cannot show the "
        f"increase within {allowed_increase:.2%}: the {interval} reaches past it",
    }[verdict]
    return ErrorRateComparison(verdict, *counts, increase, low, high, p_value, allowed_increase, reason, more)


def _more_requests(counts: tuple[int, int, int, int], z: float, allowed: float) -> float | None:
    """Requests per side beyond those sent at which the same rates would clear the allowed increase.

    The interval of a rate near 0 shrinks as ``1/n``, not ``1/sqrt(n)``: found by search, not scaled.
    """
    baseline_errors, baseline_n, candidate_errors, candidate_n = counts
    p_base, p_cand = baseline_errors / baseline_n, candidate_errors / candidate_n
    sent = min(baseline_n, candidate_n)
    increase = p_cand - p_base

    def clear(n: int) -> bool:
        low, high = _newcombe_z(round(p_cand * n), n, round(p_base * n), n, z)
        return low > allowed if increase > allowed else high <= allowed

    size = sent
    while not clear(size):
        size *= 2
        if size > HOPELESS * sent:
            return None
    low_size = size // 2
    while size - low_size > max(1, size // 100):  # about is enough: 1 % of the answer
        middle = (low_size + size) // 2
        if clear(middle):
            size = middle
        else:
            low_size = middle
    return float(max(size - sent, 1))


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, confidence: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``x1/n1 - x2/n2`` (his method 10), from Wilson intervals."""
    return _newcombe_z(x1, n1, x2, n2, float(stats.norm.isf((1 - confidence) / 2)))


def _newcombe_z(x1: int, n1: int, x2: int, n2: int, z: float) -> tuple[float, float]:
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = _wilson(x1, n1, z)
    l2, u2 = _wilson(x2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def _wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    """Wilson's score interval, in closed form (any critical value, so a look's own works too)."""
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)
