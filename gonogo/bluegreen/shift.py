"""The latency shift: Hodges-Lehmann estimate, its rank-test interval, Mann-Whitney U (SciPy).

See :mod:`gonogo.bluegreen.stats` for the rule and the other measures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from gonogo.bluegreen.rule import Classification, classify, critical_value, more_samples, percentile


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
