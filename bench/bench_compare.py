"""Benchmark: how often the sequential comparison gets the known truth right, and how soon it says so.

Two sources, said in every table:

1. Simulated (``gonogo.bluegreen.simulate``): seeded lognormal latencies (baseline median 20 ms, sigma
   0.5; the candidate's median ``ratio`` times that) and Bernoulli errors, on a simulated clock that
   advances as real traffic would at ``concurrency`` pairs in flight (each pair one request to each
   side, one after the other). Many trials a row, in seconds of CPU: the statistics' error rates.
2. Real (two ``python -m gonogo.demo`` processes on loopback with the same latency knobs), sent by the
   same code the check runs (``batch_sender`` + ``compare_sequentially``, httpx, no retries): fewer
   trials, wall-clock time to the decision, the machine's own noise included.

Every comparison uses the defaults of ``[baseline.compare]`` (98 % confidence, latency tolerance 10 %
of the baseline's p50 with a 1 ms floor, p95 ratio limit 1.5, one point more errors; at most 2000
pairs per route and 60 s), one route. Goals (issue 16): at 1.3x, FAIL in >= 95 % of trials within
60 s; at 1.0x, PASS in >= 98 % (false FAIL <= 2 %); never PASS at >= 1.2x.

    python bench/bench_compare.py [--trials 100] [--real-trials 10] [--seed 1]
    python bench/bench_compare.py --spending obrien-fleming --real-trials 0   # the other spending
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from _common import machine, table
from _demo import demo, lognormal

from gonogo.bluegreen.compare import ComparisonReport
from gonogo.bluegreen.looks import compare_sequentially
from gonogo.bluegreen.sequential import Spending
from gonogo.bluegreen.simulate import Colour, SimulatedClock, simulated_sender
from gonogo.bluegreen.stats import Classification
from gonogo.bluegreen.traffic import Side, batch_sender
from gonogo.environment import CompareConfig, RouteConfig
from gonogo.probes.fetch import fetch

ROUTES = [RouteConfig(name="list items", path="/api/items")]
CONFIG = CompareConfig()
MEDIAN_MS, SIGMA = 20.0, 0.5
RATIOS = (1.0, 1.1, 1.2, 1.3, 1.5)
ERROR_RATES = (0.01, 0.02, 0.05)


@dataclass(frozen=True)
class Trial:
    classification: Classification
    pairs_per_route: int
    seconds: float
    stopped: str


def simulated(ratio: float, error_rate: float, seed: int, spending: Spending = Spending.POCOCK) -> Trial:
    clock = SimulatedClock()
    send = simulated_sender(
        ROUTES,
        Colour(MEDIAN_MS, SIGMA),
        Colour(MEDIAN_MS * ratio, SIGMA, error_rate),
        seed=seed,
        clock=clock,
        concurrency=CONFIG.concurrency,
    )
    report = compare_sequentially(
        send, ROUTES, CONFIG, baseline_url="sim", candidate_url="sim", clock=clock, spending=spending
    )
    return _trial(report, clock.now)


def real(clients: dict[Side, httpx.Client], seed: int) -> Trial:
    for client in clients.values():  # warm-up, as the check does: connections opened
        fetch(client, "GET", ROUTES[0].path)
    began = time.monotonic()
    report = compare_sequentially(
        batch_sender(clients, ROUTES, concurrency=CONFIG.concurrency, seed=seed),
        ROUTES,
        CONFIG,
        baseline_url=str(clients["baseline"].base_url),
        candidate_url=str(clients["candidate"].base_url),
    )
    return _trial(report, time.monotonic() - began)


def _trial(report: ComparisonReport, seconds: float) -> Trial:
    return Trial(report.classification, report.looks[-1].pairs_per_route, seconds, report.stopped)


def row(truth: str, source: str, trials: Sequence[Trial]) -> list[str]:
    counts = Counter(t.classification for t in trials)
    n = len(trials)
    decided = [t for t in trials if t.classification in (Classification.FAIL, Classification.PASS)]

    def share(kind: Classification) -> str:
        return f"{counts[kind] / n:.0%}" if counts[kind] else "0"

    pairs = sorted(t.pairs_per_route for t in decided)
    seconds = sorted(t.seconds for t in decided)
    return [
        truth,
        source,
        str(n),
        share(Classification.FAIL),
        share(Classification.PASS),
        share(Classification.MARGINAL),
        share(Classification.INCONCLUSIVE),
        f"{statistics.median(pairs):.0f}" if pairs else "-",
        f"{pairs[-1]}" if pairs else "-",
        f"{statistics.median(seconds):.1f}" if seconds else "-",
        f"{seconds[-1]:.1f}" if seconds else "-",
    ]


HEADERS = [
    "candidate vs baseline",
    "source",
    "trials",
    "FAIL",
    "PASS",
    "MARGINAL",
    "INCONCLUSIVE",
    "pairs to decision (median)",
    "(max)",
    "s to decision (median)",
    "(max)",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100, help="simulated trials per row")
    parser.add_argument("--real-trials", type=int, default=10, help="real trials per row (0: none)")
    parser.add_argument("--real-ratios", type=float, nargs="*", default=[1.0, 1.3])
    parser.add_argument("--ratios", type=float, nargs="*", default=list(RATIOS), help="simulated ratios")
    parser.add_argument("--error-rates", type=float, nargs="*", default=list(ERROR_RATES))
    parser.add_argument("--spending", choices=[s.value for s in Spending], default=Spending.POCOCK.value)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    print(f"gonogo bench_compare: {machine()}")
    print(
        f"defaults of [baseline.compare]: confidence {CONFIG.confidence}, tolerance "
        f"{CONFIG.latency_tolerance:.0%} of p50 (floor {CONFIG.latency_tolerance_ms:g} ms), p95 limit "
        f"{1 + CONFIG.p95_increase_limit:g}x, errors +{CONFIG.error_rate_increase:.0%}, at most "
        f"{CONFIG.requests} pairs / {CONFIG.max_duration_s:g} s, concurrency {CONFIG.concurrency}; "
        f"{args.spending} alpha spending\n",
        flush=True,
    )
    rows = []
    spending = Spending(args.spending)
    for ratio in args.ratios:
        trials = [simulated(ratio, 0.0, args.seed * 10_000 + k, spending) for k in range(args.trials)]
        rows.append(row(f"median x{ratio:g}", "simulated", trials))
        print(f"  simulated x{ratio:g}: {dict(Counter(t.classification.value for t in trials))}", flush=True)
    for rate in args.error_rates:
        trials = [simulated(1.0, rate, args.seed * 20_000 + k, spending) for k in range(args.trials)]
        rows.append(row(f"errors 0% vs {rate:.0%}", "simulated", trials))
        print(
            f"  simulated errors {rate:.0%}: {dict(Counter(t.classification.value for t in trials))}",
            flush=True,
        )

    if args.real_trials:
        with demo(*lognormal(MEDIAN_MS, SIGMA, args.seed)) as (baseline_url, _):
            for ratio in args.real_ratios:
                flags = lognormal(MEDIAN_MS * ratio, SIGMA, args.seed + 1)
                with (
                    demo(*flags) as (candidate_url, _),
                    httpx.Client(base_url=baseline_url, timeout=5) as blue,
                    httpx.Client(base_url=candidate_url, timeout=5) as green,
                ):
                    clients: dict[Side, httpx.Client] = {"baseline": blue, "candidate": green}
                    trials = []
                    for k in range(args.real_trials):
                        trials.append(real(clients, args.seed * 30_000 + k))
                        t = trials[-1]
                        print(
                            f"  real x{ratio:g} #{k}: {t.classification.value} at {t.pairs_per_route} pairs, "
                            f"{t.seconds:.1f} s ({t.stopped})",
                            flush=True,
                        )
                rows.append(row(f"median x{ratio:g}", "real (2 demos)", trials))
    print("\nSequential comparison: share of trials by outcome, and the decided trials' cost\n")
    print(table(HEADERS, rows))
    print(f"\n{time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
