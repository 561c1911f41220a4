"""The statistics of the comparison, as plain functions on plain numbers (SciPy does the tests).

Every measure gives an estimate and an interval, and is judged by the same rule, stated once in
:func:`classify` (higher is worse):

    fail          the regression is significant AND its whole interval lies beyond the limit
    pass          the whole interval lies within the limit: shown to be no worse than tolerated
    marginal      significant, the estimate beyond the limit, the interval reaching back within it
    inconclusive  anything else, or fewer samples than the measure needs (checked first)

A pass needs evidence too: "no significant regression" from a small sample is not one.

The intervals are *repeated confidence intervals* when the comparison looks at its data more than
once: ``critical`` is the look's critical value from :mod:`gonogo.bluegreen.sequential` (the
fixed-sample ``z`` when None), and the rule keeps its error rates however many looks there are.

The three measures (docs/bluegreen.md has the worked examples):

* latency shift: the Hodges-Lehmann estimate (the median of every candidate-minus-baseline
  difference) with the distribution-free interval that inverts the Mann-Whitney U test (Hollander &
  Wolfe, section 4.3); Mann-Whitney U (one-sided) for significance; the limit is the tolerance band, a
  fraction of the baseline's p50 with a floor in milliseconds;
* p95 ratio: the candidate's p95 over the baseline's, on the log scale with each side's standard error
  read from the order statistics around its p95 (the distribution-free estimate of Price & Bonett,
  2002, for medians, applied at the 95th percentile); significant when the interval lies above 1; the
  limit is ``1 + p95_increase_limit``; a side with fewer samples than a 95th-percentile bound needs at
  the confidence (:func:`gonogo.stats_bounds.samples_for_quantile_bound`) is inconclusive;
* error rate increase: candidate minus baseline, Fisher's exact test (one-sided) for significance and
  Newcombe's hybrid score interval (from two Wilson intervals); the limit is the allowed increase.

Each comparison also says how many more samples would probably decide it (``more``): the sample size
at which the interval, shrinking as ``1/sqrt(n)`` around the same estimate, would clear the limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

from gonogo.stats_bounds import samples_for_quantile_bound

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
    "newcombe_interval",
    "percentile",
]

#: more than this many times the samples already taken: "would not decide it at any affordable size"
HOPELESS = 100.0


class Classification(StrEnum):
    PASS = "pass"
    MARGINAL = "marginal"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


def classify(
    *, significant: bool, estimate: float, ci_low: float, ci_high: float, limit: float
) -> Classification:
    """The one rule every measure follows (higher is worse); see the module docstring."""
    if significant and ci_low > limit:
        return Classification.FAIL
    if ci_high <= limit:
        return Classification.PASS
    if significant and estimate > limit:
        return Classification.MARGINAL
    return Classification.INCONCLUSIVE


def critical_value(confidence: float, critical: float | None) -> float:
    """The two-sided critical value of a look: given, or the fixed-sample ``z_{1 - alpha/2}``."""
    return critical if critical is not None else float(stats.norm.isf((1 - confidence) / 2))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation (numpy's default); None when empty."""
    if len(values) == 0:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def more_samples(n: int, *, estimate: float, low: float, high: float, limit: float) -> float | None:
    """Samples per side beyond ``n`` at which the interval would probably clear ``limit``.

    The side of the interval that reaches across the limit shrinks as ``1/sqrt(n)``: at ``n'`` its
    half-width is ``h * sqrt(n / n')``, clear of the limit once below ``|estimate - limit|``. None when
    the interval already clears it, or the estimate sits on the limit (no size would decide it).
    """
    if estimate > limit:
        reach, gap = estimate - low, estimate - limit
    else:
        reach, gap = high - estimate, limit - estimate
    if gap <= 0 or reach <= gap:
        return None
    return n * (reach / gap) ** 2 - n


@dataclass(frozen=True)
class ShiftEstimate:
    """How much later the candidate answers: the Hodges-Lehmann estimate and its confidence interval."""

    estimate: float
    ci_low: float
    ci_high: float
    confidence: float


def hodges_lehmann(
    candidate: Sequence[float], baseline: Sequence[float], confidence: float, critical: float | None = None
) -> ShiftEstimate:
    """The median of all ``candidate[i] - baseline[j]``, with the interval that inverts the rank-sum test.

    The interval's ends are order statistics of those differences, ``C`` in from each end, where
    ``C = mn/2 - z * sqrt(mn(m+n+1)/12)`` (the normal approximation of the Mann-Whitney U distribution;
    Hollander & Wolfe, section 4.3), ``z`` the look's critical value. Ties (rare for latencies) are not
    corrected for. The order statistics are selected without forming the ``m x n`` differences
    (:func:`_kth_difference`), so a look at 5,000 samples a side costs milliseconds.
    """
    c = np.sort(np.asarray(candidate, dtype=float))
    b = np.sort(np.asarray(baseline, dtype=float))
    m, n = len(c), len(b)
    if m == 0 or n == 0:
        raise ValueError("hodges_lehmann needs at least one value on each side")
    total = m * n
    z = critical_value(confidence, critical)
    c_alpha = total / 2 - z * math.sqrt(total * (m + n + 1) / 12)
    k = max(1, math.floor(c_alpha))  # 1-based rank of the lower end; never past the data
    ranks = [k, (total + 1) // 2, total // 2 + 1, total - k + 1]
    low, middle, upper_middle, high = _kth_differences(c, b, ranks)
    median = middle if total % 2 else (middle + upper_middle) / 2
    return ShiftEstimate(median, low, high, confidence)


def _kth_differences(c: np.ndarray, b: np.ndarray, ranks: Sequence[int]) -> list[float]:
    """:func:`_kth_difference` for several ranks; small samples select them all in one partition."""
    if len(c) * len(b) <= _MATERIALIZE:
        kth = [rank - 1 for rank in ranks]
        parted = np.partition(np.subtract.outer(c, b).ravel(), sorted(set(kth)))
        return [float(parted[index]) for index in kth]
    return [_kth_difference(c, b, rank) for rank in ranks]


def _kth_difference(c: np.ndarray, b: np.ndarray, k: int) -> float:
    """The k-th smallest (1-based) of ``c[i] - b[j]`` over all pairs; ``c`` and ``b`` sorted.

    Small samples: select from the differences themselves. Large ones: bisection on the value, where
    ``count(d)``, the pairs with ``c[i] - b[j] <= d``, is one ``searchsorted`` of ``c - d`` into ``b``;
    once exactly ``k - 1`` differences lie at or below ``low``, the answer is the smallest difference
    above it, found row by row.
    """
    n = len(b)
    total = len(c) * n
    if total <= _MATERIALIZE:
        differences = np.subtract.outer(c, b).ravel()
        return float(np.partition(differences, k - 1)[k - 1])

    def count(d: float) -> int:
        return int(np.sum(n - np.searchsorted(b, c - d, side="left")))

    low, high = float(c[0] - b[-1]), float(c[-1] - b[0])
    if k <= 1:
        return low
    if k >= total:
        return high
    for _ in range(200):  # ~log2(m n) halvings with distinct values; ties end at adjacent floats
        middle = (low + high) / 2
        if middle in (low, high):
            break
        below = count(middle)
        if below >= k:
            high = middle
        else:
            low = middle
            if below == k - 1:
                break
    row_below = np.searchsorted(b, c - low, side="left") - 1  # per row: largest b[j] with c[i] - b[j] > low
    valid = row_below >= 0
    return float(np.min(c[valid] - b[row_below[valid]]))


#: up to this many pairs, the differences are formed and selected from (a few MB, a millisecond or two)
_MATERIALIZE = 20_000


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
    #: Mann-Whitney U, one-sided: is the candidate slower? (the look's own, not adjusted for looks)
    p_value: float | None
    reason: str
    #: samples per side beyond those taken that would probably decide it (None: decided, or hopeless)
    more: float | None = None


def compare_latency(
    candidate: Sequence[float],
    baseline: Sequence[float],
    *,
    confidence: float,
    tolerance: float,
    tolerance_ms: float,
    min_samples: int,
    critical: float | None = None,
) -> LatencyComparison:
    b50, b95 = percentile(baseline, 50), percentile(baseline, 95)
    c50, c95 = percentile(candidate, 50), percentile(candidate, 95)
    counts = (len(baseline), len(candidate), b50, b95, c50, c95)
    if len(baseline) < min_samples or len(candidate) < min_samples:
        reason = (
            f"{len(baseline)} baseline and {len(candidate)} candidate samples; at least {min_samples} "
            "on each side are needed to judge"
        )
        short = float(min_samples - min(len(baseline), len(candidate)))
        return LatencyComparison(Classification.INCONCLUSIVE, *counts, None, None, None, reason, short)
    assert b50 is not None
    band = max(tolerance * b50, tolerance_ms)
    z = critical_value(confidence, critical)
    shift = hodges_lehmann(candidate, baseline, confidence, z)
    p_value = float(stats.mannwhitneyu(candidate, baseline, alternative="greater").pvalue)
    significant = p_value < stats.norm.sf(z)
    verdict = classify(
        significant=significant,
        estimate=shift.estimate,
        ci_low=shift.ci_low,
        ci_high=shift.ci_high,
        limit=band,
    )
    more = None
    if verdict in (Classification.MARGINAL, Classification.INCONCLUSIVE):
        more = more_samples(
            min(len(baseline), len(candidate)),
            estimate=shift.estimate,
            low=shift.ci_low,
            high=shift.ci_high,
            limit=band,
        )
    interval = f"interval {shift.ci_low:+.2f} to {shift.ci_high:+.2f} ms"
    reason = {
        Classification.FAIL: f"the candidate is slower by more than the tolerated {band:.2f} ms, "
        f"with {confidence:.0%} confidence ({interval})",
        Classification.PASS: f"no slower than the tolerated {band:.2f} ms, with {confidence:.0%} confidence "
        f"({interval})",
        Classification.MARGINAL: f"the candidate is significantly slower and the estimate exceeds the "
        f"tolerated {band:.2f} ms, but the {interval} reaches back within it",
        Classification.INCONCLUSIVE: f"the {interval} straddles the tolerated {band:.2f} ms: "
        "neither shown within it nor beyond it",
    }[verdict]
    return LatencyComparison(verdict, *counts, band, shift, p_value, reason, more)


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
    more: float | None = None


def p95_samples_needed(confidence: float, min_samples: int) -> int:
    """Per side: ``min_samples``, and at least what a one-sided bound on a p95 needs at ``confidence``."""
    return max(min_samples, samples_for_quantile_bound(0.95, confidence), _SE_SAMPLES)


def compare_p95(
    candidate: Sequence[float],
    baseline: Sequence[float],
    *,
    confidence: float,
    increase_limit: float,
    min_samples: int,
    critical: float | None = None,
) -> P95Comparison:
    limit = 1 + increase_limit
    needed = p95_samples_needed(confidence, min_samples)
    fewest = min(len(baseline), len(candidate))
    if fewest < needed:
        reason = (
            f"{fewest} samples on a side: a p95 needs at least {needed} to be bounded at "
            f"{confidence:.0%} confidence"
        )
        return P95Comparison(
            Classification.INCONCLUSIVE, None, None, None, limit, reason, float(needed - fewest)
        )
    c = np.sort(np.asarray(candidate, dtype=float))
    b = np.sort(np.asarray(baseline, dtype=float))
    b95 = float(np.percentile(b, 95))
    if b95 <= 0:
        reason = "the baseline's p95 is 0: a ratio means nothing"
        return P95Comparison(Classification.INCONCLUSIVE, None, None, None, limit, reason)
    ratio = float(np.percentile(c, 95)) / b95
    z = critical_value(confidence, critical)
    log_ratio = math.log(max(ratio, 1e-300))
    half = z * math.hypot(_log_quantile_se(c, 0.95), _log_quantile_se(b, 0.95))
    low, high = log_ratio - half, log_ratio + half
    log_limit = math.log(limit)
    verdict = classify(significant=low > 0, estimate=log_ratio, ci_low=low, ci_high=high, limit=log_limit)
    more = None
    if verdict in (Classification.MARGINAL, Classification.INCONCLUSIVE):
        more = more_samples(fewest, estimate=log_ratio, low=low, high=high, limit=log_limit)
    interval = f"interval {math.exp(low):.2f}x to {math.exp(high):.2f}x"
    reason = {
        Classification.FAIL: f"the candidate's p95 is more than {increase_limit:.0%} above the baseline's, "
        f"with {confidence:.0%} confidence ({interval})",
        Classification.PASS: f"p95 ratio {ratio:.2f}: within the limit {limit:.2f}x, with {confidence:.0%} "
        f"confidence ({interval})",
        Classification.MARGINAL: f"the candidate's p95 is {ratio - 1:.0%} above the baseline's (limit "
        f"{increase_limit:.0%}), but the {interval} reaches back within the limit",
        Classification.INCONCLUSIVE: f"the {interval} straddles the limit {limit:.2f}x",
    }[verdict]
    return P95Comparison(verdict, ratio, math.exp(low), math.exp(high), limit, reason, more)


#: the standard error below reads the order statistics one binomial sd either side of the quantile
#: (a 68 % interval, two standard errors wide); both must lie inside the sample
_SE_Z = 1.0
_SE_SAMPLES = 50


def _log_quantile_se(ordered: np.ndarray, q: float) -> float:
    """Standard error of the log of the q-quantile, distribution-free, from sorted positive samples.

    ``[X(l), X(u)]`` with ``l, u = nq -/+ z sqrt(nq(1 - q))`` is an order-statistic interval of coverage
    ``2 Phi(z) - 1``, about ``2z`` standard errors wide (on the log scale, where a ratio is a difference).
    """
    n = len(ordered)
    spread = _SE_Z * math.sqrt(n * q * (1 - q))
    lower = max(1, math.floor(n * q - spread))
    upper = min(n, math.ceil(n * q + spread))
    floor = 1e-9  # a latency of 0 ms (a clock's resolution) would have no logarithm
    top, bottom = max(float(ordered[upper - 1]), floor), max(float(ordered[lower - 1]), floor)
    return (math.log(top) - math.log(bottom)) / (2 * _SE_Z)


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
