"""Benchmark 4: where each request's time goes, gonogo's route user beside a plain FastHttpUser, by py-spy.

Both run as in ``bench/throughput.py`` (nginx on loopback, 20 unpaced users, one process), each under
``py-spy record`` (sampling, from outside the process: nothing in the profile changes). Every sample
is put in the first of these it falls in, walking its stack from the innermost frame out:

    gonogo: body read         gonogo.loadgen.profile.body.read_body (the whole body, bounded)
    HTTP client               geventhttpclient's UserAgent.urlopen: build, send, parse the headers
    request event             locust's events.request listeners: its statistics, gonogo's recorder
    locust session            FastHttpSession.request and its ResponseContextManager, less the above
    user task                 the task itself, less the above (gonogo: route pick, pacing, timing)
    gonogo: recording         Recorder folds, Aggregate merges, the progress line
    gonogo: CPU sampling      psutil, once a second
    start-up, end of run      imports, plan, users; the results and the table
    event loop                gevent's hub (waiting on sockets, switching greenlets)

and shown in microseconds of wall time per request (samples / rate / requests). On a busy machine the
absolute figures grow with the load; the split between the rows is what to read.

The garbage collector runs inside whatever frame allocated, so it has no row: both locustfiles also
get listeners that time every collection from test start to stop (``gc.callbacks``), and the script
prints how many ran in each generation and for how long.

    pip install py-spy
    python bench/request_cost.py [--seconds 8] [--users 20] [--rate 250]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from _common import REPO, machine, nginx, table
from throughput import PLAIN

from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.runner import RunFiles, locust_command, run_locust

#: (row, pattern on "function (file)") from the innermost frame out; the first match takes the sample
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "start-up, end of run",
        # the end of a run includes locust's HTML report (gonogo's runs write one: Jinja compiles it)
        re.compile(
            r"_find_and_load|_Reporting\.(quitting|_end_run)|Role\.init|_on_init|on_start|save_html_report"
        ),
    ),
    ("gonogo: body read", re.compile(r"^read_body ")),
    ("HTTP client", re.compile(r"^UserAgent\.urlopen ")),
    ("request event", re.compile(r"^EventHook\.fire ")),
    ("locust session", re.compile(r"^(FastHttpSession|ResponseContextManager)\.")),
    ("user task", re.compile(r"^(RouteUser\.|Plain\.root )")),
    ("gonogo: recording", re.compile(r"^(Recorder\.|Aggregate\.|_Reporting\.|_Sending\.|LocalRole\.)")),
    ("gonogo: CPU sampling", re.compile(r"^_cpu_loop |psutil/")),
    ("event loop", re.compile(r"^Hub\.run ")),
)
ROWS = [name for name, _ in RULES] + ["other"]

#: appended to both locustfiles: every garbage collection from test start to stop, counted and timed
GC_CENSUS = """

import gc as _gc, json as _json, os as _os, time as _time
from locust import events as _events

_census = {"on": False, "began": 0.0, "counts": [0, 0, 0], "ms": [0.0, 0.0, 0.0]}


def _census_timed(phase, info):
    if not _census["on"]:
        return
    if phase == "start":
        _census["began"] = _time.perf_counter()
    else:
        _census["counts"][info["generation"]] += 1
        _census["ms"][info["generation"]] += 1000 * (_time.perf_counter() - _census["began"])


def _census_start(**_):
    _census.update(on=True, counts=[0, 0, 0], ms=[0.0, 0.0, 0.0])


def _census_stop(**_):
    if _census["on"]:
        _census["on"] = False
        with open(f"gc-{_os.getpid()}.json", "w") as out:
            _json.dump({"counts": _census["counts"], "ms": _census["ms"]}, out)


_gc.callbacks.append(_census_timed)
_events.test_start.add_listener(_census_start)
_events.test_stop.add_listener(_census_stop)
"""
_FRAME = re.compile(r"(.*?) \((.*?)(?::\d+)?\)$")


def _frames(stack: str) -> list[str]:
    names = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame)
        names.append(f"{match.group(1)} {match.group(2).split('site-packages/')[-1]}" if match else frame)
    return names


def split(raw: Path) -> Counter[str]:
    """Samples per row of a ``py-spy record --format raw`` file."""
    rows: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = _frames(stack)
        # start-up and the end of the run are recognised anywhere on the stack, the rest innermost first
        whole = " ".join(frames)
        name = "other"
        if RULES[0][1].search(whole):
            name = RULES[0][0]
        else:
            name = next(
                (row for frame in reversed(frames) for row, rule in RULES[1:] if rule.search(frame)), "other"
            )
        rows[name] += int(count)
    return rows


def _profile(output: Path, rate: int) -> list[str]:
    return [
        "py-spy",
        "record",
        "--format",
        "raw",
        "--rate",
        str(rate),
        "--nonblocking",
        "-o",
        str(output),
        "--",
    ]


#: per generation 0, 1, 2: (collections, milliseconds)
Census = tuple[tuple[int, float], ...]


def census(folder: Path) -> Census:
    """The garbage collections of the run in ``folder`` (its load-generating process)."""
    found = [json.loads(path.read_text()) for path in folder.glob("gc-*.json")]
    if not found:
        return ()
    return tuple(zip(found[0]["counts"], found[0]["ms"], strict=True))


def gonogo_profile(
    url: str, *, users: int, seconds: int, rate: int, folder: Path
) -> tuple[int, Counter[str], Census]:
    plan = LoadPlan(
        environment="bench",
        base_url=url,
        routes=(RoutePlan("root", "GET", "/", 200, 1),),
        users=users,
        spawn_rate=users,
        duration_s=float(seconds),
        warmup_s=0.0,
        min_requests=1,
    )
    files = RunFiles(folder / "gonogo")
    # the suite's locustfile, with the census of garbage collections
    locustfile = folder / "gonogo_locustfile.py"
    locustfile.write_text((REPO / "load" / "locustfile.py").read_text() + GC_CENSUS)
    command = locust_command(plan, locustfile=locustfile, files=files, python=sys.executable)
    raw = folder / "gonogo.txt"
    outcome = run_locust(
        plan,
        locustfile=locustfile,
        folder=files.folder,
        command=_profile(raw, rate) + command,
    )
    if outcome.results is None or not outcome.results.requests:
        sys.exit(f"gonogo run failed: {outcome.error}")
    return outcome.results.requests, split(raw), census(files.folder)


def plain_profile(
    url: str, *, users: int, seconds: int, rate: int, folder: Path
) -> tuple[int, Counter[str], Census]:
    locustfile = folder / "plain_locustfile.py"
    locustfile.write_text(PLAIN + GC_CENSUS)
    raw = folder / "plain.txt"
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-H", url,
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(
        _profile(raw, rate) + command,
        cwd=folder,
        capture_output=True,
        timeout=seconds + 90,
        check=False,
    )
    measured = [json.loads(path.read_text()) for path in folder.glob("measured-*.json")]
    if not measured:
        sys.exit("plain locust reported nothing")
    return sum(item["requests"] for item in measured), split(raw), census(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    args = parser.parse_args()
    if shutil.which("py-spy") is None:
        sys.exit("py-spy is not installed: pip install py-spy")
    print(f"machine: {machine()}")
    with nginx() as server, tempfile.TemporaryDirectory(prefix="gonogo-bench-") as folder:
        print(f"target: nginx at {server.url}; {args.seconds} s per run, {args.users} users, 1 process")
        options = {"users": args.users, "seconds": args.seconds, "rate": args.rate}
        plain_requests, plain, plain_gc = plain_profile(server.url, folder=Path(folder), **options)
        gonogo_requests, ours, gonogo_gc = gonogo_profile(server.url, folder=Path(folder), **options)

    def per_request(samples: int, requests: int) -> float:
        return float(samples / args.rate / requests * 1e6)

    rows = []
    for row in ROWS:
        mine, theirs = per_request(ours[row], gonogo_requests), per_request(plain[row], plain_requests)
        rows.append([row, f"{theirs:.1f}", f"{mine:.1f}", f"{mine - theirs:+.1f}"])
    per_run = [(plain, plain_requests), (ours, gonogo_requests)]
    steady = [sum(n for row, n in counts.items() if row != "start-up, end of run") for counts, _ in per_run]
    rows.append(
        [
            "all but start-up and end",
            f"{per_request(steady[0], plain_requests):.1f}",
            f"{per_request(steady[1], gonogo_requests):.1f}",
            f"{per_request(steady[1], gonogo_requests) - per_request(steady[0], plain_requests):+.1f}",
        ]
    )
    print(f"requests: plain locust {plain_requests}, gonogo {gonogo_requests}")
    print(table(["where (us of wall time per request)", "plain locust", "gonogo", "difference"], rows))
    print()
    gc_rows = [
        [generation, *(f"{n} ({ms:.1f} ms)" for n, ms in (plain_gc[generation], gonogo_gc[generation]))]
        for generation in range(3)
        if plain_gc and gonogo_gc
    ]
    print(table(["garbage collections, test start to stop: generation", "plain locust", "gonogo"], gc_rows))


if __name__ == "__main__":
    main()
