"""One class per locust process role, as locust's own ``LocalRunner`` / ``MasterRunner`` / ``WorkerRunner``.

    Role                 what every role answers (no-ops by default)
    ├── LocalRole        sends the load, records it and reports (one process)
    ├── MasterRole       sends nothing: hands its plan to the workers, merges their samples, reports
    └── WorkerRole       sends the load and records it; hands its samples to the master

A *worker* sends deltas to its master with locust's reports (every 3 s) and a final one when the master
ends the run; the *master* merges them, prints progress and writes ``--gonogo-results``; a *local*
runner does both in one process. ``role_for(runner)`` picks the class from locust's runner.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import gevent
import psutil  # type: ignore[import-untyped]
from locust.runners import MasterRunner, WorkerRunner

from gonogo.loadgen.aggregate import Aggregate
from gonogo.loadgen.plan import LoadPlan, PlanError
from gonogo.loadgen.profile.figures import locust_figures, write_measurements
from gonogo.loadgen.profile.options import refusal_of, resolve_plan
from gonogo.loadgen.profile.state import (
    EXIT_FAIL,
    EXIT_INCONCLUSIVE,
    EXIT_PASS,
    EXIT_USAGE,
    STATE,
    RunState,
)
from gonogo.loadgen.profile.users import configure_users
from gonogo.loadgen.recorder import Recorder, interval_for
from gonogo.model import FindingVerdict

logger = logging.getLogger("gonogo.loadgen")

#: how long a master waits for its workers' final samples after telling them the run is over
FINAL_REPORT_TIMEOUT_S = 10.0
PROGRESS_EVERY_S = 2.0
_MSG_PLAN, _MSG_FINISH, _MSG_FINAL = "gonogo_plan", "gonogo_finish", "gonogo_final"
_EXIT_CODES = {
    FindingVerdict.PASS: EXIT_PASS,
    FindingVerdict.FAIL: EXIT_FAIL,
    FindingVerdict.INCONCLUSIVE: EXIT_INCONCLUSIVE,
}


def fail_usage(message: str) -> None:
    # said once, on stderr, without a traceback: these are usage errors a person fixes
    sys.stderr.write(f"gonogo load: {message}\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_USAGE)


def role_for(runner: Any) -> Role:
    if isinstance(runner, MasterRunner):
        return MasterRole(STATE)
    if isinstance(runner, WorkerRunner):
        return WorkerRole(STATE)
    return LocalRole(STATE)


class Role:
    """What this process does at each step of a locust run; the base does nothing."""

    name: ClassVar[str] = ""
    #: whether this process runs users (and so records samples)
    sends_load: ClassVar[bool] = False
    #: whether this process merges the samples, prints progress and writes the results
    reports: ClassVar[bool] = False

    def __init__(self, state: RunState) -> None:
        self.state = state

    # --- init -------------------------------------------------------------------------------------

    def init(self, environment: Any, runner: Any) -> None:
        """Resolve and install the plan (``events.init``); a usage error ends the process."""
        options = environment.parsed_options
        self.state.headless = bool(options.headless)
        self.register_messages(runner)
        try:
            plan = resolve_plan(environment)
            self.install(plan, environment)
        except PlanError as exc:
            self.no_plan(exc)
            return
        self.adopt(plan, environment)

    def register_messages(self, runner: Any) -> None:
        """Listen to the messages this role receives from the other side."""

    def no_plan(self, error: PlanError) -> None:
        fail_usage(str(error))

    def install(self, plan: LoadPlan, environment: Any) -> None:
        """Make ``plan`` this process's plan."""
        interval = interval_for(plan.duration_s)
        if self.sends_load:
            self.state.routes = configure_users(plan, environment.user_classes)
            self.state.recorder = Recorder(
                warmup_s=plan.warmup_s, duration_s=plan.duration_s, interval_s=interval
            )
        if self.reports:
            self.state.aggregate = Aggregate(interval_s=interval)
        self.state.plan = plan

    def adopt(self, plan: LoadPlan, environment: Any) -> None:
        """Hand the plan's host, users and rate to locust (the reporting process decides them)."""
        options = environment.parsed_options
        environment.host = plan.base_url
        options.num_users = plan.users
        options.spawn_rate = plan.spawn_rate
        if self.state.headless:
            # gonogo ends the run itself, after collecting every process's last samples
            options.run_time = None
        elif not options.run_time:
            options.run_time = math.ceil(plan.duration_s)

    # --- the run ----------------------------------------------------------------------------------

    def test_start(self, environment: Any) -> None:
        state, plan = self.state, self.state.plan
        if plan is None:
            return
        for greenlet in state.greenlets:
            greenlet.kill(block=False)
        state.greenlets = []
        state.finished = False
        state.problems = []
        if not self.start_allowed(plan, environment):
            return
        now = time.monotonic()
        state.started = now
        state.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.begin(plan, environment, now)
        # locust's own statistics then cover the same window as gonogo's, for the side-by-side figures
        state.greenlets.append(gevent.spawn_later(plan.warmup_s, environment.runner.stats.reset_all))

    def start_allowed(self, plan: LoadPlan, environment: Any) -> bool:
        return True

    def begin(self, plan: LoadPlan, environment: Any, now: float) -> None:
        """Start this role's part of the measured run."""

    def test_stopping(self, environment: Any) -> None:
        """The web UI's stop button, locust's ``-t`` or a signal: before the users stop."""

    def quitting(self, environment: Any) -> None:
        """The process is about to exit."""

    def report_to_master(self, data: dict[str, Any]) -> None:
        """Locust's report from a worker to its master is being assembled."""

    def worker_report(self, client_id: str, data: dict[str, Any]) -> None:
        """A worker's report reached this master."""


class _Sending(Role):
    """A process that runs users: it records every sample and watches its own CPU."""

    sends_load = True

    def begin(self, plan: LoadPlan, environment: Any, now: float) -> None:
        super().begin(plan, environment, now)
        recorder = self.state.recorder
        if recorder is not None:
            recorder.begin(now)
            self.state.greenlets.append(gevent.spawn(_cpu_loop, recorder))

    def final_delta(self, *, encoded: bool = True) -> dict[str, Any]:
        """Close the window, let open-model requests in flight answer (bounded), and hand out the rest."""
        state, recorder = self.state, self.state.recorder
        if recorder is None:
            return {"final": True}
        recorder.close()
        if state.open_users:
            bound = state.plan.request_timeout_s if state.plan else 5.0
            deadline = time.monotonic() + min(FINAL_REPORT_TIMEOUT_S / 2, bound)
            while (
                any(user.in_flight(recorder) for user in list(state.open_users))
                and time.monotonic() < deadline
            ):
                gevent.sleep(0.02)
        now = time.monotonic()
        dropped = unfinished = 0
        for user in list(state.open_users):
            user_dropped, user_unfinished = user.missed(recorder)
            dropped += user_dropped
            unfinished += user_unfinished
        recorder.finish(now)
        recorder.open_missed(dropped=dropped, unfinished=unfinished)
        return recorder.take_delta(final=True, now=now, encoded=encoded)


class _Reporting(Role):
    """A process that merges the samples, prints progress, ends the run on time and writes the results."""

    reports = True
    progress_every_s: ClassVar[float] = PROGRESS_EVERY_S

    def start_allowed(self, plan: LoadPlan, environment: Any) -> bool:
        refusal = refusal_of(plan, environment)
        if refusal is None:
            return True
        sys.stderr.write(f"gonogo load: {refusal}\n")
        sys.stderr.flush()
        environment.process_exit_code = EXIT_USAGE
        gevent.spawn(environment.runner.quit)
        return False

    def begin(self, plan: LoadPlan, environment: Any, now: float) -> None:
        super().begin(plan, environment, now)
        runner, state = environment.runner, self.state
        assert state.aggregate is not None
        state.aggregate.begin()
        state.greenlets.append(gevent.spawn(self._progress_loop, runner))
        if state.headless:
            state.greenlets.append(gevent.spawn_later(plan.duration_s, self._end_run, runner))

    def merge_own(self) -> None:
        """Merge this process's own samples so far (only a process that also sends has any)."""

    def collect_last(self, runner: Any) -> None:
        """Gather every process's last samples into the aggregate."""

    def _progress_loop(self, runner: Any) -> None:
        state = self.state
        last = time.monotonic()
        while not state.finished:
            gevent.sleep(self.progress_every_s)
            if state.finished:
                return
            self.merge_own()
            now = time.monotonic()
            if state.aggregate is not None:
                line = state.aggregate.progress(
                    elapsed_s=now - state.started, users=runner.user_count, window_s=now - last
                )
                sys.stderr.write(line + "\n")
                sys.stderr.flush()
            last = now

    def _end_run(self, runner: Any) -> None:
        self.finish(runner)
        runner.quit()

    def finish(self, runner: Any) -> None:
        """Close the measured window everywhere and collect the last samples (idempotent)."""
        if self.state.finished or self.state.aggregate is None:
            return
        self.state.finished = True
        self.collect_last(runner)

    def test_stopping(self, environment: Any) -> None:
        # collect what there is before the users stop
        if self.state.plan is not None and self.state.aggregate is not None:
            self.finish(environment.runner)

    def quitting(self, environment: Any) -> None:
        state = self.state
        plan, aggregate = state.plan, state.aggregate
        if plan is None or aggregate is None or not state.started:
            return
        problems = list(state.problems)
        if not state.finished:
            # SIGTERM (a time bound hit, CI cancelled): what was measured so far, marked incomplete
            problems.append("the run was stopped before its end (interrupted); results cover part of it")
            self.merge_own()
        measurements = aggregate.to_measurements(
            plan=plan,
            locust=locust_figures(environment.runner.stats),
            complete=not problems,
            problems=problems,
            started_at=state.started_at,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        options = environment.parsed_options
        if options is not None and options.gonogo_results:
            write_measurements(Path(options.gonogo_results), measurements, environment)
        if options is not None and options.gonogo_caller_judges:
            environment.process_exit_code = EXIT_PASS  # the measurements are written: judged elsewhere
            return
        # imported here: judging needs SciPy (~1 s to import), which a run judged by its caller skips
        from gonogo.loadgen.judge import judge
        from gonogo.loadgen.table import format_table

        judgement = judge(measurements, plan)
        if options is None or not options.gonogo_no_table:
            sys.stderr.write("\n".join(format_table(measurements, judgement)) + "\n")
            sys.stderr.flush()
        environment.process_exit_code = _EXIT_CODES[judgement.verdict]


class LocalRole(_Sending, _Reporting):
    """One process: runs the users, records and reports."""

    name = "local"

    def merge_own(self) -> None:
        if self.state.recorder is not None and self.state.aggregate is not None:
            # the same process: the series are handed over as they are, not encoded and decoded
            self.state.aggregate.merge("local", self.state.recorder.take_delta(encoded=False))

    def collect_last(self, runner: Any) -> None:
        assert self.state.aggregate is not None
        self.state.aggregate.merge("local", self.final_delta(encoded=False))


class MasterRole(_Reporting):
    """Runs no users: sends its plan to the workers when the test starts and merges what they record."""

    name = "master"
    # locust's workers report every 3 s: a line more often would mostly repeat itself
    progress_every_s = 3.0

    def register_messages(self, runner: Any) -> None:
        runner.register_message(_MSG_FINAL, self._on_final_message)

    def begin(self, plan: LoadPlan, environment: Any, now: float) -> None:
        super().begin(plan, environment, now)
        environment.runner.send_message(_MSG_PLAN, plan.to_dict())

    def worker_report(self, client_id: str, data: dict[str, Any]) -> None:
        if self.state.aggregate is not None and "gonogo" in data:
            self.state.aggregate.merge(client_id, data["gonogo"])

    def _on_final_message(self, environment: Any, msg: Any, **_: Any) -> None:
        if self.state.aggregate is not None:
            self.state.aggregate.merge(str(msg.node_id), msg.data)

    def collect_last(self, runner: Any) -> None:
        aggregate = self.state.aggregate
        assert aggregate is not None
        expected = {str(client.id) for client in runner.clients.all}
        runner.send_message(_MSG_FINISH, {})
        deadline = time.monotonic() + FINAL_REPORT_TIMEOUT_S
        while not expected <= aggregate.finals and time.monotonic() < deadline:
            gevent.sleep(0.05)
        missing = sorted(expected - aggregate.finals)
        if missing:
            self.state.problems.append(
                f"{len(missing)} of {len(expected)} worker(s) did not send their last samples within "
                f"{FINAL_REPORT_TIMEOUT_S:g} s: {', '.join(missing)}"
            )


class WorkerRole(_Sending):
    """Runs users for a master: records, and hands its samples over with locust's reports."""

    name = "worker"

    def register_messages(self, runner: Any) -> None:
        runner.register_message(_MSG_PLAN, self._on_plan_message)
        # concurrent: the handler waits (bounded) for requests in flight, the listener must keep going
        runner.register_message(_MSG_FINISH, self._on_finish_message, concurrent=True)

    def no_plan(self, error: PlanError) -> None:
        # a worker on another host may have no environment file: its master sends the plan
        logger.info("gonogo load: no local plan (%s); waiting for the master's", error)

    def adopt(self, plan: LoadPlan, environment: Any) -> None:
        """Host, users and rate are the master's to decide."""

    def report_to_master(self, data: dict[str, Any]) -> None:
        recorder = self.state.recorder
        if recorder is not None and recorder.started is not None:
            data["gonogo"] = recorder.take_delta()

    def _on_plan_message(self, environment: Any, msg: Any, **_: Any) -> None:
        try:
            self.install(LoadPlan.from_dict(msg.data), environment)
        except PlanError as exc:
            logger.error("gonogo load: cannot use the master's plan: %s", exc)

    def _on_finish_message(self, environment: Any, msg: Any, **_: Any) -> None:
        environment.runner.send_message(_MSG_FINAL, self.final_delta())


# --- helpers ----------------------------------------------------------------------------------------


def _cpu_loop(recorder: Recorder) -> None:
    process = psutil.Process()
    process.cpu_percent(None)
    while recorder.accepting:
        gevent.sleep(1.0)
        recorder.cpu(process.cpu_percent(None), time.monotonic())
