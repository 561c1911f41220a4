"""Benchmark 1: requests/s and CPU per request of gonogo's load run, beside plain locust and wrk, in one run.

Against nginx (Debian's package) on a loopback port answering 3 bytes: the load generator is the
bottleneck, which is what is measured. Side by side, interleaved (plain, gonogo, plain, gonogo, ...):

* plain locust: a ``FastHttpUser`` calling ``GET /`` in a loop (``wait_time = constant(0)``);
* gonogo: the suite's ``load/locustfile.py`` through ``gonogo.loadgen.run_locust`` (same users, closed
  model, unpaced), which also checks each status and records every sample in HdrHistograms;
* wrk (1 thread, as many connections as users): the ceiling of this machine.

Requests/s and CPU per request are measured the same way for both locust runs, in each load-generating
process from test start to stop: requests over wall time, process CPU time over requests (start-up and
the reports left out). Locust's own counter is not used: on a master it misses the workers' last
report. Figures are the median of the rounds. Goals: gonogo >= 1.0x plain locust (issue 16); >= 1.6x from 1
to 2 processes (``--processes``).

The comparison is like for like: the same nginx, users, spawn rate and run time, both unpaced (``wait_time``
0), the same interpreter and locust, both ``FastHttpUser``, every request counted (gonogo's warm-up 0).
gonogo does more by design: it streams each body and reads it whole itself (a request succeeds only then),
checks the status, and keeps every sample for HdrHistograms; that is what its extra CPU per request buys.

    python bench/throughput.py [--seconds 5] [--users 20] [--rounds 3] [--processes 1,2]
        [--baseline-tree DIR]

``--baseline-tree DIR`` also runs gonogo from another copy of the package (``DIR/gonogo``, e.g.
``git archive REV gonogo | tar -x -C DIR``), interleaved with the others, for a before/after figure on
the same machine at the same moment. On a busy machine each round's ratios to the plain run just
before it (paired) are steadier than the ratio of the medians; both are printed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import REPO, child_cpu, machine, nginx, table

from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.runner import RunFiles, locust_command, run_locust

PLAIN = """
import json
import os
import time

from locust import FastHttpUser, constant, events, task
from locust.runners import MasterRunner


class Plain(FastHttpUser):
    wait_time = constant(0)

    @task
    def root(self):
        self.client.get("/")


# requests, wall time and process CPU time from test start to stop, in each load-generating process
# (the counter costs ~0.3 us a request)
state = {"requests": 0, "wall": 0.0, "cpu": 0.0}


@events.request.add_listener
def _count(**kwargs):
    state["requests"] += 1


@events.test_start.add_listener
def _start(environment, **kwargs):
    state.update(requests=0, wall=time.monotonic(), cpu=time.process_time())


@events.test_stop.add_listener
def _stop(environment, **kwargs):
    if not isinstance(environment.runner, MasterRunner):
        measured = {
            "requests": state["requests"],
            "seconds": time.monotonic() - state["wall"],
            "cpu": time.process_time() - state["cpu"],
        }
        with open(f"measured-{os.getpid()}.json", "w") as out:
            json.dump(measured, out)
"""

#: (requests per second, CPU seconds per request, mean CPU of a load-generating process in % of a core)
Measure = tuple[float, float, float]


def plain_locust(url: str, *, users: int, seconds: int, processes: int, folder: Path) -> Measure:
    locustfile = folder / "plain_locustfile.py"
    locustfile.write_text(PLAIN)
    for old in folder.glob("measured-*.json"):
        old.unlink()
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-H", url,
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    if processes > 1:
        command += ["--processes", str(processes)]
    subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=seconds + 60, check=False)
    measured = [json.loads(path.read_text()) for path in folder.glob("measured-*.json")]
    if len(measured) != processes:
        sys.exit(f"plain locust: {len(measured)} of {processes} processes reported")
    requests = sum(item["requests"] for item in measured)
    rate = sum(item["requests"] / item["seconds"] for item in measured)
    cpu = sum(item["cpu"] for item in measured)
    return rate, cpu / requests, 100 * cpu / sum(item["seconds"] for item in measured)


def gonogo_run(
    url: str, *, users: int, seconds: int, processes: int, folder: Path, tree: Path | None = None
) -> Measure:
    plan = LoadPlan(
        environment="bench",
        base_url=url,
        routes=(RoutePlan("root", "GET", "/", 200, 1),),
        users=users,
        spawn_rate=users,
        duration_s=float(seconds),
        warmup_s=0.0,  # every request counts, as in the plain run
        processes=processes,
        min_requests=1,
    )
    locustfile = REPO / "load" / "locustfile.py"
    files = RunFiles(folder / f"gonogo-{processes}{'-baseline' if tree else ''}")
    environ = command = None
    if tree is not None:
        # another copy of the package goes first on the child's path (the locustfile imports from it),
        # and gets only the switches its profile knows (an older one lacks the newer ones)
        environ = {**os.environ, "PYTHONPATH": str(tree)}
        known = _profile_flags(tree)
        command = [
            part
            for part in locust_command(plan, locustfile=locustfile, files=files, python=sys.executable)
            if not part.startswith("--gonogo-") or part in known
        ]
    outcome = run_locust(plan, locustfile=locustfile, folder=files.folder, environ=environ, command=command)
    results = outcome.results
    if results is None or not results.requests:
        sys.exit(f"gonogo run failed: {outcome.error}")
    busy = 100 * results.cpu_seconds / (results.measured_s * results.processes)
    return results.achieved_rate_per_s, results.cpu_seconds / results.requests, busy


def _profile_flags(tree: Path) -> set[str]:
    """The ``--gonogo-*`` switches the profile in ``tree`` defines (a module or a package)."""
    profile = tree / "gonogo" / "loadgen"
    sources = [*profile.glob("profile.py"), *profile.glob("profile/*.py")]
    return {flag for path in sources for flag in re.findall(r'"(--gonogo-[a-z-]+)"', path.read_text())}


def wrk(url: str, *, connections: int, seconds: int) -> Measure:
    with child_cpu() as cpu:  # the whole process: wrk starts in milliseconds
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        )
    match = re.search(r"(\d+) requests in ([\d.]+)s", done.stdout)
    if match is None:
        sys.exit(f"cannot read wrk's output:\n{done.stdout}")
    requests, seconds = int(match.group(1)), float(match.group(2))
    return requests / seconds, cpu[0] / requests, 100 * cpu[0] / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts (default 1,2)")
    parser.add_argument("--baseline-tree", type=Path, help="also run gonogo from DIR/gonogo, interleaved")
    args = parser.parse_args()
    counts = [int(count) for count in args.processes.split(",")]
    print(f"machine: {machine()}")
    samples: dict[str, list[Measure]] = {}
    runners: list[tuple[str, Callable[..., Measure]]] = [
        ("plain locust", plain_locust),
        ("gonogo", gonogo_run),
    ]
    if args.baseline_tree is not None:
        if not (args.baseline_tree / "gonogo" / "__init__.py").is_file():
            sys.exit(f"--baseline-tree {args.baseline_tree}: no gonogo/ package in it")
        runners.insert(
            1, ("gonogo baseline", functools.partial(gonogo_run, tree=args.baseline_tree.resolve()))
        )
    with nginx() as server, tempfile.TemporaryDirectory(prefix="gonogo-bench-") as folder:
        each = f"{args.seconds} s per run, {args.users} users, {args.rounds} rounds"
        print(f"target: nginx at {server.url}; {each}")
        for round_number in range(args.rounds):
            for processes in counts:
                for name, runner in runners:
                    result = runner(
                        server.url,
                        users=args.users,
                        seconds=args.seconds,
                        processes=processes,
                        folder=Path(folder),
                    )
                    samples.setdefault(f"{name}|{processes}", []).append(result)
                    print(
                        f"  round {round_number + 1}: {name}, {processes} process(es): {result[0]:,.0f} req/s"
                    )
            samples.setdefault("wrk|1", []).append(
                wrk(server.url, connections=args.users, seconds=args.seconds)
            )
    rates = {key: statistics.median(run[0] for run in runs) for key, runs in samples.items()}
    cpu_us = {key: statistics.median(run[1] * 1e6 for run in runs) for key, runs in samples.items()}
    busy = {key: statistics.median(run[2] for run in runs) for key, runs in samples.items()}
    names = [name for name, _ in runners]
    rows = []
    for processes in counts:
        for name in names:
            key, plain = f"{name}|{processes}", f"plain locust|{processes}"
            one = f"{name}|1"
            scaling = f"{rates[key] / rates[one]:.2f}x" if processes > 1 and one in rates else ""
            row = [name, processes, f"{rates[key]:,.0f}", f"{cpu_us[key]:.0f}", f"{busy[key]:.0f}%"]
            rows.append([*row, f"{rates[key] / rates[plain]:.2f}x", _paired(samples, key, plain), scaling])
    wrk_row = [
        "wrk (1 thread)",
        1,
        f"{rates['wrk|1']:,.0f}",
        f"{cpu_us['wrk|1']:.0f}",
        f"{busy['wrk|1']:.0f}%",
    ]
    rows.append([*wrk_row, f"{rates['wrk|1'] / rates[f'plain locust|{counts[0]}']:.2f}x", "", ""])
    print()
    headers = [
        "generator",
        "processes",
        "req/s",
        "CPU us/req",
        "CPU per process",
        "vs plain locust",
        "paired, CPU/req inverted",
        "2 vs 1 process",
    ]
    print(table(headers, rows))
    print("(CPU per process: % of a core used by each load-generating process; well below 100 % the machine,")
    print(
        " not the generator, was the limit. Paired: the median over rounds of plain locust's CPU per request"
    )
    print(" over this generator's in the same round: the req/s ratio if each had a core to itself)")
    if 1 in counts and 2 in counts:
        print(
            f"2 processes / 1, req/s: gonogo {rates['gonogo|2'] / rates['gonogo|1']:.2f}x, plain locust "
            f"{rates['plain locust|2'] / rates['plain locust|1']:.2f}x; goal >= 1.6x"
        )


def _paired(samples: dict[str, list[Measure]], key: str, plain: str) -> str:
    ratios = [base[1] / run[1] for run, base in zip(samples[key], samples[plain], strict=True)]
    return f"{statistics.median(ratios):.2f}x"


if __name__ == "__main__":
    main()
