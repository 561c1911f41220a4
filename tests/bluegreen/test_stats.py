"""The comparison's statistics on synthetic samples (seeded), and the one classification rule."""

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
    newcombe_interval,
    percentile,
)

LATENCY = {"confidence": 0.98, "tolerance": 0.10, "tolerance_ms": 1.0, "min_samples": 50}


def lognormal(median_ms: float, n: int, seed: int, sigma: float = 0.2) -> list[float]:
    return list(np.random.default_rng(seed).lognormal(np.log(median_ms), sigma, n))


@pytest.mark.parametrize(
    ("significant", "estimate", "ci_low", "expected"),
    [
        (True, 6.0, 4.0, Classification.FAIL),  # the whole interval beyond the limit of 2
        (True, 3.0, 1.0, Classification.MARGINAL),  # the estimate beyond, the interval reaches back
        (True, 1.5, 0.5, Classification.PASS),  # a real but tolerated slowdown
        (False, 3.0, -1.0, Classification.PASS),  # not significant: no evidence of a regression
        (True, -3.0, -5.0, Classification.PASS),  # faster
    ],
)
def test_the_one_rule_for_every_measure(
    significant: bool, estimate: float, ci_low: float, expected: Classification
) -> None:
    assert classify(significant=significant, estimate=estimate, ci_low=ci_low, limit=2.0) is expected


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
    assert "within the tolerated" in result.reason


def test_a_slowdown_the_data_cannot_confirm_is_marginal() -> None:
    # significant, the estimate past the 2 ms band, the interval reaching back below it
    baseline = lognormal(20, 60, seed=11, sigma=0.5)
    candidate = lognormal(23.5, 60, seed=12, sigma=0.5)
    result = compare_latency(candidate, baseline, **LATENCY)
    assert result.shift is not None
    assert result.tolerance_ms is not None
    assert result.shift.estimate > result.tolerance_ms >= result.shift.ci_low
    assert result.classification is Classification.MARGINAL


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


def test_the_p95_of_equal_sides_passes_and_the_bootstrap_is_repeatable() -> None:
    baseline, candidate = lognormal(20, 100, seed=15), lognormal(20, 100, seed=16)
    first = compare_p95(candidate, baseline, confidence=0.98, increase_limit=0.5, min_samples=50, seed=3)
    again = compare_p95(candidate, baseline, confidence=0.98, increase_limit=0.5, min_samples=50, seed=3)
    assert first.classification is Classification.PASS
    assert first == again


def test_the_p95_ratio_is_inconclusive_below_the_minimum() -> None:
    p95 = compare_p95([1.0] * 10, [1.0] * 10, confidence=0.98, increase_limit=0.5, min_samples=50)
    assert p95.classification is Classification.INCONCLUSIVE


def test_five_percent_errors_against_none_fail() -> None:
    result = compare_error_rates(
        candidate_errors=15,
        candidate_n=300,
        baseline_errors=0,
        baseline_n=300,
        confidence=0.98,
        allowed_increase=0.01,
        min_samples=50,
    )
    assert result.classification is Classification.FAIL
    assert result.increase == pytest.approx(0.05)
    assert result.p_value == pytest.approx(
        stats.fisher_exact([[15, 285], [0, 300]], alternative="greater").pvalue
    )
    assert result.ci_low is not None
    assert result.ci_low > 0.01


def test_a_few_errors_are_marginal_then_pass_when_not_significant() -> None:
    common = {"baseline_errors": 0, "confidence": 0.98, "allowed_increase": 0.01, "min_samples": 50}
    marginal = compare_error_rates(candidate_errors=7, candidate_n=150, baseline_n=150, **common)
    assert marginal.classification is Classification.MARGINAL
    noise = compare_error_rates(candidate_errors=2, candidate_n=150, baseline_n=150, **common)
    assert noise.classification is Classification.PASS
    assert "no significant increase" in noise.reason


def test_error_rates_below_the_minimum_are_inconclusive() -> None:
    result = compare_error_rates(
        candidate_errors=5,
        candidate_n=10,
        baseline_errors=0,
        baseline_n=10,
        confidence=0.98,
        allowed_increase=0.01,
        min_samples=50,
    )
    assert result.classification is Classification.INCONCLUSIVE
    assert result.p_value is None


def test_newcombe_interval_matches_his_published_example() -> None:
    # Newcombe (1998), table II, example (a): 56/70 - 48/80, 95 %: 0.0524 to 0.3339 (method 10)
    low, high = newcombe_interval(56, 70, 48, 80, 0.95)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 95) is None
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
