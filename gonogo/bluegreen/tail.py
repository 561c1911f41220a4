"""The tail: the candidate's p95 over the baseline's, with a distribution-free interval.

See :mod:`gonogo.bluegreen.stats` for the rule and the other measures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gonogo.bluegreen.rule import Classification, classify, critical_value, more_samples
from gonogo.stats_bounds import samples_for_quantile_bound


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
