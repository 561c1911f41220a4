"""A simulated pair of colours whose truth is known: seeded lognormal latencies and Bernoulli errors.

For the tests and benchmarks of the comparison's statistics (thousands of comparisons in seconds), the
same :data:`gonogo.bluegreen.traffic.BatchSender` interface as real traffic: a batch of pairs per
route, each pair one draw per side in a random order, on a simulated clock that advances by the time
the batch would take at ``concurrency`` pairs in flight. Real servers on loopback are the other half
of the evidence (bench/bench_compare.py, tests/bluegreen/test_sequential_demo.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gonogo.bluegreen.traffic import SIDES, BatchSender, Sample, Side, Traffic
from gonogo.environment import RouteConfig

__all__ = ["Colour", "SimulatedClock", "simulated_sender"]


@dataclass(frozen=True)
class Colour:
    """One side's truth: lognormal latency (median, log-sd) and a share of requests that fail."""

    median_ms: float = 20.0
    sigma: float = 0.5
    error_rate: float = 0.0


@dataclass
class SimulatedClock:
    """``clock()`` for the comparison loop; the sender moves it on."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class _State:
    rng: np.random.Generator
    clock: SimulatedClock
    batches: int = field(default=0)


def simulated_sender(
    routes: Sequence[RouteConfig],
    baseline: Colour,
    candidate: Colour,
    *,
    seed: int,
    clock: SimulatedClock,
    concurrency: int = 4,
) -> BatchSender:
    """A :data:`BatchSender` drawing from the two colours' truths; ``clock`` advances as it sends."""
    state = _State(np.random.default_rng(seed), clock)
    truth: dict[Side, Colour] = {"baseline": baseline, "candidate": candidate}

    def send(pairs: int, seconds_left: float) -> Traffic:
        state.batches += 1
        order = [route for route in routes for _ in range(pairs)]
        draws = state.rng.permutation(len(order))
        samples: list[Sample] = []
        elapsed_s = 0.0  # of the batch, with `concurrency` pairs in flight
        sent = 0
        for position in draws:
            if elapsed_s >= seconds_left:
                break
            route = order[position]
            first = SIDES[int(state.rng.integers(2))]
            pair_ms = 0.0
            for side in (first, "candidate" if first == "baseline" else "baseline"):
                colour = truth[side]
                elapsed_ms = float(state.rng.lognormal(math.log(colour.median_ms), colour.sigma))
                failed = bool(state.rng.random() < colour.error_rate)
                status = 500 if failed else route.status
                samples.append(
                    Sample(
                        side, route.name, elapsed_s + pair_ms / 1000, elapsed_ms, status, None, route.status
                    )
                )
                pair_ms += elapsed_ms
            elapsed_s += pair_ms / 1000 / concurrency
            sent += 1
        state.clock.now += elapsed_s
        cut = None if sent == len(order) else f"simulated time bound after {sent} of {len(order)} pairs"
        return Traffic(tuple(samples), len(order), sent, elapsed_s, cut)

    return send
