"""Benchmark: how fast the watch says ROLLBACK after a fault, and how often it says so without one.

1. Time from fault onset to ROLLBACK. A demo (``python -m gonogo.demo``) turns faulty ``--fault-after``
   seconds after it starts: from then on a share of its API requests answers 500. The watch (the plain
   code load/test_watch.py runs: ``gonogo.bluegreen.watch``) starts as soon as the demo is up, at a
   fixed request rate (``sample_requests / interval_s``). Onset is the demo's start plus the delay (the
   demo's clock starts a few milliseconds before its listening line; that error is in the figures).
   Reference: the expected delay of a model where a measurement sees the fault with probability
   ``p = 1 - (1 - error_rate) ** sample_requests`` and the watch needs ``failure_limit + 1`` of them:
   ``interval * (1/2 + (failure_limit + 1) / p - 1)`` plus one measurement's own time.
2. False ROLLBACK rate. Repeated watches of a healthy demo with a lognormal latency (median 20 ms,
   sigma 0.5: p95 about 45 ms) against a p95 limit; any that ends failed or errored is a false ROLLBACK.

Bounded: a few minutes with the defaults (``--repeats``, ``--healthy-watches``, ``--healthy-seconds``).

    python bench/bench_watch.py [--repeats 3] [--healthy-watches 8] [--healthy-seconds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from _common import machine, table

from gonogo.bluegreen.watch import End, Limits, Prober, run
from gonogo.environment import HealthConfig, RouteConfig, VersionConfig

LISTENING = re.compile(r"listening on (http://\S+)")
FAULT_AFTER_S = 2.0
#: the watch's request rate: sample_requests per interval_s, the same in every configuration
RATE_PER_S = 10


@dataclass(frozen=True)
class Config:
    interval_s: float
    failure_limit: int

    @property
    def sample(self) -> int:
        return round(RATE_PER_S * self.interval_s)

    def __str__(self) -> str:
        return f"every {self.interval_s:g} s x {self.sample} req, failure_limit {self.failure_limit}"


CONFIGS = (Config(1.0, 0), Config(0.5, 0), Config(0.5, 1))
ERROR_RATES = (0.05, 0.2)


@contextlib.contextmanager
def demo(*flags: str) -> Iterator[tuple[str, float]]:
    """A demo on a loopback port: ``(url, monotonic time its listening line came)``, stopped after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gonogo.demo", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 20
        url = None
        while time.monotonic() < deadline and url is None:
            line = process.stdout.readline()
            if not line:
                break
            match = LISTENING.search(line)
            url = match.group(1) if match else None
        if url is None:
            sys.exit("the demo did not start within 20 s")
        yield url, time.monotonic()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def prober(client: httpx.Client, sample: int, p95_ms: float) -> Prober:
    return Prober(
        client,
        health=HealthConfig(),
        version=VersionConfig(),
        expected_version="1.4.2",
        routes=[RouteConfig(name="list items", path="/api/items")],
        sample_requests=sample,
        max_error_rate=0.01,
        p95_ms=p95_ms,
    )


def time_to_rollback(config: Config, error_rate: float, seed: int) -> float | None:
    """Seconds from fault onset to the watch's end; None if the watch never failed (60 s at most)."""
    flags = ("--fault-after", str(FAULT_AFTER_S), "--error-rate", str(error_rate), "--seed", str(seed))
    with demo(*flags) as (url, up_at), httpx.Client(base_url=url, timeout=2) as client:
        # a random phase: the onset falls anywhere between two measurements, as it would in real life
        time.sleep(random.Random(seed).uniform(0, config.interval_s))
        began = time.monotonic()
        result = run(
            prober(client, config.sample, p95_ms=1000).measure,
            duration_s=60,
            interval_s=config.interval_s,
            limits=Limits(config.failure_limit, 4, 0),
        )
        if result.end is not End.FAILED:
            return None
        return began + result.elapsed_s - (up_at + FAULT_AFTER_S)


def expected_delay(config: Config, error_rate: float, measurement_s: float) -> float:
    p = 1 - (1 - error_rate) ** config.sample
    return config.interval_s * (0.5 + (config.failure_limit + 1) / p - 1) + measurement_s


def healthy_watches(
    count: int, seconds: float, p95_ms: float, interval_s: float, failure_limit: int
) -> tuple[int, int, float]:
    """``(false rollbacks, measurements, worst sample p95)`` over ``count`` watches of a healthy demo."""
    false = measurements = 0
    worst = 0.0
    flags = ("--latency-ms", "20", "--latency-dist", "lognormal", "--latency-sigma", "0.5", "--seed", "1")
    with demo(*flags) as (url, _), httpx.Client(base_url=url, timeout=2) as client:
        for _ in range(count):
            sample = round(RATE_PER_S * interval_s)
            result = run(
                prober(client, sample, p95_ms).measure,
                duration_s=seconds,
                interval_s=interval_s,
                limits=Limits(failure_limit, 4, 0),
            )
            false += result.end in (End.FAILED, End.ERRORED)
            measurements += len(result.measurements)
            worst = max([worst, *(m.p95_ms or 0.0 for m in result.measurements)])
    return false, measurements, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fault runs per configuration and error rate")
    parser.add_argument("--healthy-watches", type=int, default=8, help="healthy watches per p95 limit")
    parser.add_argument("--healthy-seconds", type=float, default=5.0, help="length of one healthy watch")
    args = parser.parse_args()
    started = time.monotonic()
    print(f"gonogo bench_watch: {machine()}")
    print(f"watch request rate {RATE_PER_S} req/s; faults start {FAULT_AFTER_S:g} s after the demo starts\n")

    # one measurement's own time (health, version, the sample), for the reference
    with demo() as (url, _), httpx.Client(base_url=url, timeout=2) as client:
        probe = prober(client, round(RATE_PER_S * 0.5), 1000)
        costs = [probe.measure(i, 0).duration_ms / 1000 for i in range(10)]
    measurement_s = statistics.median(costs)

    rows = []
    for config in CONFIGS:
        for error_rate in ERROR_RATES:
            delays = [time_to_rollback(config, error_rate, seed) for seed in range(1, args.repeats + 1)]
            caught = [d for d in delays if d is not None]
            reference = expected_delay(config, error_rate, measurement_s)
            mean = statistics.mean(caught) if caught else float("nan")
            rows.append(
                [
                    str(config),
                    f"{error_rate:.0%}",
                    f"{len(caught)}/{len(delays)}",
                    f"{min(caught):.2f}" if caught else "-",
                    f"{statistics.median(caught):.2f}" if caught else "-",
                    f"{max(caught):.2f}" if caught else "-",
                    f"{mean:.2f}",
                    f"{reference:.2f}",
                    f"{mean / reference:.2f}" if caught else "-",
                ]
            )
            print(
                f"  {config}, {error_rate:.0%} errors: {', '.join(f'{d:.2f}' for d in caught)} s", flush=True
            )
    print("\nTime from fault onset to ROLLBACK (seconds)\n")
    print(
        table(
            [
                "watch",
                "errors after onset",
                "caught",
                "min",
                "median",
                "max",
                "mean",
                "model",
                "mean / model",
            ],
            rows,
        )
    )

    healthy_rows = []
    for p95_ms, failure_limit in ((100.0, 0), (50.0, 0), (50.0, 1)):
        false, measured, worst = healthy_watches(
            args.healthy_watches, args.healthy_seconds, p95_ms, 0.5, failure_limit
        )
        healthy_rows.append(
            [
                f"{p95_ms:g} ms",
                str(failure_limit),
                f"{args.healthy_watches} x {args.healthy_seconds:g} s",
                str(measured),
                f"{worst:.1f} ms",
                f"{false}/{args.healthy_watches}",
                f"{false / args.healthy_watches:.0%}",
            ]
        )
        print(
            f"  p95 limit {p95_ms:g} ms, failure_limit {failure_limit}: {false} false ROLLBACK(s)", flush=True
        )
    print(
        "\nFalse ROLLBACK over healthy watches "
        "(every 0.5 s x 5 req; lognormal latency, median 20 ms, sigma 0.5)\n"
    )
    print(
        table(
            [
                "p95 limit",
                "failure_limit",
                "watches",
                "measurements",
                "worst sample p95",
                "false ROLLBACK",
                "rate",
            ],
            healthy_rows,
        )
    )
    spent = time.monotonic() - started
    print(f"\n{spent:.0f} s in all; one measurement takes {measurement_s * 1000:.1f} ms here")


if __name__ == "__main__":
    main()
