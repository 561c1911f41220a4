"""HdrHistograms of response times in microseconds: creation, grouped recording, the wire format, ranks.

Locust rounds each response time to two significant digits before counting it (``stats.py``
``bucket_response_time``): a true p95 of 104.8 ms reads as 110 ms. gonogo keeps its own record of the
same samples with HdrHistogram at three significant digits, so its percentiles are within 0.1 % of the
exact ones (the percentile is the sample at rank ``round(p * N)``, reported as the upper edge of its
bucket). Order statistics at any rank (``value_at_rank``) give the distribution-free confidence bounds of
``gonogo.loadgen.bounds``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

LOWEST_US = 1
#: one hour; anything slower is counted as one hour (a request timeout is far below that)
HIGHEST_US = 3_600_000_000
#: 3 significant digits: buckets at most 0.1 % wide
DIGITS = 3
#: the latency-over-time chart and the progress line need less: 1 %
CHART_DIGITS = 2
#: HdrHistogram's sub-bucket count is 2**ceil(log2(2 * 10**digits)); within one bucket values differ
#: only below this many bits, which is what ``record_values`` groups on
_SUB_BUCKET_BITS = {3: 11, 2: 8}


def new_histogram(digits: int = DIGITS) -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, digits)


def record_values(hist: HdrHistogram, values_us: np.ndarray[Any, Any], digits: int = DIGITS) -> None:
    """Record many microsecond values at once: one ``record_value(v, count)`` per distinct bucket.

    Values sharing a bucket are grouped on their bucket's lowest value, so the histogram ends up exactly
    as if each value had been recorded on its own, at a fraction of the cost.
    """
    if values_us.size == 0:
        return
    values = np.clip(values_us, LOWEST_US, HIGHEST_US).astype(np.int64)
    # frexp gives the bit length of each value (exact for integers below 2**53)
    bits = np.frexp(values.astype(np.float64))[1].astype(np.int64)
    shift = np.maximum(bits - _SUB_BUCKET_BITS[digits], 0)
    lowest = (values >> shift) << shift
    buckets, counts = np.unique(lowest, return_counts=True)
    for value, count in zip(buckets.tolist(), counts.tolist(), strict=True):
        hist.record_value(value, count)


def encode(hist: HdrHistogram) -> str:
    """HdrHistogram's own compressed, base64 wire format (readable by every HdrHistogram library)."""
    text: bytes = hist.encode()
    return text.decode("ascii")


def decode(text: str) -> HdrHistogram:
    return HdrHistogram.decode(text.encode("ascii"))


def percentile_ms(hist: HdrHistogram, percent: float) -> float | None:
    """The latency at ``percent`` (0-100) in ms, as HdrHistogram reports it; None without samples."""
    return Buckets.of(hist).percentile_ms(percent)


@dataclass(frozen=True)
class Buckets:
    """A histogram's recorded buckets in order: what ``value_at_rank`` reads order statistics from."""

    #: lowest and highest value (us) each bucket stands for
    lowest_us: np.ndarray[Any, Any]
    highest_us: np.ndarray[Any, Any]
    #: samples up to and including each bucket
    cumulative: np.ndarray[Any, Any]

    @classmethod
    def of(cls, hist: HdrHistogram) -> Buckets:
        # the counts array read in place (HdrHistogram's own iterator walks every index in Python)
        counts = np.ctypeslib.as_array(hist.counts)[: hist.counts_len].astype(np.int64)
        indices = np.flatnonzero(counts).tolist()
        values = [hist.get_value_from_index(index) for index in indices]
        return cls(
            np.asarray([hist.get_lowest_equivalent_value(value) for value in values], dtype=np.int64),
            np.asarray([hist.get_highest_equivalent_value(value) for value in values], dtype=np.int64),
            np.cumsum(counts[indices]),
        )

    @property
    def total(self) -> int:
        return int(self.cumulative[-1]) if self.cumulative.size else 0

    def percentile_ms(self, percent: float) -> float | None:
        """HdrHistogram's ``get_value_at_percentile`` (the sample at rank ``round(p * N)``, at its bucket's
        upper edge) in ms, without its walk over every index in Python; None without samples."""
        if not self.total:
            return None
        target = max(int(min(percent, 100.0) * self.total / 100 + 0.5), 1)
        return self.value_at_rank(target, upper=True)

    def mean_ms(self) -> float | None:
        """HdrHistogram's ``get_mean_value`` (each bucket at its middle) in ms; None without samples."""
        if not self.total:
            return None
        counts = np.diff(self.cumulative, prepend=0).tolist()
        middles = (self.lowest_us + ((self.highest_us - self.lowest_us + 1) >> 1)).tolist()
        # Python integers: counts x values can pass 2**63 on a long run
        total = sum(count * middle for count, middle in zip(counts, middles, strict=True))
        return float(total) / self.total / 1000.0

    def value_at_rank(self, rank: int, *, upper: bool) -> float:
        """The ``rank``-th smallest sample (1-based) in ms: its bucket's upper edge or lower edge.

        The edges bracket the true sample, so a bound read from the upper edge (an upper bound) or the
        lower edge (a lower bound) is never less conservative than the exact order statistic.
        """
        if not 1 <= rank <= self.total:
            raise ValueError(f"rank {rank} outside 1..{self.total}")
        index = int(np.searchsorted(self.cumulative, rank, side="left"))
        edge = self.highest_us[index] if upper else self.lowest_us[index]
        return float(edge) / 1000.0

    def share_within(self, limit_ms: float) -> float:
        """Fraction of the samples whose whole bucket is at most ``limit_ms`` (those surely within it)."""
        return self._share(self.highest_us <= limit_ms * 1000.0)

    def share_at_most(self, limit_ms: float) -> float:
        """Fraction of the samples whose bucket starts at or below ``limit_ms`` (those possibly under it)."""
        return self._share(self.lowest_us <= limit_ms * 1000.0)

    def _share(self, buckets: np.ndarray[Any, Any]) -> float:
        # buckets: which buckets count; they are the first ones, since both edges only grow
        if not self.total:
            return 0.0
        count = int(self.cumulative[buckets][-1]) if buckets.any() else 0
        return count / self.total


@dataclass
class Series:
    """Requests, errors and a histogram: for one route (measured samples) or one time interval (all)."""

    digits: int
    hist: HdrHistogram = field(init=False)
    requests: int = 0
    errors: int = 0
    max_us: int = 0

    def __post_init__(self) -> None:
        self.hist = new_histogram(self.digits)

    def add(self, values_us: np.ndarray[Any, Any], errors: int) -> None:
        record_values(self.hist, values_us, self.digits)
        self.requests += int(values_us.size)
        self.errors += errors
        if values_us.size:
            self.max_us = max(self.max_us, int(values_us.max()))

    def merge(self, data: Series | Mapping[str, Any]) -> None:
        """Add another series: a ``Series`` of this process, or ``to_delta()`` of another one."""
        if isinstance(data, Series):
            self.hist.add(data.hist)
            self.requests += data.requests
            self.errors += data.errors
            self.max_us = max(self.max_us, data.max_us)
            return
        self.hist.add(decode(data["hist"]))
        self.requests += int(data["requests"])
        self.errors += int(data["errors"])
        self.max_us = max(self.max_us, int(data.get("max_us", 0)))

    def to_delta(self) -> dict[str, Any]:
        return series_dict(self.hist, requests=self.requests, errors=self.errors, max_us=self.max_us)


def series_dict(hist: HdrHistogram, *, requests: int, errors: int, max_us: int) -> dict[str, Any]:
    """Requests, errors, the slowest sample and the encoded histogram: a delta, and a measured route."""
    return {"requests": requests, "errors": errors, "max_us": max_us, "hist": encode(hist)}
