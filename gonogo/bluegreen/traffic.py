"""The same requests to baseline and candidate, interleaved in time, bounded in count and in time.

Each route gets ``requests`` pairs. The pairs are shuffled (so the routes mix), and within a pair the
side that goes first is drawn at random: neither side is systematically first, warmer or later. Pairs
run ``concurrency`` at a time, so both sides see the same load, the same noisy neighbours and the same
network at the same moment. A seed fixes the whole schedule.

No pair starts after ``max_duration_s``; each request is bounded by the client's timeout, so the whole
run ends within ``max_duration_s`` plus one pair.

A sequential comparison (:mod:`gonogo.bluegreen.looks`) sends in batches (:func:`batch_sender`) and
joins them (:meth:`Traffic.joined`) between its looks.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal

import httpx

from gonogo.environment import RouteConfig
from gonogo.probes.fetch import fetch

Side = Literal["baseline", "candidate"]
SIDES: tuple[Side, Side] = ("baseline", "candidate")


@dataclass(frozen=True)
class Sample:
    """One request to one side."""

    side: Side
    route: str
    #: seconds since the traffic began, when the request was sent
    sent_s: float
    elapsed_ms: float
    status: int | None
    #: why there was no response (transport error), else None
    error: str | None
    expected_status: int

    @property
    def ok(self) -> bool:
        """Answered with the route's expected status. Anything else is an error."""
        return self.status == self.expected_status

    def to_dict(self) -> dict[str, object]:
        return {
            "side": self.side,
            "route": self.route,
            "sent_s": round(self.sent_s, 4),
            "elapsed_ms": round(self.elapsed_ms, 3),
            "status": self.status,
            "error": self.error,
        }


@dataclass(frozen=True)
class Traffic:
    samples: tuple[Sample, ...]
    planned_pairs: int
    sent_pairs: int
    duration_s: float
    #: why fewer pairs than planned were sent (the time bound), else None
    cut_short: str | None

    def of(self, side: Side, route: str) -> list[Sample]:
        return [s for s in self.samples if s.side == side and s.route == route]

    def joined(self, later: Traffic, offset_s: float) -> Traffic:
        """This traffic and a later batch that began ``offset_s`` after this one (its times shifted)."""
        moved = tuple(replace(sample, sent_s=sample.sent_s + offset_s) for sample in later.samples)
        return Traffic(
            self.samples + moved,
            self.planned_pairs,
            self.sent_pairs + later.sent_pairs,
            self.duration_s + later.duration_s,
            later.cut_short or self.cut_short,
        )


#: sends ``pairs`` more request pairs per route within ``seconds_left``; returns that batch
BatchSender = Callable[[int, float], Traffic]


def batch_sender(
    clients: dict[Side, httpx.Client],
    routes: Sequence[RouteConfig],
    *,
    concurrency: int,
    seed: int | None = None,
) -> BatchSender:
    """The batches of a sequential comparison, over real clients: each its own seeded schedule."""
    batches = 0

    def send(pairs: int, seconds_left: float) -> Traffic:
        nonlocal batches
        batches += 1
        return send_interleaved(
            clients,
            routes,
            requests=pairs,
            concurrency=concurrency,
            max_duration_s=max(seconds_left, 0.0),
            seed=None if seed is None else seed * 1000 + batches,
        )

    return send


def plan(routes: Sequence[RouteConfig], requests: int, seed: int | None) -> list[tuple[RouteConfig, Side]]:
    """The schedule: ``(route, side that goes first)`` per pair, shuffled."""
    rng = random.Random(seed)
    pairs = [route for route in routes for _ in range(requests)]
    rng.shuffle(pairs)
    return [(route, rng.choice(SIDES)) for route in pairs]


def send_interleaved(
    clients: dict[Side, httpx.Client],
    routes: Sequence[RouteConfig],
    *,
    requests: int,
    concurrency: int,
    max_duration_s: float,
    seed: int | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Traffic:
    """Send ``requests`` pairs per route and return every sample, in the order they finished."""
    schedule = plan(routes, requests, seed)
    began = clock()
    deadline = began + max_duration_s
    lock = threading.Lock()
    position = 0
    samples: list[Sample] = []
    sent = 0

    def next_pair() -> tuple[RouteConfig, Side] | None:
        nonlocal position, sent
        with lock:
            if position >= len(schedule) or clock() >= deadline:
                return None
            pair = schedule[position]
            position += 1
            sent += 1
            return pair

    def one(side: Side, route: RouteConfig) -> Sample:
        sent_s = clock() - began
        fetched = fetch(clients[side], route.method, route.path)
        return Sample(
            side, route.name, sent_s, fetched.elapsed_ms, fetched.status, fetched.error, route.status
        )

    def worker() -> None:
        while (pair := next_pair()) is not None:
            route, first = pair
            second: Side = "candidate" if first == "baseline" else "baseline"
            done = [one(first, route), one(second, route)]
            with lock:
                samples.extend(done)

    workers = max(1, min(concurrency, len(schedule)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gonogo-compare") as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        for future in futures:
            future.result()  # a bug in a worker must surface, not shrink the sample silently
    duration = clock() - began
    cut = None
    if sent < len(schedule):
        cut = (
            f"the time bound max_duration_s = {max_duration_s:g} s was reached after {sent} of "
            f"{len(schedule)} request pairs"
        )
    return Traffic(tuple(samples), len(schedule), sent, duration, cut)
