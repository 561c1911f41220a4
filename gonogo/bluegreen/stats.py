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

The rule is :mod:`gonogo.bluegreen.rule`; the measures live in :mod:`gonogo.bluegreen.shift`,
:mod:`gonogo.bluegreen.tail` and :mod:`gonogo.bluegreen.error_rates`; this module is their one face.
"""

from __future__ import annotations

from gonogo.bluegreen.error_rates import ErrorRateComparison, compare_error_rates, newcombe_interval
from gonogo.bluegreen.rule import (
    HOPELESS,
    Classification,
    classify,
    critical_value,
    more_samples,
    percentile,
)
from gonogo.bluegreen.shift import LatencyComparison, ShiftEstimate, compare_latency, hodges_lehmann
from gonogo.bluegreen.tail import P95Comparison, compare_p95, p95_samples_needed

__all__ = [
    "HOPELESS",
    "Classification",
    "ErrorRateComparison",
    "LatencyComparison",
    "P95Comparison",
    "ShiftEstimate",
    "classify",
    "compare_error_rates",
    "compare_latency",
    "compare_p95",
    "critical_value",
    "hodges_lehmann",
    "more_samples",
    "newcombe_interval",
    "p95_samples_needed",
    "percentile",
]
