"""The comparison's statistics on synthetic samples (seeded), and the one classification rule.

A pass needs evidence as much as a failure does: the interval must lie within the limit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from gonogo.bluegreen.stats import (
    Classification,
    classify,
    compare_error_rates,
    compare_latency,
    compare_p95,
    hodges_lehmann,
    more_samples,
    newcombe_interval,
    percentile,
)

LATENCY = {"confidence": 0.98, "tolerance": 0.10, "tolerance_ms": 1.0, "min_samples": 50}
#: against a baseline without errors
ERRORS = {"baseline_errors": 0, "confidence": 0.98, "allowed_increase": 0.01, "min_samples": 50}


def lognormal(median_ms: float, n: int, seed: int, sigma: float = 0.2) -> list[float]:
    return list(np.random.default_rng(seed).lognormal(np.log(median_ms), sigma, n))


@pytest.mark.parametrize(
    ("significant", "estimate", "ci_low", "ci_high", "expected"),
    [
        (True, 6.0, 4.0, 8.0, Classification.FAIL),  # the whole interval beyond the limit of 2
        (True, 3.0, 1.0, 5.0, Classification.MARGINAL),  # the estimate beyond, the interval reaches back
        (True, 1.5, 0.5, 1.9, Classification.PASS),  # a real slowdown, shown within the limit
        (False, -0.5, -1.8, 1.2, Classification.PASS),  # no slowdown, and the interval shows it
        (True, -3.0, -5.0, -1.0, Classification.PASS),  # faster
        (False, 0.0, -3.0, 3.0, Classification.INCONCLUSIVE),  # no evidence either way: never a pass
        (True, 1.5, 0.5, 2.5, Classification.INCONCLUSIVE),  # probably within, not shown
    ],
)
def test_the_one_rule_for_every_measure(
    significant: bool, estimate: float, ci_low: float, ci_high: float, expected: Classification
) -> None:
    verdict = classify(significant=significant, estimate=estimate, ci_low=ci_low, ci_high=ci_high, limit=2.0)
    assert verdict is expected


def test_hodges_lehmann_recovers_a_known_shift_and_its_interval_covers_it() -> None:
    baseline = lognormal(20, 200, seed=1)
    candidate = [value + 5.0 for value in lognormal(20, 200, seed=2)]
    shift = hodges_lehmann(candidate, baseline, 0.98)
    assert shift.ci_low < 5.0 < shift.ci_high
    assert shift.ci_low < shift.estimate < shift.ci_high
    assert abs(shift.estimate - 5.0) < 1.5


def test_hodges_lehmann_is_the_median_of_the_pairwise_differences() -> None:
    assert hodges_lehmann([3.0, 5.0], [1.0], 0.9).estimate == pytest.approx(3.0)  # differences 2, 4


def test_hodges_lehmann_interval_matches_the_textbook_order_statistics() -> None:
    # m = n = 10, 95 %: C = 50 - 1.96 * sqrt(100 * 21 / 12) = 24.07 -> the 24th and the 77th differences
    rng = np.random.default_rng(5)
    candidate, baseline = list(rng.normal(1, 1, 10)), list(rng.normal(0, 1, 10))
    ordered = np.sort(np.subtract.outer(candidate, baseline).ravel())
    shift = hodges_lehmann(candidate, baseline, 0.95)
    assert (shift.ci_low, shift.ci_high) == (ordered[23], ordered[76])


def test_hodges_lehmann_selects_the_same_order_statistics_from_large_samples_without_forming_them() -> None:
    # 600 x 700 = 420,000 differences: past the size where they are formed, so bisection selects them
    rng = np.random.default_rng(9)
    candidate, baseline = list(rng.lognormal(3.1, 0.5, 600)), list(rng.lognormal(3.0, 0.5, 700))
    ordered = np.sort(np.subtract.outer(candidate, baseline).ravel())
    shift = hodges_lehmann(candidate, baseline, 0.98)
    c_alpha = 600 * 700 / 2 - stats.norm.isf(0.01) * np.sqrt(600 * 700 * 1301 / 12)
    k = int(np.floor(c_alpha))
    assert (shift.ci_low, shift.ci_high) == (ordered[k - 1], ordered[600 * 700 - k])
    assert shift.estimate == np.median(ordered)


def test_a_larger_critical_value_widens_the_interval_around_the_same_estimate() -> None:
    candidate, baseline = lognormal(22, 200, seed=3), lognormal(20, 200, seed=4)
    fixed = hodges_lehmann(candidate, baseline, 0.98)
    look = hodges_lehmann(candidate, baseline, 0.98, critical=3.0)
    assert look.estimate == fixed.estimate
    assert look.ci_low < fixed.ci_low < fixed.ci_high < look.ci_high


def test_hodges_lehmann_needs_data_on_both_sides() -> None:
    with pytest.raises(ValueError, match="at least one value on each side"):
        hodges_lehmann([], [1.0], 0.98)


def test_equal_latencies_pass() -> None:
    result = compare_latency(lognormal(20, 100, seed=3), lognormal(20, 100, seed=4), **LATENCY)
    assert result.classification is Classification.PASS
    assert result.p_value is not None
    assert result.shift is not None
    assert result.tolerance_ms == pytest.approx(0.1 * result.baseline_p50)


def test_a_thirty_percent_slower_candidate_fails_with_the_estimate() -> None:
    result = compare_latency(lognormal(26, 100, seed=5), lognormal(20, 100, seed=6), **LATENCY)
    assert result.classification is Classification.FAIL
    assert result.shift is not None
    assert 4.0 < result.shift.estimate < 8.0
    assert result.shift.ci_low > result.tolerance_ms
    assert result.p_value is not None
    assert result.p_value < 0.02
    assert "slower by more than the tolerated" in result.reason


def test_a_slight_slowdown_within_the_tolerance_passes_though_significant() -> None:
    baseline = lognormal(20, 1000, seed=7, sigma=0.05)
    candidate = [value + 0.8 for value in lognormal(20, 1000, seed=8, sigma=0.05)]
    result = compare_latency(candidate, baseline, **LATENCY)
    assert result.p_value is not None
    assert result.p_value < 0.02
    assert result.classification is Classification.PASS
    assert result.shift is not None
    assert result.tolerance_ms is not None
    assert result.shift.ci_high <= result.tolerance_ms
    assert "no slower than the tolerated" in result.reason


def test_a_slowdown_the_data_cannot_confirm_is_marginal() -> None:
    # significant, the estimate past the 2 ms band, the interval reaching back below it
    baseline = lognormal(20, 60, seed=11, sigma=0.5)
    candidate = lognormal(23.5, 60, seed=12, sigma=0.5)
    result = compare_latency(candidate, baseline, **LATENCY)
    assert result.shift is not None
    assert result.tolerance_ms is not None
    assert result.shift.estimate > result.tolerance_ms >= result.shift.ci_low
    assert result.classification is Classification.MARGINAL
    assert result.more is not None  # and it says how many more samples would probably decide it
    assert result.more > 0


def test_equal_but_noisy_latencies_from_few_samples_are_inconclusive_not_a_pass() -> None:
    result = compare_latency(
        lognormal(20, 60, seed=21, sigma=0.5), lognormal(20, 60, seed=22, sigma=0.5), **LATENCY
    )
    assert result.classification is Classification.INCONCLUSIVE
    assert result.shift is not None
    assert result.tolerance_ms is not None
    assert result.shift.ci_high > result.tolerance_ms
    assert "straddles the tolerated" in result.reason
    assert result.more is not None
    assert result.more > 60


def test_the_tolerance_has_a_floor_in_milliseconds() -> None:
    result = compare_latency(lognormal(2, 60, seed=1), lognormal(2, 60, seed=2), **LATENCY)
    assert result.tolerance_ms == 1.0


@pytest.mark.parametrize(("baseline_n", "candidate_n"), [(49, 100), (100, 49), (0, 0)])
def test_fewer_samples_than_the_minimum_are_inconclusive_never_a_pass(
    baseline_n: int, candidate_n: int
) -> None:
    result = compare_latency(lognormal(20, candidate_n, 1), lognormal(20, baseline_n, 2), **LATENCY)
    assert result.classification is Classification.INCONCLUSIVE
    assert f"at least {LATENCY['min_samples']}" in result.reason
    assert result.shift is None
    assert result.more == LATENCY["min_samples"] - min(baseline_n, candidate_n)


def test_the_p95_limit_catches_a_tail_the_median_does_not_show() -> None:
    # same median; one request in eight is four times slower on the candidate
    baseline = lognormal(20, 400, seed=13)
    candidate = [v * 4 if i % 8 == 0 else v for i, v in enumerate(lognormal(20, 400, seed=14))]
    assert compare_latency(candidate, baseline, **LATENCY).classification is not Classification.FAIL
    p95 = compare_p95(candidate, baseline, confidence=0.98, increase_limit=0.5, min_samples=50)
    assert p95.classification is Classification.FAIL
    assert p95.ratio is not None
    assert p95.ratio > 1.5
    assert p95.ci_low is not None
    assert p95.ci_low > 1.5


def test_the_p95_of_equal_sides_passes_with_its_interval_within_the_limit() -> None:
    baseline, candidate = lognormal(20, 300, seed=15), lognormal(20, 300, seed=16)
    p95 = compare_p95(candidate, baseline, confidence=0.98, increase_limit=0.5, min_samples=50)
    assert p95.classification is Classification.PASS
    assert p95.ci_high is not None
    assert p95.ci_low is not None
    assert p95.ci_low < 1 < p95.ci_high < 1.5


@pytest.mark.parametrize("n", [10, 76])
def test_a_p95_from_fewer_samples_than_its_bound_needs_is_inconclusive(n: int) -> None:
    # a one-sided 98 % bound on a p95 needs 77 samples (0.95 ** 77 < 0.02): 76 cannot give one
    p95 = compare_p95(
        lognormal(20, n, 1), lognormal(20, n, 2), confidence=0.98, increase_limit=0.5, min_samples=2
    )
    assert p95.classification is Classification.INCONCLUSIVE
    assert p95.ratio is None
    assert "a p95 needs at least 77 to be bounded at 98% confidence" in p95.reason
    assert p95.more == 77 - n


def test_five_percent_errors_against_none_fail() -> None:
    result = compare_error_rates(candidate_errors=15, candidate_n=300, baseline_n=300, **ERRORS)
    assert result.classification is Classification.FAIL
    assert result.increase == pytest.approx(0.05)
    assert result.p_value == pytest.approx(
        stats.fisher_exact([[15, 285], [0, 300]], alternative="greater").pvalue
    )
    assert result.ci_low is not None
    assert result.ci_low > 0.01


def test_a_few_errors_are_marginal() -> None:
    marginal = compare_error_rates(candidate_errors=7, candidate_n=150, baseline_n=150, **ERRORS)
    assert marginal.classification is Classification.MARGINAL


def test_no_errors_over_too_few_requests_cannot_show_the_limit_and_say_how_many_more() -> None:
    few = compare_error_rates(candidate_errors=0, candidate_n=150, baseline_n=150, **ERRORS)
    assert few.classification is Classification.INCONCLUSIVE
    assert "150 requests a side cannot show the increase within 1.00%" in few.reason
    assert few.more is not None
    enough = compare_error_rates(
        candidate_errors=0, candidate_n=150 + round(few.more), baseline_n=150 + round(few.more), **ERRORS
    )
    assert enough.classification is Classification.PASS  # the count it named does show it
    assert enough.ci_high is not None
    assert enough.ci_high <= 0.01
    less = 150 + round(few.more * 0.9)
    assert compare_error_rates(
        candidate_errors=0, candidate_n=less, baseline_n=less, **ERRORS
    ).classification is (Classification.INCONCLUSIVE)


def test_the_samples_still_needed_scale_with_the_square_of_the_interval_reach() -> None:
    # the interval reaches 3 past an estimate 1 short of the limit: at 9x the samples it reaches 1
    assert more_samples(100, estimate=1.0, low=-2.0, high=4.0, limit=2.0) == pytest.approx(800)
    assert more_samples(100, estimate=3.0, low=0.0, high=6.0, limit=2.0) == pytest.approx(800)
    assert more_samples(100, estimate=1.0, low=0.0, high=1.5, limit=2.0) is None  # already clear
    assert more_samples(100, estimate=2.0, low=1.0, high=3.0, limit=2.0) is None  # on the limit: hopeless


def test_error_rates_below_the_minimum_are_inconclusive() -> None:
    result = compare_error_rates(candidate_errors=5, candidate_n=10, baseline_n=10, **ERRORS)
    assert result.classification is Classification.INCONCLUSIVE
    assert result.p_value is None


def test_newcombe_interval_matches_his_published_example() -> None:
    # Newcombe (1998), table II, example (a): 56/70 - 48/80, 95 %: 0.0524 to 0.3339 (method 10)
    low, high = newcombe_interval(56, 70, 48, 80, 0.95)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 95) is None
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
