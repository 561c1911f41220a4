"""Evidence sufficiency: what a number of samples can and cannot show, distribution-free and exact.

Plain functions on counts and sorted samples (SciPy's binomial and beta distributions do the work), for
every check that judges a percentile or an error rate against a limit: the blue-green comparison and
watch today, the load check later.

Percentiles, from order statistics (no assumption about the latency distribution): the k-th smallest
of n samples lies above the true q-quantile unless at least k samples fell below it, so
``P(X(k) >= x_q) = P(Binomial(n, q) <= k - 1)``. An upper bound at confidence c is the smallest such k
with that probability >= c; it exists only when ``1 - q**n >= c`` (the maximum itself): 59 samples for
a 95 % bound on a p95, 299 for a p99 (:func:`samples_for_quantile_bound`).

Error rates, Clopper-Pearson (the exact binomial bound): zero errors in n requests shows a rate below
r at confidence c only once ``(1 - r)**n <= 1 - c``: 299 requests for 1 % at 95 %
(:func:`requests_to_show_rate_below`).

The exact tests (:func:`rate_exceeds_p`, :func:`quantile_exceeds_p`) ask the same binomial the other
way round: how likely this many errors (or slow requests) are if the limit held.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from scipy import stats

__all__ = [
    "need_more",
    "quantile_exceeds_p",
    "quantile_lower_bound",
    "quantile_upper_bound",
    "rate_exceeds_p",
    "rate_lower_bound",
    "rate_upper_bound",
    "requests_to_show_rate_below",
    "round_up",
    "samples_for_quantile_bound",
]

#: no search for a sample size goes past this (a rate or a p95 a hair from its limit needs billions)
_MAX_SEARCH = 10**9


def samples_for_quantile_bound(q: float, confidence: float) -> int:
    """The fewest samples whose maximum is an upper bound on the q-quantile at ``confidence``.

    ``1 - q**n >= confidence``: 59 for a p95 at 95 %, 90 at 99 %; 299 for a p99 at 95 %.
    """
    _check_fraction("q", q)
    _check_fraction("confidence", confidence)
    # the 1e-12 keeps an exact boundary (0.95**59 is a hair over 0.05 in binary) on the right side
    return math.ceil(math.log(1 - confidence) / math.log(q) - 1e-12)


def quantile_upper_bound(ordered: Sequence[float], q: float, confidence: float) -> float | None:
    """A distribution-free upper bound on the q-quantile from *sorted* samples; None when too few."""
    n = len(ordered)
    if n == 0:
        return None
    k = int(stats.binom.ppf(confidence, n, q)) + 1  # smallest k with P(Binomial(n, q) <= k - 1) >= c
    return float(ordered[k - 1]) if k <= n else None


def quantile_lower_bound(ordered: Sequence[float], q: float, confidence: float) -> float | None:
    """A distribution-free lower bound on the q-quantile from *sorted* samples; None when too few."""
    n = len(ordered)
    if n == 0:
        return None
    # largest k with P(Binomial(n, q) >= k) >= c, i.e. P(Binomial(n, q) <= k - 1) <= 1 - c
    k = int(stats.binom.ppf(1 - confidence, n, q))
    if stats.binom.cdf(k - 1, n, q) > 1 - confidence:
        k -= 1
    return float(ordered[k - 1]) if k >= 1 else None


def quantile_exceeds_p(slower: int, n: int, q: float) -> float:
    """Exact p-value that the q-quantile is above a limit, given ``slower`` of ``n`` samples above it.

    If the true q-quantile were at or below the limit, each sample would exceed it with probability at
    most ``1 - q``: ``P(Binomial(n, 1 - q) >= slower)``.
    """
    return rate_exceeds_p(slower, n, 1 - q)


def rate_exceeds_p(errors: int, n: int, limit: float) -> float:
    """Exact p-value that the error rate is above ``limit``: ``P(Binomial(n, limit) >= errors)``."""
    if errors <= 0:
        return 1.0
    return float(stats.binom.sf(errors - 1, n, limit))


def rate_upper_bound(errors: int, n: int, confidence: float) -> float:
    """One-sided Clopper-Pearson upper bound on a rate (1.0 when nothing was sent)."""
    if n <= 0 or errors >= n:
        return 1.0
    return float(stats.beta.ppf(confidence, errors + 1, n - errors))


def rate_lower_bound(errors: int, n: int, confidence: float) -> float:
    """One-sided Clopper-Pearson lower bound on a rate (0.0 when no error was seen)."""
    if n <= 0 or errors <= 0:
        return 0.0
    return float(stats.beta.ppf(1 - confidence, errors, n - errors + 1))


def requests_to_show_rate_below(limit: float, confidence: float, observed_rate: float = 0.0) -> int | None:
    """The fewest requests whose Clopper-Pearson upper bound falls below ``limit``, at the rate seen.

    With no errors: ``(1 - limit)**n <= 1 - confidence`` (299 for 1 % at 95 %, 459 at 99 %). With errors
    at ``observed_rate``, the count that would show it if the rate held. None when no count can: the
    rate is at or above the limit, or the limit is 0.
    """
    _check_fraction("confidence", confidence)
    if limit <= 0 or observed_rate >= limit:
        return None
    if limit >= 1:
        return 1

    def shows(n: int) -> bool:
        return rate_upper_bound(round(observed_rate * n), n, confidence) < limit

    if observed_rate <= 0:
        return math.ceil(math.log(1 - confidence) / math.log(1 - limit) - 1e-12)
    return smallest_count(shows, start=1)


def smallest_count(holds: Callable[[int], bool], *, start: int) -> int | None:
    """The smallest n >= start for which ``holds(n)``, for a ``holds`` that stays true once it is.

    Found by doubling from ``start``, then halving; None when it does not hold below 10**9.
    """
    if holds(start):
        return start
    low, high = start, start * 2  # holds(low) is False
    while not holds(high):
        low, high = high, high * 2
        if high > _MAX_SEARCH:
            return None
    while high - low > 1:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle
    return high


def round_up(count: float) -> int:
    """A count for people: rounded up to two significant digits (417 -> 420, 1234 -> 1300)."""
    if count <= 0:
        return 0
    whole = math.ceil(count)
    if whole < 100:
        return whole
    step = int(10 ** (len(str(whole)) - 2))
    return math.ceil(whole / step) * step


def need_more(
    count: float, *, rate_per_s: float | None, unit: str = "requests", rate_unit: str | None = None
) -> str:
    """``need about 420 more requests (about 42 s at the 10.0 requests/s measured)``.

    ``rate_per_s`` counts ``rate_unit`` per second (default: ``unit``), so a count per route can be
    timed by the rate of all routes together.
    """
    more = round_up(count)
    text = f"need about {more} more {unit}"
    if rate_per_s is not None and rate_per_s > 0:
        per = rate_unit or unit
        text += f" (about {_seconds(more / rate_per_s)} at the {rate_per_s:.1f} {per}/s measured)"
    return text


def _seconds(seconds: float) -> str:
    if seconds < 120:
        return f"{max(seconds, 0.1):.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _check_fraction(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
