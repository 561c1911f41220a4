"""Benchmark: how fast the watch says ROLLBACK after a fault, and how often it says so without one.

The watch is the plain code load/test_watch.py runs (``gonogo.bluegreen.watch.run`` with
``gonogo.bluegreen.probe.Prober``), planned as the check plans it (``plan = slots(duration, interval)``,
confidence 0.99, error limit 1 %), against demos on loopback (``python -m gonogo.demo``).

1. Time from fault onset to ROLLBACK, real demos. The demo turns faulty ``--fault-after`` seconds
   after it starts: from then on a share of its API requests answers 500. The watch starts as soon as
   the demo is up, after a random phase (the onset falls anywhere between two measurements), one
   measurement a second with 10 requests (10 requests a second), failure_limit 0. The onset is the
   demo's listening line plus the delay (its clock starts a few milliseconds earlier).
2. False ROLLBACK over healthy watches, real demos: lognormal latency (median 20 ms, sigma 0.5: true
   p95 45.6 ms) against a p95 limit of 1.5 times the true p95 (68.4 ms); any watch that ends failed or
   errored is a false ROLLBACK. Watches run ``--parallel`` at a time (threads; the demos sleep, they do
   not compute), so the measured latencies carry the machine's load.
3. The same healthy watches simulated (seeded lognormal draws into the same window, no HTTP), many
   more of them, beside the rule the watch had before: each interval's own p95 and error rate against
   the limits.

Bounded: every watch has a duration; ``--repeats``, ``--healthy-watches``, ``--healthy-seconds``.

    python bench/bench_watch.py [--repeats 10] [--healthy-watches 50] [--healthy-seconds 20] [--parallel 10]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
from _common import machine, table
from _demo import demo, lognormal

from gonogo.bluegreen.probe import Prober
from gonogo.bluegreen.watch import End, Limits, WatchResult, run, slots
from gonogo.bluegreen.window import Window, per_measurement_alpha, window_size
from gonogo.environment import HealthConfig, RouteConfig, VersionConfig

CONFIDENCE = 0.99
MAX_ERROR_RATE = 0.01
INTERVAL_S = 1.0
SAMPLE = 10  # per measurement, one a second: 10 requests a second
TRUE_P95_MS = 20 * math.exp(0.5 * 1.6448536)
P95_LIMIT_MS = 1.5 * TRUE_P95_MS
ROUTES = [RouteConfig(name="list items", path="/api/items")]


def prober(client: httpx.Client, *, duration_s: float, p95_ms: float) -> Prober:
    return Prober(
        client,
        health=HealthConfig(),
        version=VersionConfig(),
        expected_version="1.4.2",
        routes=ROUTES,
        sample_requests=SAMPLE,
        max_error_rate=MAX_ERROR_RATE,
        p95_ms=p95_ms,
        confidence=CONFIDENCE,
        plan=slots(duration_s, INTERVAL_S),
    )


def watch(client: httpx.Client, *, duration_s: float, p95_ms: float) -> WatchResult:
    probe = prober(client, duration_s=duration_s, p95_ms=p95_ms)
    return run(
        probe.measure,
        duration_s=duration_s,
        interval_s=INTERVAL_S,
        limits=Limits(0, 4, 0),
        evidence=probe.evidence,
    )


def time_to_rollback(error_rate: float, fault_after_s: float, seed: int) -> float | None:
    """Seconds from fault onset to the watch's end; None if the watch never failed (90 s at most)."""
    flags = ("--fault-after", str(fault_after_s), "--error-rate", str(error_rate), "--seed", str(seed))
    with demo(*flags) as (url, up_at), httpx.Client(base_url=url, timeout=2) as client:
        time.sleep(random.Random(seed).uniform(0, INTERVAL_S))
        began = time.monotonic()
        result = watch(client, duration_s=fault_after_s + 60, p95_ms=1000)
        if result.end is not End.FAILED:
            return None
        return began + result.elapsed_s - (up_at + fault_after_s)


def onset_rows(repeats: int) -> list[list[str]]:
    rows = []
    for error_rate, fault_after_s, count in (
        (0.3, 5.0, repeats),
        (0.3, 30.0, max(3, repeats // 2)),
        (0.1, 5.0, repeats),
    ):
        delays = [time_to_rollback(error_rate, fault_after_s, seed) for seed in range(1, count + 1)]
        caught = [d for d in delays if d is not None]
        print(
            f"  {error_rate:.0%} errors from {fault_after_s:g} s: {', '.join(f'{d:.2f}' for d in caught)} s",
            flush=True,
        )
        rows.append(
            [
                f"{error_rate:.0%}",
                f"{fault_after_s:g} s",
                f"{len(caught)}/{len(delays)}",
                f"{min(caught):.2f}" if caught else "-",
                f"{statistics.median(caught):.2f}" if caught else "-",
                f"{max(caught):.2f}" if caught else "-",
                f"{statistics.mean(caught):.2f}" if caught else "-",
                "yes" if caught and len(caught) == len(delays) and max(caught) <= 10 else "no",
            ]
        )
    return rows


def healthy_real(watches: int, seconds: float, parallel: int) -> list[str]:
    ends: list[WatchResult] = []
    demos = max(1, parallel // 5)
    contexts = [demo(*lognormal(20, 0.5, seed)) for seed in range(1, demos + 1)]
    urls = [context.__enter__()[0] for context in contexts]
    try:
        clients = [httpx.Client(base_url=urls[k % demos], timeout=2) for k in range(parallel)]

        def one(k: int) -> WatchResult:
            return watch(clients[k % parallel], duration_s=seconds, p95_ms=P95_LIMIT_MS)

        with ThreadPoolExecutor(max_workers=parallel) as pool:
            ends = list(pool.map(one, range(watches)))
        for client in clients:
            client.close()
    finally:
        for context in contexts:
            context.__exit__(None, None, None)
    false = sum(r.end in (End.FAILED, End.ERRORED) for r in ends)
    shown = sum(r.end is End.PASSED for r in ends)
    short = sum(r.end is End.INCONCLUSIVE for r in ends)
    measurements = sum(len(r.measurements) for r in ends)
    worst = max((m.p95_ms or 0.0) for r in ends for m in r.measurements)
    sent = statistics.median(sum(m.sample_sent for m in r.measurements) for r in ends)
    slow = [
        check.seen / check.n for r in ends for check in r.evidence if check.name == "watch p95" and check.n
    ]
    return [
        f"real (demos), {parallel} at a time",
        f"{watches} x {seconds:g} s",
        str(measurements),
        f"{sent:.0f}",
        f"{worst:.1f} ms",
        f"{false}/{watches}",
        f"{false / watches:.1%}",
        f"{shown}/{short}",
        f"{statistics.median(slow):.1%}" if slow else "-",
    ]


def healthy_simulated(watches: int, measurements: int, seed: int) -> tuple[list[str], list[str]]:
    """The new rule (window, exact tests) and the old one (each interval's own p95 and error rate)."""
    rng = np.random.default_rng(seed)
    alpha = per_measurement_alpha(CONFIDENCE, measurements)
    size = window_size(MAX_ERROR_RATE, CONFIDENCE)
    new_false = old_false = 0
    for _ in range(watches):
        window = Window(size, MAX_ERROR_RATE, P95_LIMIT_MS)
        draws = rng.lognormal(math.log(20), 0.5, size=(measurements, SAMPLE))
        new_failed = old_failed = False
        for interval in draws:
            for latency in interval:
                window.add(error=False, latency_ms=float(latency))
            new_failed = new_failed or bool(window.failures(alpha))
            old_failed = old_failed or float(np.percentile(interval, 95)) > P95_LIMIT_MS
        new_false += new_failed
        old_false += old_failed
    label = f"{watches} x {measurements} s"
    sent = str(measurements * SAMPLE)
    new = ["simulated, window + exact tests", label, str(watches * measurements), sent, "-"]
    old = ["simulated, before: each interval's p95", label, str(watches * measurements), sent, "-"]
    return (
        [*new, f"{new_false}/{watches}", f"{new_false / watches:.1%}", "-", "-"],
        [*old, f"{old_false}/{watches}", f"{old_false / watches:.1%}", "-", "-"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="fault runs per row")
    parser.add_argument("--healthy-watches", type=int, default=50, help="real healthy watches")
    parser.add_argument("--healthy-seconds", type=float, default=20.0, help="length of one healthy watch")
    parser.add_argument("--parallel", type=int, nargs="+", default=[10], help="healthy watches at a time")
    parser.add_argument("--skip-onset", action="store_true", help="only the healthy watches")
    parser.add_argument("--simulated-watches", type=int, default=2000)
    args = parser.parse_args()
    started = time.monotonic()
    print(f"gonogo bench_watch: {machine()}")
    print(
        f"watch: a measurement every {INTERVAL_S:g} s with {SAMPLE} requests, failure_limit 0, confidence "
        f"{CONFIDENCE}, error limit {MAX_ERROR_RATE:.0%}, window {window_size(MAX_ERROR_RATE, CONFIDENCE)} "
        "answers\n",
        flush=True,
    )
    if not args.skip_onset:
        rows = onset_rows(args.repeats)
        print("\nTime from fault onset to ROLLBACK (seconds), real demos, 10 requests a second\n")
        headers = [
            "errors after onset",
            "onset after",
            "caught",
            "min",
            "median",
            "max",
            "mean",
            "all <= 10 s",
        ]
        print(table(headers, rows))
    real_rows = []
    for parallel in args.parallel:
        real_rows.append(healthy_real(args.healthy_watches, args.healthy_seconds, parallel))
        print(f"  real healthy watches, {parallel} at a time: {real_rows[-1][5]} false ROLLBACK", flush=True)
    new, old = healthy_simulated(args.simulated_watches, round(args.healthy_seconds), seed=1)
    print(
        f"\nFalse ROLLBACK over healthy watches (lognormal median 20 ms, sigma 0.5; p95 limit "
        f"{P95_LIMIT_MS:.1f} ms = 1.5 x the true p95)\n"
    )
    print(
        table(
            [
                "source",
                "watches",
                "measurements",
                "requests a watch (median)",
                "worst window p95",
                "false ROLLBACK",
                "rate",
                "passed / inconclusive",
                f"share slower than {P95_LIMIT_MS:.1f} ms (median; truth 0.7 %)",
            ],
            [*real_rows, new, old],
        )
    )
    print(f"\n{time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
