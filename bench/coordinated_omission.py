"""Benchmark 3: coordinated omission. The target stalls once for 1 s during a 400 req/s run.

The target (``bench/_servers.py stall``) answers in ``--base-ms`` and, a few seconds after its first
request, blocks its event loop for 1 s. Three figures for the same schedule:

* closed model: gonogo's closed model paced to 400 req/s (users send their next request when the last
  one answered, so during the stall they simply wait: the stall costs one slow sample per user);
  latency timed from the actual send, both by gonogo and by locust;
* open model: gonogo's open model at 400 req/s, timed from each request's scheduled send;
* the truth of an open schedule: requests leaving every 1/400 s whatever happens, to a first-come
  first-served server. One scheduled at ``t`` inside the stall waits for the stall's end, then for the
  requests queued before it; after the stall the server works the backlog off at its capacity ``mu``,
  so requests scheduled shortly after the stall wait too. The server measures the stall ``S`` and how
  long its backlog took to drain ``T``, which gives ``mu = rate * (S + T) / T``; ``base`` is the open
  run's median time from the actual send. The truth is that model evaluated over the measured window
  (``--no-drain`` leaves the drain out: the lower bound ``end - t + base``).

Goal: the open model within 10 % of the truth at p95 and p99.

    python bench/coordinated_omission.py [--seconds 12] [--warmup 2] [--rate 400]
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

from gonogo.loadgen.measurements import LoadMeasurements
from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.runner import run_locust

BASE_MS = 5.0
STALL_S = 1.0


def run(
    mode: str, *, rate: float, users: int, seconds: float, warmup: float, folder: Path, processes: int = 1
) -> tuple[LoadMeasurements, dict[str, float]]:
    # the stall comes half-way through the measured window
    stall_after = warmup + (seconds - warmup) / 2 - STALL_S / 2
    server = start_python_server(
        "stall", "--base-ms", str(BASE_MS), "--stall-after", f"{stall_after:.2f}", "--stall-s", str(STALL_S)
    )
    try:
        plan = LoadPlan(
            environment="bench",
            base_url=server.url,
            routes=(RoutePlan("root", "GET", "/", 200, 1),),
            mode="open" if mode == "open" else "closed",
            users=users,
            spawn_rate=users,
            rate_per_s=rate,
            duration_s=seconds,
            warmup_s=warmup,
            min_requests=1,
            processes=processes,
        )
        outcome = run_locust(plan, locustfile=REPO / "load" / "locustfile.py", folder=folder / mode)
        with urllib.request.urlopen(f"{server.url}/__stall", timeout=10) as answer:
            stall = json.load(answer)
    finally:
        server.stop()
    if outcome.results is None:
        raise SystemExit(f"{mode} run failed: {outcome.error}")
    if stall["began"] is None or stall["ended"] is None:
        raise SystemExit(f"{mode} run: the target never stalled (it got no request?)")
    drained = stall["drained"] if stall["drained"] is not None else stall["ended"]
    return outcome.results, {"stall_s": stall["ended"] - stall["began"], "drain_s": drained - stall["ended"]}


def truth_ms(
    percents: tuple[float, ...],
    *,
    rate: float,
    base_ms: float,
    stall_s: float,
    drain_s: float,
    window_s: float,
) -> dict[float, float]:
    """Latencies at ``percents`` of an open schedule meeting one stall of a first-come first-served server.

    The stall starts at 0 and lasts ``stall_s``; the backlog ``rate * stall_s`` is worked off ``drain_s``
    after its end, so the capacity is ``rate * (stall_s + drain_s) / drain_s``. The window is placed
    around the stall; its position does not matter as long as the stall and the drain are inside.
    """
    sent = np.arange(-window_s / 2, window_s / 2, 1.0 / rate)
    capacity = rate * (stall_s + drain_s) / drain_s if drain_s > 0 else math.inf
    queued = np.clip(sent, 0.0, None) * rate  # requests ahead in the queue at the stall's end ...
    wait = np.zeros_like(sent)
    during = (sent >= 0) & (sent < stall_s)
    wait[during] = stall_s - sent[during] + queued[during] / capacity
    after = sent >= stall_s
    if math.isfinite(capacity):
        # after the stall: the backlog left when the request arrives, minus what it finds drained
        left = rate * stall_s / capacity - (1 - rate / capacity) * (sent[after] - stall_s)
        wait[after] = np.clip(left, 0.0, None)
    latencies = base_ms + wait * 1000.0
    return {percent: float(np.percentile(latencies, percent, method="inverted_cdf")) for percent in percents}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rate", type=float, default=400.0)
    parser.add_argument("--no-drain", action="store_true", help="truth without the drain (a lower bound)")
    parser.add_argument("--processes", type=int, default=1, help="locust processes of the open-model run")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(
        f"target: answers in {BASE_MS:g} ms, stalls {STALL_S:g} s once; {args.rate:g} req/s, "
        f"{args.seconds:g} s runs ({args.warmup:g} s warm-up)"
    )
    with TemporaryDirectory(prefix="gonogo-bench-") as folder:
        closed, closed_stall = run(
            "closed", rate=args.rate, users=20, seconds=args.seconds, warmup=args.warmup, folder=Path(folder)
        )
        opened, open_stall = run(
            "open",
            rate=args.rate,
            users=500,
            seconds=args.seconds,
            warmup=args.warmup,
            folder=Path(folder),
            processes=args.processes,
        )
    base = opened.service.latency.p50_ms if opened.service is not None else None
    base = base if base is not None else BASE_MS
    rows = []
    for label, results in (("closed model (gonogo)", closed), ("open model (gonogo)", opened)):
        latency = results.total.latency
        rows.append(
            [
                label,
                results.requests,
                f"{latency.p50_ms:.1f}",
                f"{latency.p95_ms:.1f}",
                f"{latency.p99_ms:.1f}",
            ]
        )
    if closed.locust is not None:
        rows.append(["closed model (locust's own)", closed.locust.requests, f"{closed.locust.p50_ms}",
                     f"{closed.locust.p95_ms}", f"{closed.locust.p99_ms}"])  # fmt: skip
    truth = truth_ms(
        (50, 95, 99),
        rate=args.rate,
        base_ms=base,
        stall_s=open_stall["stall_s"],
        drain_s=0.0 if args.no_drain else open_stall["drain_s"],
        window_s=opened.measured_s,
    )
    rows.append(
        ["truth of the open schedule", "", f"{truth[50]:.1f}", f"{truth[95]:.1f}", f"{truth[99]:.1f}"]
    )
    print()
    print(table(["model", "requests", "p50 ms", "p95 ms", "p99 ms"], rows))
    print()
    open_latency = opened.total.latency
    assert open_latency.p95_ms is not None
    assert open_latency.p99_ms is not None
    print(
        f"open model vs truth: p95 {(open_latency.p95_ms - truth[95]) / truth[95]:+.1%}, "
        f"p99 {(open_latency.p99_ms - truth[99]) / truth[99]:+.1%} (goal: within 10 %)"
    )
    if opened.open is not None:
        counts = opened.open
        print(
            f"open model schedule: {counts.sent} sent, {counts.late} late, {counts.dropped} never sent, "
            f"{counts.unfinished} unanswered at the end; achieved {opened.achieved_rate_per_s:.0f} req/s; "
            f"stall measured by the target: {open_stall['stall_s']:.3f} s, backlog drained "
            f"{open_stall['drain_s'] * 1000:.0f} ms later "
            f"(closed run: stall {closed_stall['stall_s']:.3f} s); "
            f"window {opened.measured_s:.2f} s; base {base:.2f} ms"
        )


if __name__ == "__main__":
    main()
