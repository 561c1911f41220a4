"""The watch's rolling window on a simulated source (seeded): exact tests, not one interval's handful.

The known truth: lognormal latency with median 20 ms and sigma 0.5 (true p95 45.6 ms), the p95 limit
at 1.5 times it, 10 requests a second; faults switched on at a known moment. bench/bench_watch.py
repeats this against real demos.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gonogo.bluegreen.window import Window, per_measurement_alpha, window_size

TRUE_P95_MS = 20 * math.exp(0.5 * 1.6448536)
LIMIT_MS = 1.5 * TRUE_P95_MS


def window(max_error_rate: float = 0.01) -> Window:
    return Window(window_size(max_error_rate, 0.99), max_error_rate, LIMIT_MS)


def test_the_window_is_as_long_as_showing_both_limits_held_takes() -> None:
    assert window_size(0.01, 0.99) == 459  # zero errors in 459 shows < 1 % at 99 %
    assert window_size(0.05, 0.99) == 90  # the p95 bound needs 90 (at most 5 % slower)
    assert window_size(0.0, 0.99) == 90  # a zero error limit is checked, not bounded


def test_one_slow_request_or_error_is_no_evidence_but_a_burst_is() -> None:
    alpha = per_measurement_alpha(0.99, 31)
    lone = window()
    for index in range(5):
        lone.add(error=index == 1, latency_ms=None if index == 1 else (500.0 if index == 3 else 20.0))
    assert lone.failures(alpha) == []  # the old rule: p95 of 5 is their maximum, 500 ms: ROLLBACK
    burst = window()
    for _ in range(10):
        burst.add(error=False, latency_ms=300.0)
    (reason,) = burst.failures(alpha)
    assert reason.startswith(f"p95 over {LIMIT_MS:g} ms: 10 of the last 10 good requests slower (100.0% > 5%")


def test_the_window_rolls_across_measurements_and_forgets_what_fell_out() -> None:
    rolling = Window(20, 0.01, LIMIT_MS)
    for _ in range(5):
        rolling.add(error=True, latency_ms=None)
    for _ in range(20):
        rolling.add(error=False, latency_ms=20.0)
    assert rolling.errors_tested().seen == 0  # the errors fell out of the last 20
    assert (rolling.answered, rolling.errors) == (25, 5)  # the whole watch keeps them


def _watch(rng: np.random.Generator, *, measurements: int, error_from: int | None = None) -> int | None:
    """A simulated watch at 10 requests a measurement; the index of the first failed one, or None."""
    alpha = per_measurement_alpha(0.99, measurements)
    seen = window()
    for index in range(measurements):
        faulty = error_from is not None and index >= error_from
        for _ in range(10):
            if faulty and rng.random() < 0.3:
                seen.add(error=True, latency_ms=None)
            else:
                seen.add(error=False, latency_ms=float(rng.lognormal(math.log(20), 0.5)))
        if seen.failures(alpha):
            return index
    return None


def test_healthy_watches_with_the_limit_at_one_and_a_half_times_the_true_p95_are_not_rolled_back() -> None:
    rng = np.random.default_rng(1)
    false_rollbacks = sum(_watch(rng, measurements=31) is not None for _ in range(300))
    assert false_rollbacks <= 1  # the design allows 1 % (99 % confidence); 300 watches saw at most one


def test_the_old_per_interval_p95_rolled_back_healthy_watches_at_the_same_limit() -> None:
    # the contrast that motivates the window: a p95 of 5 requests against the same limit
    rng = np.random.default_rng(2)
    rolled = 0
    for _ in range(100):
        samples = rng.lognormal(math.log(20), 0.5, size=(31, 5))
        rolled += bool((np.percentile(samples, 95, axis=1) > LIMIT_MS).any())
    assert rolled > 30


@pytest.mark.parametrize("onset", [2, 40])
def test_thirty_percent_errors_at_ten_requests_a_second_end_the_watch_within_ten_seconds(onset: int) -> None:
    # one measurement a second; the onset early (small window) or late (a full window of healthy answers)
    rng = np.random.default_rng(onset)
    delays = []
    for _ in range(50):
        failed = _watch(rng, measurements=61, error_from=onset)
        assert failed is not None
        delays.append(failed - onset + 1)  # seconds of errors until the measurement that fails
    assert max(delays) <= 10
    assert float(np.median(delays)) <= 6
