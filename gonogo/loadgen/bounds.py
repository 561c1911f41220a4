"""How sure a load run is of its p95 and its error rate: one-sided 95 % bounds, and how many more requests
would decide. The arithmetic is ``gonogo.stats_bounds`` (order statistics for a quantile, Clopper-Pearson
for a rate, distribution-free and exact); this module applies it to HdrHistogram counts.

The order statistic at rank k is read from its histogram bucket: the bucket's upper edge for an upper
bound, its lower edge for a lower bound, so the 0.1 % bucket width only ever makes a bound more cautious.
A one-sided 95 % upper bound on a p95 exists from 59 samples; zero failures in n requests show an error
rate below 1 % only from n = 299.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from scipy import stats

from gonogo.loadgen.histograms import Buckets
from gonogo.stats_bounds import (
    quantile_lower_bound,
    quantile_upper_bound,
    rate_lower_bound,
    rate_upper_bound,
    requests_to_show_rate_below,
    smallest_count,
)

#: one-sided confidence of every bound the load check judges by
CONFIDENCE = 0.95
P95 = 0.95


class _Ranks(Sequence[float]):
    """The histogram's samples in order, as ``stats_bounds`` reads sorted samples: ``ranks[i]`` is the
    (i + 1)-th smallest, at its bucket's upper or lower edge."""

    def __init__(self, buckets: Buckets, *, upper: bool) -> None:
        self._buckets = buckets
        self._upper = upper

    def __len__(self) -> int:
        return self._buckets.total

    @overload
    def __getitem__(self, index: int) -> float: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[float]: ...
    def __getitem__(self, index: int | slice) -> float | Sequence[float]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        return self._buckets.value_at_rank(index + 1, upper=self._upper)

    def __iter__(self) -> Iterator[float]:
        return (self[i] for i in range(len(self)))


@dataclass(frozen=True)
class Interval:
    """One-sided bounds (each at ``CONFIDENCE``) on a p95 in ms or on an error rate; None: too few samples."""

    lower: float | None
    upper: float | None


def p95_interval(buckets: Buckets) -> Interval:
    return Interval(
        lower=quantile_lower_bound(_Ranks(buckets, upper=False), P95, CONFIDENCE),
        upper=quantile_upper_bound(_Ranks(buckets, upper=True), P95, CONFIDENCE),
    )


def rate_interval(errors: int, requests: int) -> tuple[float, float]:
    """(lower, upper) one-sided bounds on the error rate; a rate always has both (0 and 1 at worst)."""
    return rate_lower_bound(errors, requests, CONFIDENCE), rate_upper_bound(errors, requests, CONFIDENCE)


def requests_to_decide_p95(buckets: Buckets, limit_ms: float) -> int | None:
    """About how many requests in all would decide the p95 against ``limit_ms``, if latency stays as
    measured; None when none would (the p95 sits on the limit)."""
    n = buckets.total
    if n == 0:
        return None
    below = buckets.share_within(limit_ms)  # samples surely within the limit
    if below > P95:
        # an upper bound under the limit needs rank k(n) within the share under it
        return smallest_count(lambda m: _upper_rank(m) <= below * m, start=max(n, 1))
    at_most = buckets.share_at_most(limit_ms)  # samples possibly under it
    if at_most < P95:
        return smallest_count(lambda m: _lower_rank(m) > at_most * m, start=max(n, 1))
    return None


def requests_to_decide_rate(errors: int, requests: int, limit: float) -> int | None:
    """About how many requests in all would decide the error rate against ``limit``, if it stays as
    measured; None when none would."""
    if requests == 0 or limit <= 0:
        return None
    observed = errors / requests
    if observed < limit:
        return requests_to_show_rate_below(limit, CONFIDENCE, observed)
    if observed > limit:
        return smallest_count(
            lambda m: rate_lower_bound(round(observed * m), m, CONFIDENCE) > limit, start=requests
        )
    return None


def _upper_rank(n: int) -> int:
    """The rank whose sample is a one-sided upper bound on the p95 of n samples (may exceed n)."""
    return int(stats.binom.ppf(CONFIDENCE, n, P95)) + 1


def _lower_rank(n: int) -> int:
    """The rank whose sample is a one-sided lower bound on the p95 of n samples (0: none)."""
    k = int(stats.binom.ppf(1 - CONFIDENCE, n, P95))
    if stats.binom.cdf(k - 1, n, P95) > 1 - CONFIDENCE:
        k -= 1
    return k
