"""The sequential comparison: send a batch, look, stop as soon as the answer is clear.

Both colours keep being sampled, interleaved (:mod:`gonogo.bluegreen.traffic`), in batches. After each
batch every measure is judged (:func:`gonogo.bluegreen.compare.judge`) with repeated confidence
intervals at the look's group-sequential critical value (:mod:`gonogo.bluegreen.sequential`), so the
error rates hold however many looks are taken. The comparison stops at the first look where

* any measure fails (the candidate is worse than tolerated: FAIL), or
* every measure passes (each shown within its limit: PASS), or
* the sample bound (``requests`` pairs per route) or the time bound (``max_duration_s``) is reached:
  the last look's classification stands (marginal or inconclusive, with how many more pairs would
  probably decide it).

Looks come every ``requests / LOOKS`` pairs per route (at least ``min_samples / 2`` apart), the first
once ``min_samples`` are in. The
information fraction of a look is its pairs per route over ``requests``; a time bound that stops the
run early leaves the rest of alpha unspent (the run is then a little conservative, never less).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from gonogo.bluegreen.compare import ComparisonReport, Look, judge
from gonogo.bluegreen.sequential import Boundary, Spending
from gonogo.bluegreen.stats import Classification
from gonogo.bluegreen.traffic import BatchSender, Traffic
from gonogo.environment import CompareConfig, RouteConfig

__all__ = ["LOOKS", "compare_sequentially", "schedule"]

#: looks at most: one every requests / LOOKS pairs per route
LOOKS = 20
DECIDED = "decided"
SAMPLE_BOUND = "sample bound reached"
TIME_BOUND = "time bound reached"


def schedule(requests: int, min_samples: int, looks: int = LOOKS) -> list[int]:
    """Pairs per route at each look: every ``ceil(requests / looks)``, the first at ``min_samples``."""
    if requests <= min_samples:
        return [requests]
    # and never closer than half the first look: a handful of pairs more changes nothing
    step = max(math.ceil(requests / looks), math.ceil(min_samples / 2))
    first = max(min_samples, step)
    # no look right after the first: a few more pairs could hardly change what it saw
    later = [k * step for k in range(1, looks + 1) if first + step / 2 < k * step < requests]
    return sorted({first, *later, requests})


def compare_sequentially(
    send_batch: BatchSender,
    routes: Sequence[RouteConfig],
    config: CompareConfig,
    *,
    baseline_url: str,
    candidate_url: str,
    spending: Spending = Spending.POCOCK,
    clock: Callable[[], float] = time.monotonic,
    on_look: Callable[[Look, ComparisonReport], None] | None = None,
) -> ComparisonReport:
    """Batches until a look decides, or a bound ends it; the report of the last look."""
    boundary = Boundary(1 - config.confidence, spending)
    began = clock()
    deadline = began + config.max_duration_s
    planned = config.requests * len(routes)
    traffic: Traffic | None = None
    report: ComparisonReport | None = None
    looks: list[Look] = []
    stopped = SAMPLE_BOUND
    for target in schedule(config.requests, config.min_samples):
        left = deadline - clock()
        if left <= 0 and report is not None:
            stopped = TIME_BOUND
            break
        have = _pairs_per_route(traffic, routes)
        started = clock()
        batch = send_batch(target - have, left)
        traffic = batch if traffic is None else traffic.joined(batch, started - began)
        pairs = _pairs_per_route(traffic, routes)
        cut = batch.sent_pairs < (target - have) * len(routes) or clock() >= deadline
        if pairs <= have and report is not None:  # the time bound ended the batch before a pair was sent
            stopped = TIME_BOUND
            break
        fraction = max(pairs, 1) / config.requests
        critical = boundary.next(fraction) if fraction > boundary.fraction else boundary.looks[-1][1]
        report = judge(
            traffic, routes, config, baseline_url=baseline_url, candidate_url=candidate_url, critical=critical
        )
        look = Look(len(looks) + 1, pairs, fraction, critical, report.classification, clock() - began)
        looks.append(look)
        if on_look is not None:
            on_look(look, report)
        if report.classification in (Classification.PASS, Classification.FAIL):
            stopped = DECIDED
            break
        if cut:
            stopped = TIME_BOUND
            break
    # the schedule has at least one look
    assert report is not None
    assert traffic is not None
    note = None
    if stopped == TIME_BOUND:
        note = (
            f"the time bound max_duration_s = {config.max_duration_s:g} s was reached after "
            f"{traffic.sent_pairs} of at most {planned} request pairs"
        )
    final = replace(traffic, planned_pairs=planned, cut_short=note)
    return replace(report, traffic=final, looks=tuple(looks), stopped=stopped, spending=spending.value)


def _pairs_per_route(traffic: Traffic | None, routes: Sequence[RouteConfig]) -> int:
    """The fewest pairs any route has had (a pair is one sample on each side)."""
    if traffic is None:
        return 0
    counts = dict.fromkeys((route.name for route in routes), 0)
    for sample in traffic.samples:
        if sample.side == "baseline" and sample.route in counts:
            counts[sample.route] += 1
    return min(counts.values(), default=0)
