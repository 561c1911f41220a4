"""The sequential comparison on a simulated source (seeded, known truth): boundaries, error rates under
repeated looks, early decisions, and what an underpowered run says it would need.

Real servers are in test_sequential_demo.py; the benchmark with many more trials is bench/bench_compare.py.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import stats

from gonogo.bluegreen.compare import ComparisonReport
from gonogo.bluegreen.looks import DECIDED, SAMPLE_BOUND, TIME_BOUND, compare_sequentially, schedule
from gonogo.bluegreen.sequential import Boundary, BoundaryError, Spending, spent
from gonogo.bluegreen.simulate import Colour, SimulatedClock, simulated_sender
from gonogo.bluegreen.stats import Classification, hodges_lehmann
from gonogo.environment import CompareConfig, RouteConfig
from gonogo.errors import GonogoError
from gonogo.stats_bounds import round_up

ROUTES = [RouteConfig(name="list items", path="/api/items")]


def test_pocock_type_boundaries_match_the_published_table() -> None:
    # Lan-DeMets Pocock-type spending, two-sided alpha 0.05, five equally spaced looks
    # (Jennison & Turnbull 2000, table 7.6; gsDesign sfLDPocock): 2.438 2.427 2.410 2.397 2.386
    boundary = Boundary(0.05, Spending.POCOCK)
    values = [boundary.next(k / 5) for k in range(1, 6)]
    assert values == pytest.approx([2.438, 2.427, 2.410, 2.397, 2.386], abs=1.5e-3)


@pytest.mark.parametrize("spending", list(Spending))
def test_the_boundary_spends_alpha_as_its_function_says_at_unequal_looks(spending: Spending) -> None:
    fractions = [0.1, 0.35, 0.6]
    boundary = Boundary(0.02, spending)
    values = np.array([boundary.next(f) for f in fractions])
    # independent check: the probability of crossing at any look, from SciPy's multivariate normal
    # with the correlations of a Brownian motion seen at those fractions
    covariance = np.sqrt(np.minimum.outer(fractions, fractions) / np.maximum.outer(fractions, fractions))
    inside = stats.multivariate_normal(np.zeros(3), covariance).cdf(values, lower_limit=-values)
    assert 1 - inside == pytest.approx(spent(0.02, 0.6, spending), rel=2e-3)


def test_spending_reaches_alpha_at_the_end_and_looks_must_move_forward() -> None:
    for spending in Spending:
        assert spent(0.02, 1.0, spending) == pytest.approx(0.02)
        assert 0 < spent(0.02, 0.2, spending) < spent(0.02, 0.5, spending) < 0.02
    boundary = Boundary(0.02)
    boundary.next(0.5)
    with pytest.raises(BoundaryError, match=r"information fractions must increase: 0.4 after 0.5") as raised:
        boundary.next(0.4)
    assert isinstance(raised.value, GonogoError)
    assert isinstance(raised.value, ValueError)


def test_looks_come_every_twentieth_of_the_bound_the_first_once_min_samples_are_in() -> None:
    assert schedule(2000, 50) == list(range(100, 2001, 100))
    assert schedule(400, 50) == list(range(50, 401, 25))  # never closer than half the first look
    assert schedule(10, 50) == [10]


def _false_fails(trials: int, sequential: bool) -> float:
    """Truth exactly at the limit (a 2 ms shift, tolerated 2 ms); how often does some look say FAIL?"""
    requests, looks = schedule(200, 25, 8), []
    boundary = Boundary(0.02)
    looks = [(n, boundary.next(n / 200) if sequential else None) for n in requests]
    failed = 0
    for seed in range(trials):
        rng = np.random.default_rng(seed)
        baseline = rng.lognormal(np.log(20), 0.5, 200)
        candidate = rng.lognormal(np.log(20), 0.5, 200) + 2.0
        for n, critical in looks:
            shift = hodges_lehmann(candidate[:n], baseline[:n], 0.98, critical)
            if shift.ci_low > 2.0:
                failed += 1
                break
            if shift.ci_high <= 2.0:
                break
    return failed / trials


def test_repeated_looks_keep_the_false_fail_rate_of_one_look() -> None:
    # 98 % confidence: at most 1 % false FAIL at the limit. Over 400 seeded runs of 8 looks each, the
    # repeated intervals stay within binomial noise of it (the 97.5th percentile of Binomial(400, 1 %)
    # is 2 %); reading the fixed-sample interval at every look instead fails far more often
    sequential = _false_fails(400, sequential=True)
    naive = _false_fails(400, sequential=False)
    assert sequential <= 0.02
    assert naive > 2 * max(sequential, 0.01)


def _compare(ratio: float, seed: int, *, error_rate: float = 0.0, **config: object) -> ComparisonReport:
    clock = SimulatedClock()
    send = simulated_sender(
        ROUTES, Colour(20, 0.5), Colour(20 * ratio, 0.5, error_rate), seed=seed, clock=clock
    )
    return compare_sequentially(
        send,
        ROUTES,
        CompareConfig.model_validate(config),
        baseline_url="http://blue",
        candidate_url="http://green",
        clock=clock,
    )


def test_a_thirty_percent_slower_candidate_fails_after_a_few_hundred_pairs_not_the_whole_bound() -> None:
    report = _compare(1.3, seed=1)
    assert report.classification is Classification.FAIL
    assert report.stopped == DECIDED
    assert report.looks[-1].pairs_per_route <= 500  # of the 2000 it could have sent
    assert report.routes[0].latency.classification is Classification.FAIL
    assert "decided at look" in report.failures()[-1]


def test_equal_colours_pass_once_every_measure_is_shown_within_its_limit() -> None:
    report = _compare(1.0, seed=2)
    assert report.classification is Classification.PASS
    assert report.stopped == DECIDED
    assert {f.verdict.value for f in report.findings()} == {"pass"}
    latency = report.routes[0].latency
    assert latency.shift is not None
    assert latency.tolerance_ms is not None
    assert latency.shift.ci_high <= latency.tolerance_ms
    assert report.errors.ci_high is not None
    assert report.errors.ci_high <= 0.01


def test_a_twenty_percent_slower_candidate_never_passes() -> None:
    outcomes = {_compare(1.2, seed=seed, requests=600).classification for seed in range(10)}
    assert Classification.PASS not in outcomes
    assert Classification.FAIL in outcomes


def test_an_underpowered_comparison_is_inconclusive_and_says_what_would_decide_it() -> None:
    report = _compare(1.0, seed=3, requests=100)
    assert report.classification is Classification.INCONCLUSIVE
    assert report.stopped == SAMPLE_BOUND
    latency = next(f for f in report.findings() if f.name == "latency shift [list items]")
    assert latency.verdict.value == "inconclusive"
    match = re.search(
        r"need about (\d+) more request pairs per route \(about [\d.]+ s at the [\d.]+ pairs per route/s "
        r"measured\)",
        latency.detail,
    )
    assert match, latency.detail
    errors = next(f for f in report.findings() if f.name == "error rate increase")
    assert "100 requests a side cannot show the increase within 1.00%" in errors.detail
    assert "need about" in errors.detail
    # what the findings name is about right: the largest of them, sent, decides the same truth
    needed = max(int(n) for f in report.findings() for n in re.findall(r"need about (\d+) more", f.detail))
    assert needed >= int(match.group(1))
    assert _compare(1.0, seed=3, requests=2 * (100 + needed)).classification is Classification.PASS


def test_a_p95_from_fewer_samples_than_its_bound_needs_is_inconclusive_with_what_is_missing() -> None:
    report = _compare(1.0, seed=4, requests=40, min_samples=40)
    assert report.classification is Classification.INCONCLUSIVE
    p95 = next(f for f in report.findings() if f.name == "p95 ratio [list items]")
    assert p95.value == "too few samples"
    assert "40 samples on a side: a p95 needs at least 77 to be bounded at 98% confidence" in p95.detail
    assert "need about 37 more request pairs per route" in p95.detail


def test_fewer_pairs_than_min_samples_are_inconclusive_never_a_pass() -> None:
    # the time bound cuts the first batch short: ~90 simulated pairs in 1 s, 200 wanted for a first look
    report = _compare(1.0, seed=4, min_samples=200, max_duration_s=1)
    assert report.classification is Classification.INCONCLUSIVE
    latency = report.findings()[0]
    assert latency.value == "too few samples"
    match = re.search(r"(\d+) baseline and \1 candidate samples; at least 200 on each side", latency.detail)
    assert match, latency.detail
    assert f"need about {round_up(200 - int(match.group(1)))} more request pairs per route" in latency.detail


def test_the_time_bound_ends_the_comparison_and_says_so() -> None:
    report = _compare(1.0, seed=5, max_duration_s=3)  # ~90 simulated pairs a second: 3 s is too short
    assert report.stopped == TIME_BOUND
    assert report.classification is not Classification.PASS
    assert report.traffic.cut_short is not None
    assert "the time bound max_duration_s = 3 s was reached after" in report.traffic.cut_short
    assert report.traffic.planned_pairs == 2000


def test_five_percent_errors_against_none_fail_by_fishers_exact_test() -> None:
    report = _compare(1.0, seed=6, error_rate=0.05)
    assert report.errors.classification is Classification.FAIL
    assert report.errors.p_value is not None
    assert report.errors.p_value < 1e-3
    assert report.classification is Classification.FAIL
