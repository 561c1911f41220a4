"""Run locust in a child process, bounded in time, forward its progress lines and read back its results.

Locust is never imported here: ``import locust`` monkey-patches the whole process with gevent, which
would break pytest, its xdist workers and httpx. The child runs the locustfile with the plan as a file;
its stderr carries gonogo's progress lines and end-of-run table (locust's own log goes to a file).

On the time bound the child's process group gets SIGTERM (locust then writes what it measured, marked
incomplete), and SIGKILL five seconds later.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gonogo.loadgen.measurements import LoadMeasurements, MeasurementsError
from gonogo.loadgen.plan import LoadPlan
from gonogo.processes import die_with_parent, free_port, stop_group

_TERM_GRACE_S = 5.0


@dataclass(frozen=True)
class RunFiles:
    """Where one run's files go (the folder is created, earlier files in it replaced)."""

    folder: Path

    @property
    def plan(self) -> Path:
        return self.folder / "plan.json"

    @property
    def results(self) -> Path:
        return self.folder / "results.json"

    @property
    def stats_csv(self) -> Path:
        # written beside the results by the profile: locust's statistics at the very end
        return self.folder / "results_locust_stats.csv"

    @property
    def html(self) -> Path:
        return self.folder / "locust-report.html"

    @property
    def locust_json(self) -> Path:
        return self.folder / "locust.json"

    @property
    def log(self) -> Path:
        return self.folder / "locust.log"

    @property
    def stdout(self) -> Path:
        return self.folder / "locust-stdout.txt"

    @property
    def chart(self) -> Path:
        return self.folder / "latency.svg"

    def prepare(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in (
            self.plan,
            self.results,
            self.stats_csv,
            self.html,
            self.locust_json,
            self.log,
            self.stdout,
            self.chart,
        ):
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class RunOutcome:
    files: RunFiles
    command: tuple[str, ...]
    returncode: int | None
    timed_out: bool
    elapsed_s: float
    #: the child's last stderr lines, for a message when it produced no results
    stderr_tail: tuple[str, ...]
    results: LoadMeasurements | None
    #: why there are no usable results (None when there are)
    error: str | None = None


def locust_command(plan: LoadPlan, *, locustfile: Path, files: RunFiles, python: str) -> list[str]:
    command = [
        python,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "--host",
        plan.base_url,
        "--gonogo-plan",
        str(files.plan),
        "--gonogo-results",
        str(files.results),
        "--html",
        str(files.html),
        "--only-summary",
        # also keeps locust from printing its summary tables: the check prints gonogo's
        "--json-file",
        str(files.locust_json.with_suffix("")),  # locust adds .json
        # the check judges the measurements itself: the child skips it (and SciPy's import)
        "--gonogo-caller-judges",
        "--logfile",
        str(files.log),
        "--loglevel",
        "INFO",
    ]
    if plan.processes > 1:
        # the master and its forked workers talk on loopback only, on a port of their own (locust's
        # default binds every interface on 5557, and two runs on one machine would collide there)
        port = str(free_port())
        command += ["--processes", str(plan.processes), "--master-bind-host", "127.0.0.1"]
        command += ["--master-bind-port", port, "--master-host", "127.0.0.1", "--master-port", port]
    return command


def run_locust(
    plan: LoadPlan,
    *,
    locustfile: Path,
    folder: Path,
    on_line: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
    python: str | None = None,
    timeout_s: float | None = None,
    term_grace_s: float = _TERM_GRACE_S,
    command: Sequence[str] | None = None,
) -> RunOutcome:
    """Run ``plan`` with ``locustfile`` in a child process; ``on_line`` gets each stderr line, in this thread.

    Past ``timeout_s`` (default: the plan's hard bound) the child's group gets SIGTERM, and SIGKILL
    ``term_grace_s`` later. ``command`` replaces the locust command line (tests of the time bound use it).
    """
    files = RunFiles(folder)
    files.prepare()
    files.plan.write_text(plan.to_json(), encoding="utf-8")
    argv = (
        list(command)
        if command is not None
        else locust_command(plan, locustfile=locustfile, files=files, python=python or sys.executable)
    )
    env = dict(os.environ if environ is None else environ)
    env["PYTHONUNBUFFERED"] = "1"
    bound = plan.hard_timeout_s() if timeout_s is None else timeout_s
    started = time.monotonic()
    lines: queue.Queue[str | None] = queue.Queue()
    tail: deque[str] = deque(maxlen=30)
    with files.stdout.open("w", encoding="utf-8") as stdout:
        process = subprocess.Popen(
            argv,
            stdout=stdout,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=str(folder),
            # its own process group: the time bound and Ctrl-C stop locust's worker processes too;
            # and it dies with pytest if pytest itself is killed
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only a prctl call, no locks taken
        )
        reader = threading.Thread(target=_read_lines, args=(process, lines), daemon=True)
        reader.start()
        timed_out = False
        try:
            timed_out = _pump(process, lines, tail, on_line, deadline=started + bound, grace=term_grace_s)
        finally:
            if process.poll() is None:
                stop_group(process, term_grace_s)
            reader.join(timeout=5)
            if process.stderr is not None:
                process.stderr.close()
        _drain(lines, tail, on_line)
    elapsed = time.monotonic() - started
    results, error = _read_results(files, process.returncode, timed_out, bound, tail)
    return RunOutcome(
        files=files,
        command=tuple(argv),
        returncode=process.returncode,
        timed_out=timed_out,
        elapsed_s=elapsed,
        stderr_tail=tuple(tail),
        results=results,
        error=error,
    )


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _pump(
    process: subprocess.Popen[str],
    lines: queue.Queue[str | None],
    tail: deque[str],
    on_line: Callable[[str], None] | None,
    *,
    deadline: float,
    grace: float,
) -> bool:
    """Forward lines until the child's stderr closes; True when the deadline stopped it."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            stop_group(process, grace)
            return True
        try:
            line = lines.get(timeout=min(left, 0.5))
        except queue.Empty:
            continue
        if line is None:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                stop_group(process, grace)
                return True
            return False
        tail.append(line)
        if on_line is not None:
            on_line(line)


def _drain(lines: queue.Queue[str | None], tail: deque[str], on_line: Callable[[str], None] | None) -> None:
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            return
        if line is None:
            continue
        tail.append(line)
        if on_line is not None:
            on_line(line)


def _read_results(
    files: RunFiles, returncode: int | None, timed_out: bool, bound: float, tail: deque[str]
) -> tuple[LoadMeasurements | None, str | None]:
    stopped = f"the load run exceeded its time bound of {bound:.0f} s and was stopped" if timed_out else ""
    if not files.results.is_file():
        last = "\n".join(f"    {line}" for line in list(tail)[-12:]) or "    (nothing on stderr)"
        why = stopped or f"locust exited with code {returncode} without writing results"
        return None, f"{why}. Its last lines (full log: {files.log}):\n{last}"
    try:
        results = LoadMeasurements.read(files.results)
    except MeasurementsError as exc:
        return None, str(exc)
    if timed_out and results.complete:
        results = results.marked_incomplete(stopped)
    return results, None
