"""What a number of samples can show: order-statistic bounds on percentiles, exact bounds on error rates.

The figures are the ones people quote (59 samples for a 95 % bound on a p95, 299 requests to show an
error rate below 1 %), and each bound is checked against its own definition on seeded samples.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from gonogo.stats_bounds import (
    need_more,
    quantile_exceeds_p,
    quantile_lower_bound,
    quantile_upper_bound,
    rate_exceeds_p,
    rate_lower_bound,
    rate_upper_bound,
    requests_to_show_rate_below,
    round_up,
    samples_for_quantile_bound,
)


@pytest.mark.parametrize(
    ("q", "confidence", "needed"), [(0.95, 0.95, 59), (0.99, 0.95, 299), (0.95, 0.99, 90), (0.95, 0.98, 77)]
)
def test_a_percentile_bound_needs_enough_samples_for_their_maximum_to_be_one(
    q: float, confidence: float, needed: int
) -> None:
    assert samples_for_quantile_bound(q, confidence) == needed
    assert quantile_upper_bound(list(range(needed)), q, confidence) == needed - 1  # the maximum
    assert quantile_upper_bound(list(range(needed - 1)), q, confidence) is None


def test_the_p95_of_five_samples_is_no_bound_at_all() -> None:
    assert quantile_upper_bound([1.0, 2.0, 3.0, 4.0, 5.0], 0.95, 0.95) is None


def test_order_statistic_bounds_cover_the_true_quantile_as_often_as_they_promise() -> None:
    true_p95 = float(stats.norm.ppf(0.95))
    rng = np.random.default_rng(1)
    upper_missed = lower_missed = 0
    for _ in range(2000):
        ordered = np.sort(rng.normal(size=200))
        upper = quantile_upper_bound(ordered, 0.95, 0.9)
        lower = quantile_lower_bound(ordered, 0.95, 0.9)
        assert upper is not None
        assert lower is not None
        upper_missed += upper < true_p95
        lower_missed += lower > true_p95
    # at most 10 % each (distribution-free bounds are conservative: the binomial is discrete)
    assert upper_missed / 2000 <= 0.11
    assert lower_missed / 2000 <= 0.11
    assert upper_missed / 2000 > 0.03  # and not absurdly loose


@pytest.mark.parametrize(
    ("limit", "confidence", "needed"), [(0.01, 0.95, 299), (0.001, 0.95, 2995), (0.01, 0.99, 459)]
)
def test_no_failures_show_an_error_rate_below_a_limit_only_from_enough_requests(
    limit: float, confidence: float, needed: int
) -> None:
    assert requests_to_show_rate_below(limit, confidence) == needed
    assert rate_upper_bound(0, needed, confidence) < limit <= rate_upper_bound(0, needed - 1, confidence)


def test_with_errors_seen_more_requests_are_needed_and_at_the_limit_none_would_do() -> None:
    needed = requests_to_show_rate_below(0.01, 0.95, observed_rate=0.002)
    assert needed is not None
    assert needed > 299
    assert rate_upper_bound(round(0.002 * needed), needed, 0.95) < 0.01
    assert requests_to_show_rate_below(0.01, 0.95, observed_rate=0.01) is None
    assert requests_to_show_rate_below(0.0, 0.95) is None


def test_clopper_pearson_bounds_match_scipys_exact_interval() -> None:
    interval = stats.binomtest(7, 300).proportion_ci(confidence_level=0.9, method="exact")
    assert rate_upper_bound(7, 300, 0.95) == pytest.approx(interval.high)
    assert rate_lower_bound(7, 300, 0.95) == pytest.approx(interval.low)
    assert rate_lower_bound(0, 300, 0.95) == 0.0
    assert rate_upper_bound(0, 0, 0.95) == 1.0


def test_exact_tests_ask_how_likely_this_many_failures_are_if_the_limit_held() -> None:
    assert rate_exceeds_p(3, 10, 0.01) == pytest.approx(stats.binom.sf(2, 10, 0.01))
    assert rate_exceeds_p(0, 10, 0.01) == 1.0
    # one slow request in five says nothing about a p95; five of five does
    assert quantile_exceeds_p(1, 5, 0.95) > 0.2
    assert quantile_exceeds_p(5, 5, 0.95) < 1e-6


def test_what_would_decide_it_is_said_in_round_figures_and_seconds() -> None:
    assert [round_up(n) for n in (0, 41, 99.2, 417, 1234, 56_001)] == [0, 41, 100, 420, 1300, 57_000]
    assert (
        need_more(417, rate_per_s=10)
        == "need about 420 more requests (about 42 s at the 10.0 requests/s measured)"
    )
    assert need_more(40, rate_per_s=None) == "need about 40 more requests"
    assert "about 7 min" in need_more(4000, rate_per_s=10)
