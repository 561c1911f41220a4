"""Benchmark 2: p95 accuracy against a target whose latency distribution is known, in one run.

The target is the demo app with its lognormal latency knob, wrapped so that it records how long it took
to answer every request (``bench/_servers.py accuracy``): the server-side truth. gonogo's load run
(closed model, warm-up 0 so that both sides count the same requests) reports its p95 (HdrHistogram,
every sample) and locust's p95 (2 significant digits) for the same requests; each is compared with the
exact p95 of the server's durations of the same requests (the first N it answered, N being what the
client measured: the last few, in flight when the client stopped, are never measured by it). The
transport time (parsing on both sides, loopback) is in the client's figures and not in the server's:
the table shows it as the difference of the medians. Goal: gonogo within 1 %.

The medians are chosen so that the p95 lands where locust's rounding hurts most (just above 100 ms:
10 ms buckets), in the middle of a bucket, and below 100 ms (1 ms buckets).

    python bench/accuracy.py [--seconds 8] [--users 10]
"""

from __future__ import annotations

import argparse
import json
import math
import urllib.request
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from _common import REPO, machine, start_python_server, table

from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.runner import run_locust

SIGMA = 0.5
#: p95 of a lognormal = median * exp(1.645 * sigma)
P95_OVER_MEDIAN = math.exp(1.6448536 * SIGMA)
TARGET_P95_MS = (104.8, 157.0, 228.0, 62.3)


def measure(median_ms: float, *, users: int, seconds: int, folder: Path) -> list[object]:
    server = start_python_server("accuracy", "--median-ms", f"{median_ms:.3f}", "--sigma", str(SIGMA))
    try:
        plan = LoadPlan(
            environment="bench",
            base_url=server.url,
            routes=(RoutePlan("item", "GET", "/api/items/1", 200, 1),),
            users=users,
            spawn_rate=users,
            duration_s=float(seconds),
            warmup_s=0.0,
            min_requests=1,
        )
        outcome = run_locust(
            plan, locustfile=REPO / "load" / "locustfile.py", folder=folder / f"{median_ms:.0f}"
        )
        with urllib.request.urlopen(f"{server.url}/__durations", timeout=10) as answer:
            durations = np.asarray(json.load(answer))
    finally:
        server.stop()
    results = outcome.results
    if results is None or results.locust is None or results.locust.p95_ms is None:
        raise SystemExit(f"load run failed: {outcome.error}")
    served = len(durations)
    # the requests in flight when the client stopped were answered last and never measured by it
    durations = durations[: results.requests]
    truth = float(np.percentile(durations, 95, method="inverted_cdf"))
    gonogo = results.total.latency.p95_ms
    client_p50 = results.total.latency.p50_ms
    assert gonogo is not None
    assert client_p50 is not None
    transport = client_p50 - float(np.percentile(durations, 50, method="inverted_cdf"))
    locust = float(results.locust.p95_ms)
    return [
        f"{median_ms:.1f}",
        f"{served} / {results.requests}",
        f"{transport:.2f}",
        f"{truth:.2f}",
        f"{gonogo:.2f}",
        f"{(gonogo - truth) / truth:+.2%}",
        f"{locust:g}",
        f"{(locust - truth) / truth:+.2%}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--users", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(
        f"target: demo app, lognormal latency (sigma {SIGMA}), {args.users} users, {args.seconds} s per run"
    )
    rows = []
    with TemporaryDirectory(prefix="gonogo-bench-") as folder:
        for p95 in TARGET_P95_MS:
            rows.append(
                measure(p95 / P95_OVER_MEDIAN, users=args.users, seconds=args.seconds, folder=Path(folder))
            )
            print(f"  median {rows[-1][0]} ms done")
    print()
    print(
        table(
            [
                "median ms",
                "requests (server / gonogo)",
                "transport ms (p50 client - server)",
                "true p95 ms (server)",
                "gonogo p95 ms",
                "gonogo error",
                "locust p95 ms",
                "locust error",
            ],
            rows,
        )
    )
    print()
    print(
        "goal: gonogo within 1 % of the server's p95. Both client figures include the transport time "
        "(client and server parsing, loopback), which the server does not see."
    )


if __name__ == "__main__":
    main()
