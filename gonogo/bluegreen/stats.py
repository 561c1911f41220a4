"""The statistics of the comparison, as plain functions on plain numbers (SciPy does the tests).

Every measure is judged by the same rule, stated once in :func:`classify`:

    fail      the regression is significant AND its whole confidence interval lies beyond the limit
    marginal  the regression is significant AND its estimate lies beyond the limit, but the interval
              reaches back within it: probably too much, not proven
    pass      anything else: no significant regression, or one within the limit, or an improvement
    inconclusive  fewer samples than the minimum on either side (checked before anything else)

The three measures (docs/bluegreen.md has the worked examples):

* latency shift: Mann-Whitney U (one-sided, candidate slower) for significance; the Hodges-Lehmann
  estimate of the shift (the median of every candidate-minus-baseline difference) with its
  distribution-free confidence interval; the limit is the tolerance band, a fraction of the baseline's
  p50 with a floor in milliseconds;
* p95 ratio: the candidate's p95 over the baseline's, with a percentile-bootstrap interval (seeded, so a
  run is repeatable); significant when the interval lies above 1; the limit is ``1 + p95_increase_limit``;
* error rate increase: candidate minus baseline, Fisher's exact test (one-sided) for significance and
  Newcombe's hybrid score interval (from two Wilson intervals); the limit is the allowed increase.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

__all__ = [
    "Classification",
    "ErrorRateComparison",
    "LatencyComparison",
    "P95Comparison",
    "ShiftEstimate",
    "classify",
    "compare_error_rates",
    "compare_latency",
    "compare_p95",
    "hodges_lehmann",
    "percentile",
]

#: resamples of the p95 bootstrap: enough for a stable 98 % interval, a few milliseconds of work
BOOTSTRAP_RESAMPLES = 2000


class Classification(StrEnum):
    PASS = "pass"
    MARGINAL = "marginal"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


def classify(*, significant: bool, estimate: float, ci_low: float, limit: float) -> Classification:
    """The one rule every measure follows (higher is worse); see the module docstring."""
    if significant and ci_low > limit:
        return Classification.FAIL
    if significant and estimate > limit:
        return Classification.MARGINAL
    return Classification.PASS


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation (numpy's default); None when empty."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


@dataclass(frozen=True)
class ShiftEstimate:
    """How much later the candidate answers: the Hodges-Lehmann estimate and its confidence interval."""

    estimate: float
    ci_low: float
    ci_high: float
    confidence: float


def hodges_lehmann(candidate: Sequence[float], baseline: Sequence[float], confidence: float) -> ShiftEstimate:
    """The median of all ``candidate[i] - baseline[j]``, with the interval that inverts the rank-sum test.

    The interval's ends are order statistics of those differences, ``C`` in from each end, where
    ``C = mn/2 - z * sqrt(mn(m+n+1)/12)`` (the normal approximation of the Mann-Whitney U distribution;
    Hollander & Wolfe, section 4.3). Ties (rare for latencies) are not corrected for.
    """
    c = np.asarray(candidate, dtype=float)
    b = np.asarray(baseline, dtype=float)
    m, n = len(c), len(b)
    if m == 0 or n == 0:
        raise ValueError("hodges_lehmann needs at least one value on each side")
    differences = np.sort(np.subtract.outer(c, b).ravel())
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    c_alpha = m * n / 2 - z * math.sqrt(m * n * (m + n + 1) / 12)
    k = max(1, math.floor(c_alpha))  # 1-based rank of the lower end; never past the data
    low, high = differences[k - 1], differences[m * n - k]
    return ShiftEstimate(float(np.median(differences)), float(low), float(high), confidence)


@dataclass(frozen=True)
class LatencyComparison:
    """One route's latency: baseline vs candidate. Times in milliseconds."""

    classification: Classification
    baseline_n: int
    candidate_n: int
    baseline_p50: float | None
    baseline_p95: float | None
    candidate_p50: float | None
    candidate_p95: float | None
    #: the tolerated shift (ms): max(latency_tolerance x baseline p50, latency_tolerance_ms)
    tolerance_ms: float | None
    shift: ShiftEstimate | None
    #: Mann-Whitney U, one-sided: is the candidate slower?
    p_value: float | None
    reason: str


def compare_latency(
    candidate: Sequence[float],
    baseline: Sequence[float],
    *,
    confidence: float,
    tolerance: float,
    tolerance_ms: float,
    min_samples: int,
) -> LatencyComparison:
    b50, b95 = percentile(baseline, 50), percentile(baseline, 95)
    c50, c95 = percentile(candidate, 50), percentile(candidate, 95)
    if len(baseline) < min_samples or len(candidate) < min_samples:
        reason = (
            f"{len(baseline)} baseline and {len(candidate)} candidate samples; at least {min_samples} "
            "on each side are needed to judge"
        )
        return LatencyComparison(
            Classification.INCONCLUSIVE,
            len(baseline),
            len(candidate),
            b50,
            b95,
            c50,
            c95,
            None,
            None,
            None,
            reason,
        )
    assert b50 is not None
    band = max(tolerance * b50, tolerance_ms)
    shift = hodges_lehmann(candidate, baseline, confidence)
    p_value = float(stats.mannwhitneyu(candidate, baseline, alternative="greater").pvalue)
    alpha = 1 - confidence
    verdict = classify(significant=p_value < alpha, estimate=shift.estimate, ci_low=shift.ci_low, limit=band)
    reason = {
        Classification.FAIL: f"the candidate is slower by more than the tolerated {band:.2f} ms, "
        f"with {confidence:.0%} confidence",
        Classification.MARGINAL: f"the candidate is significantly slower and the estimate exceeds the "
        f"tolerated {band:.2f} ms, but the interval reaches back within it",
        Classification.PASS: _latency_pass_reason(p_value, alpha, shift, band),
    }[verdict]
    return LatencyComparison(
        verdict, len(baseline), len(candidate), b50, b95, c50, c95, band, shift, p_value, reason
    )


def _latency_pass_reason(p_value: float, alpha: float, shift: ShiftEstimate, band: float) -> str:
    if p_value >= alpha:
        return f"no significant slowdown (p = {p_value:.3g} >= {alpha:.3g})"
    return f"significantly slower, but by {shift.estimate:.2f} ms, within the tolerated {band:.2f} ms"


@dataclass(frozen=True)
class P95Comparison:
    """The effect-size limit on the tail: candidate p95 / baseline p95."""

    classification: Classification
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    #: 1 + p95_increase_limit
    limit: float
    reason: str


def compare_p95(
    candidate: Sequence[float],
    baseline: Sequence[float],
    *,
    confidence: float,
    increase_limit: float,
    min_samples: int,
    seed: int = 0,
) -> P95Comparison:
    limit = 1 + increase_limit
    if len(baseline) < min_samples or len(candidate) < min_samples:
        reason = f"fewer than {min_samples} samples on a side"
        return P95Comparison(Classification.INCONCLUSIVE, None, None, None, limit, reason)
    c = np.asarray(candidate, dtype=float)
    b = np.asarray(baseline, dtype=float)
    b95 = float(np.percentile(b, 95))
    if b95 <= 0:
        reason = "the baseline's p95 is 0: a ratio means nothing"
        return P95Comparison(Classification.INCONCLUSIVE, None, None, None, limit, reason)
    ratio = float(np.percentile(c, 95)) / b95

    def statistic(cand: np.ndarray, base: np.ndarray, axis: int = -1) -> np.ndarray:
        result: np.ndarray = np.percentile(cand, 95, axis=axis) / np.percentile(base, 95, axis=axis)
        return result

    interval = stats.bootstrap(
        (c, b),
        statistic,
        n_resamples=BOOTSTRAP_RESAMPLES,
        vectorized=True,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    ).confidence_interval
    low, high = float(interval.low), float(interval.high)
    verdict = classify(significant=low > 1, estimate=ratio, ci_low=low, limit=limit)
    reason = {
        Classification.FAIL: f"the candidate's p95 is more than {increase_limit:.0%} above the baseline's, "
        f"with {confidence:.0%} confidence",
        Classification.MARGINAL: f"the candidate's p95 is {ratio - 1:.0%} above the baseline's (limit "
        f"{increase_limit:.0%}), but the interval reaches back within the limit",
        Classification.PASS: f"p95 ratio {ratio:.2f}: within the limit {limit:.2f}, "
        "or not significantly above 1",
    }[verdict]
    return P95Comparison(verdict, ratio, low, high, limit, reason)


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

    @property
    def baseline_rate(self) -> float | None:
        return self.baseline_errors / self.baseline_n if self.baseline_n else None

    @property
    def candidate_rate(self) -> float | None:
        return self.candidate_errors / self.candidate_n if self.candidate_n else None


def compare_error_rates(
    *,
    candidate_errors: int,
    candidate_n: int,
    baseline_errors: int,
    baseline_n: int,
    confidence: float,
    allowed_increase: float,
    min_samples: int,
) -> ErrorRateComparison:
    counts = (baseline_errors, baseline_n, candidate_errors, candidate_n)
    if baseline_n < min_samples or candidate_n < min_samples:
        reason = f"{baseline_n} baseline and {candidate_n} candidate requests; at least {min_samples} each"
        return ErrorRateComparison(
            Classification.INCONCLUSIVE, *counts, None, None, None, None, allowed_increase, reason
        )
    table = [
        [candidate_errors, candidate_n - candidate_errors],
        [baseline_errors, baseline_n - baseline_errors],
    ]
    p_value = float(stats.fisher_exact(table, alternative="greater").pvalue)
    increase = candidate_errors / candidate_n - baseline_errors / baseline_n
    low, high = newcombe_interval(candidate_errors, candidate_n, baseline_errors, baseline_n, confidence)
    alpha = 1 - confidence
    verdict = classify(significant=p_value < alpha, estimate=increase, ci_low=low, limit=allowed_increase)
    reason = {
        Classification.FAIL: f"the candidate's error rate is more than {allowed_increase:.2%} above the "
        f"baseline's, with {confidence:.0%} confidence",
        Classification.MARGINAL: f"the candidate fails significantly more often and the increase exceeds "
        f"{allowed_increase:.2%}, but the interval reaches back within it",
        Classification.PASS: (
            f"no significant increase (p = {p_value:.3g} >= {alpha:.3g})"
            if p_value >= alpha
            else f"significantly more errors, but {increase:+.2%} is within the allowed "
            f"{allowed_increase:.2%}"
        ),
    }[verdict]
    return ErrorRateComparison(verdict, *counts, increase, low, high, p_value, allowed_increase, reason)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, confidence: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``x1/n1 - x2/n2`` (his method 10), from Wilson intervals."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = _wilson(x1, n1, confidence)
    l2, u2 = _wilson(x2, n2, confidence)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def _wilson(successes: int, n: int, confidence: float) -> tuple[float, float]:
    interval = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)
