"""The locust side of gonogo's load check: a user class that calls the environment's routes, and the hooks
that record every sample, keep the open model's schedule, end the run on time and write the results.

Import this only from a locustfile, in a locust process: ``import locust`` monkey-patches the whole
process with gevent, which is why the check runs locust as a child process and never imports this.
The suite's ``load/locustfile.py`` is::

    from gonogo.loadgen.profile import RouteUser

    class EnvironmentRoutes(RouteUser):
        '''The environment's non-destructive routes, weighted by [[routes]].weight.'''

Where the plan comes from (first found wins):

* ``--gonogo-plan FILE`` / ``GONOGO_LOAD_PLAN``: written by the check (users, caps and host resolved);
* ``--gonogo-env NAME`` / ``GONOGO_ENV``: an environment file, in ``--gonogo-env-dir`` /
  ``GONOGO_ENV_DIR`` (default: ``environments/`` beside the locustfile's folder, then in the
  working directory); locust's ``-H``, ``-u``, ``-r`` and ``-t`` override it, within the caps of a
  sensitive environment;
* a worker started without either receives its master's plan when the test starts.

Process roles: a *local* runner records and reports; a *worker* records and sends deltas to its
master (every 3 s in locust's reports, and a final one when the master ends the run); the *master*
merges them, prints progress and writes ``--gonogo-results``.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import logging
import math
import os
import random
import ssl
import sys
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
import psutil  # type: ignore[import-untyped]
from locust import FastHttpUser, events, task
from locust.runners import MasterRunner, WorkerRunner

from gonogo import environment as envfile
from gonogo.loadgen.judge import judge
from gonogo.loadgen.plan import LoadPlan, PlanError, build_plan, expand_references, host_pattern
from gonogo.loadgen.recorder import Aggregate, Recorder, interval_for
from gonogo.loadgen.results import LoadResults
from gonogo.loadgen.table import format_table

logger = logging.getLogger("gonogo.loadgen")

#: an open-model request sent later than this after its scheduled time counts as late
LATE_S = 0.010
#: how long a master waits for its workers' final samples after telling them the run is over
FINAL_REPORT_TIMEOUT_S = 10.0
PROGRESS_EVERY_S = 2.0
EXIT_PASS, EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_USAGE = 0, 1, 3, 2

_MSG_PLAN, _MSG_FINISH, _MSG_FINAL = "gonogo_plan", "gonogo_finish", "gonogo_final"


class _State:
    """The profile's state in this process (one locust run per process)."""

    def __init__(self) -> None:
        self.plan: LoadPlan | None = None
        self.role = "local"
        self.recorder: Recorder | None = None
        self.aggregate: Aggregate | None = None
        self.started_at = ""
        self.started = 0.0
        self.finished = False
        self.interrupted = False
        self.problems: list[str] = []
        self.open_users: weakref.WeakSet[RouteUser] = weakref.WeakSet()
        self.headless = True
        self.greenlets: list[gevent.Greenlet] = []


_state = _State()


def _fail(message: str) -> None:
    # Said once, on stderr, without a traceback: these are usage errors a person fixes.
    sys.stderr.write(f"gonogo load: {message}\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_USAGE)


# --- the user ---------------------------------------------------------------------------------


class RouteUser(FastHttpUser):
    """Calls the plan's routes, weighted; closed model (a loop, optionally paced) or open model (a schedule).

    Subclass it in a locustfile (it is abstract). Redirects are not followed: load goes only to the
    environment's base URL, and a redirect elsewhere is reported as an error of that route.
    """

    abstract = True
    max_redirects = 0

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        plan = _state.plan
        if plan is None:
            raise RuntimeError("gonogo load: no plan in this process (the master did not send one)")
        self._plan = plan
        self._routes = plan.routes
        self._cum_weights = list(itertools.accumulate(route.weight for route in plan.routes))
        share = plan.rate_per_s / plan.users if plan.rate_per_s else None
        #: seconds between two requests of this user (open schedule, or closed-model pacing)
        self._period = 1.0 / share if share else None
        self._next = 0.0
        self._task_started = 0.0
        self._in_flight: float | None = None

    def on_start(self) -> None:
        if self._plan.mode == "open" and self._period is not None:
            # a random phase spreads the users' schedules evenly over one period
            self._next = time.monotonic() + random.uniform(0, self._period)
            _state.open_users.add(self)

    def wait_time(self) -> float:
        if self._plan.mode == "open" or self._period is None:
            return 0.0
        # closed-model pacing: start at most once per period, never catching up (constant_pacing)
        return max(0.0, self._task_started + self._period - time.monotonic())

    @task
    def call_route(self) -> None:
        if self._plan.mode == "open":
            self._scheduled_request()
            return
        self._task_started = time.monotonic()
        self._send(self._pick(), None)

    def _pick(self) -> Any:
        if len(self._routes) == 1:
            return self._routes[0]
        # bisect on the cumulative weights: random.choices builds a list on every call
        return self._routes[bisect.bisect(self._cum_weights, random.random() * self._cum_weights[-1])]

    def _scheduled_request(self) -> None:
        intended = self._next
        assert self._period is not None
        self._next = intended + self._period
        delay = intended - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        recorder = _state.recorder
        if recorder is not None and recorder.closed is not None:
            # the window has closed: an overdue slot is not sent any more (it counts as never sent)
            self._next = intended
            gevent.sleep(0.05)
            return
        route = self._pick()
        sent = time.monotonic()
        self._in_flight = intended
        ok = self._send(route, {"gonogo_open": True})
        done = time.monotonic()
        self._in_flight = None
        if recorder is not None:
            # timed from the scheduled send: a stalled target cannot hide the requests it held up
            recorder.add(route.name, (done - intended) * 1000.0, ok, intended)
            recorder.add_service((done - sent) * 1000.0, intended)
            recorder.open_sent(late=sent - intended > LATE_S, at=intended)

    def _send(self, route: Any, context: dict[str, Any] | None) -> bool:
        with self.client.request(
            route.method,
            route.path,
            name=route.name,
            json=route.json_body,
            catch_response=True,
            allow_redirects=False,
            context=context or {},
        ) as response:
            if response.status_code == route.status:
                response.success()
                return True
            response.failure(_describe(response, route.status))
            return False

    def in_flight(self, recorder: Recorder) -> bool:
        """Whether a request scheduled inside the measured window is still waiting for its answer."""
        return self._in_flight is not None and recorder.measuring(self._in_flight)

    def missed(self, recorder: Recorder) -> tuple[int, int]:
        """(scheduled slots in the window never sent, request in flight) when the run ends."""
        unfinished = int(self.in_flight(recorder))
        if self._period is None:
            return 0, unfinished
        first, last = max(self._next, recorder.measure_from), recorder.measure_until
        if self._next < recorder.measure_from:
            first = self._next + math.ceil((recorder.measure_from - self._next) / self._period) * self._period
        dropped = int((last - first) // self._period) + 1 if first <= last else 0
        return dropped, unfinished


def _describe(response: Any, expected: int) -> str:
    if not response.status_code:
        error = getattr(response, "error", None)
        return f"no response ({type(error).__name__}: {error})" if error else "no response"
    return f"HTTP {response.status_code} (expected {expected})"


# --- options and plan -------------------------------------------------------------------------


def _add_arguments(parser: Any) -> None:
    # on the parser itself: only there does locust know include_in_web_ui
    group = parser
    group.add_argument(
        "--gonogo-env",
        default=os.environ.get("GONOGO_ENV", ""),
        help="environment name (environments/NAME.toml) or path to its .toml file [GONOGO_ENV]",
    )
    group.add_argument(
        "--gonogo-env-dir",
        default=os.environ.get("GONOGO_ENV_DIR", ""),
        include_in_web_ui=False,
        help="folder of environment files [GONOGO_ENV_DIR]",
    )
    group.add_argument(
        "--gonogo-plan",
        default=os.environ.get("GONOGO_LOAD_PLAN", ""),
        include_in_web_ui=False,
        help="a plan written by gonogo's check (takes precedence over --gonogo-env) [GONOGO_LOAD_PLAN]",
    )
    group.add_argument(
        "--gonogo-results",
        default=os.environ.get("GONOGO_LOAD_RESULTS", ""),
        include_in_web_ui=False,
        help="write gonogo's results (every sample, in histograms) to this JSON file at the end; "
        "pytest --load-results FILE judges it [GONOGO_LOAD_RESULTS]",
    )
    group.add_argument(
        "--gonogo-allow-full-load",
        action="store_true",
        default=os.environ.get("GONOGO_ALLOW_FULL_LOAD", "") in ("1", "true", "yes"),
        include_in_web_ui=False,
        help="lift the sensitive environment's caps on users and rate [GONOGO_ALLOW_FULL_LOAD=1]",
    )
    group.add_argument(
        "--gonogo-no-table",
        action="store_true",
        default=False,
        include_in_web_ui=False,
        help="do not print gonogo's end-of-run table (the pytest check prints its own)",
    )
    group.add_argument(
        "--gonogo-allow-destructive",
        action="store_true",
        default=False,
        include_in_web_ui=False,
        help="include routes marked destructive = true",
    )


def _env_dir(options: Any) -> Path:
    if options.gonogo_env_dir:
        return Path(options.gonogo_env_dir)
    locustfile = str(getattr(options, "locustfile", "") or "").split(",")[0]
    if locustfile and locustfile != "-":
        beside = Path(locustfile).resolve().parent.parent / "environments"
        if beside.is_dir():
            return beside
    return Path("environments")


def _resolve_plan(environment: Any) -> LoadPlan:
    options = environment.parsed_options
    host = (environment.host or "").rstrip("/") or None
    if options.gonogo_plan:
        plan = LoadPlan.read(Path(options.gonogo_plan))
        given = [flag for flag, value in (("-u", options.num_users), ("-r", options.spawn_rate)) if value]
        if given or options.run_time:
            logger.warning(
                "gonogo load: %s ignored: the plan file decides users, rate and duration", given or "-t"
            )
        if host and host != plan.base_url:
            raise PlanError(f"-H {host} is not the plan's base URL {plan.base_url}: load goes only there")
        return plan
    if not options.gonogo_env:
        raise PlanError(
            "which environment? Pass --gonogo-env NAME (or GONOGO_ENV=NAME), "
            "or --gonogo-plan FILE written by the check"
        )
    try:
        loaded = envfile.load(options.gonogo_env, _env_dir(options))
    except envfile.EnvironmentFileError as exc:
        raise PlanError(str(exc)) from None
    template = loaded.model.base_url
    if host is None:
        if "{port}" in template:
            raise PlanError(
                f"{loaded.path.name} launches its target (base_url {template}): "
                "pass -H with the running target's URL"
            )
        host = template
    elif not host_pattern(template).fullmatch(host):
        raise PlanError(
            f"-H {host} is not {loaded.path.name}'s base_url {template}: load goes only to the environment's "
            "base URL. Fix: -H with that URL, or an environment file for the other target"
        )
    return build_plan(
        loaded,
        base_url=host,
        allow_destructive=options.gonogo_allow_destructive,
        allow_full_load=options.gonogo_allow_full_load,
        processes=options.processes if options.processes and options.processes > 0 else None,
        users=options.num_users,
        spawn_rate=options.spawn_rate,
        duration_s=float(options.run_time) if options.run_time else None,
    )


def _install(plan: LoadPlan, environment: Any) -> None:
    """Make ``plan`` this process's plan; a process that sends requests also gets its users set up."""
    interval = interval_for(plan.duration_s)
    if _state.role != "master":
        _configure_users(plan, environment)
        _state.recorder = Recorder(warmup_s=plan.warmup_s, duration_s=plan.duration_s, interval_s=interval)
    _state.aggregate = Aggregate(interval_s=interval)
    _state.plan = plan


def _configure_users(plan: LoadPlan, environment: Any) -> None:
    """Timeouts, TLS and headers of the route users; secrets filled in from this process's environment."""
    headers = {name: expand_references(value, os.environ) for name, value in plan.headers.items()}
    if plan.bearer_secret:
        token = os.environ.get(plan.bearer_secret, "")
        if not token:
            raise PlanError(
                f"the bearer secret {plan.bearer_secret} is not set in this process's environment. "
                f"Fix: export {plan.bearer_secret}=... (its value is never printed)"
            )
        headers["Authorization"] = f"Bearer {token}"
    for user_class in environment.user_classes:
        if issubclass(user_class, RouteUser):
            user_class.default_headers = headers
            user_class.network_timeout = plan.request_timeout_s
            user_class.connection_timeout = plan.request_timeout_s
            user_class.insecure = not plan.verify_tls
            if plan.ca_bundle:
                user_class.ssl_context_factory = staticmethod(_trusting(plan.ca_bundle))


def _trusting(ca_bundle: str) -> Callable[..., ssl.SSLContext]:
    # geventhttpclient calls the factory with its own cafile= (certifi's bundle): ignore it, so the
    # environment's CA is the one trusted, as it is for the checks' httpx client
    def factory(*_: Any, **__: Any) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=ca_bundle)

    return factory


def _on_init(environment: Any, runner: Any, **_: Any) -> None:
    options = environment.parsed_options
    if options is None:  # locust used as a library, without its command line: nothing to resolve
        return
    if isinstance(runner, MasterRunner):
        _state.role = "master"
    elif isinstance(runner, WorkerRunner):
        _state.role = "worker"
    else:
        _state.role = "local"
    _state.headless = bool(options.headless)
    runner.register_message(_MSG_PLAN, _on_plan_message)
    # concurrent: the handler waits (bounded) for requests in flight, the listener must keep going
    runner.register_message(_MSG_FINISH, _on_finish_message, concurrent=True)
    runner.register_message(_MSG_FINAL, _on_final_message)
    try:
        plan = _resolve_plan(environment)
        _install(plan, environment)
    except PlanError as exc:
        if _state.role == "worker":
            # a worker on another host may have no environment file: its master sends the plan
            logger.info("gonogo load: no local plan (%s); waiting for the master's", exc)
            return
        _fail(str(exc))
        return
    if _state.role == "worker":
        return
    environment.host = plan.base_url
    options.num_users = plan.users
    options.spawn_rate = plan.spawn_rate
    if _state.headless:
        # gonogo ends the run itself, after collecting every process's last samples
        options.run_time = None
    elif not options.run_time:
        options.run_time = math.ceil(plan.duration_s)


# --- messages between master and workers -------------------------------------------------------


def _on_plan_message(environment: Any, msg: Any, **_: Any) -> None:
    try:
        _install(LoadPlan.from_dict(msg.data), environment)
    except PlanError as exc:
        logger.error("gonogo load: cannot use the master's plan: %s", exc)


def _on_finish_message(environment: Any, msg: Any, **_: Any) -> None:
    if _state.role == "worker":
        environment.runner.send_message(_MSG_FINAL, _final_delta())


def _on_final_message(environment: Any, msg: Any, **_: Any) -> None:
    if _state.aggregate is not None:
        _state.aggregate.merge(str(msg.node_id), msg.data)


def _final_delta() -> dict[str, Any]:
    """Close the window, let open-model requests in flight answer (bounded), and hand out the rest."""
    recorder = _state.recorder
    if recorder is None:
        return {"final": True}
    recorder.close()
    if _state.open_users:
        plan = _state.plan
        deadline = time.monotonic() + min(FINAL_REPORT_TIMEOUT_S / 2, plan.request_timeout_s if plan else 5.0)
        while (
            any(user.in_flight(recorder) for user in list(_state.open_users)) and time.monotonic() < deadline
        ):
            gevent.sleep(0.02)
    now = time.monotonic()
    dropped = unfinished = 0
    for user in list(_state.open_users):
        user_dropped, user_unfinished = user.missed(recorder)
        dropped += user_dropped
        unfinished += user_unfinished
    recorder.finish(now)
    recorder.open_missed(dropped=dropped, unfinished=unfinished)
    return recorder.take_delta(final=True, now=now)


def _on_report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if _state.recorder is not None and _state.recorder.started is not None:
        data["gonogo"] = _state.recorder.take_delta()


def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if _state.aggregate is not None and "gonogo" in data:
        _state.aggregate.merge(client_id, data["gonogo"])


# --- the run --------------------------------------------------------------------------------------


def _on_request(
    name: str, response_time: float, exception: BaseException | None = None, context: Any = None, **_: Any
) -> None:
    recorder = _state.recorder
    if recorder is None:
        return
    now = time.monotonic()
    if exception is not None:
        recorder.error(name, str(exception), now)
    if context and context.get("gonogo_open"):
        return  # recorded by the user, timed from its scheduled send
    recorder.add(name, response_time, exception is None, now)


def _on_test_start(environment: Any, **_: Any) -> None:
    plan = _state.plan
    if plan is None:
        return
    for greenlet in _state.greenlets:
        greenlet.kill(block=False)
    _state.greenlets = []
    _state.finished = False
    _state.problems = []
    runner = environment.runner
    if _state.role != "worker":
        refusal = _refusal(plan, environment)
        if refusal:
            sys.stderr.write(f"gonogo load: {refusal}\n")
            sys.stderr.flush()
            environment.process_exit_code = EXIT_USAGE
            gevent.spawn(runner.quit)
            return
    now = time.monotonic()
    _state.started = now
    _state.started_at = datetime.now(UTC).isoformat(timespec="seconds")
    if _state.role != "worker":
        assert _state.aggregate is not None
        _state.aggregate.begin()
        if _state.role == "master":
            runner.send_message(_MSG_PLAN, plan.to_dict())
        _state.greenlets.append(gevent.spawn(_progress_loop, runner))
        if _state.headless:
            _state.greenlets.append(gevent.spawn_later(plan.duration_s, _end_run, runner))
    if _state.role != "master" and _state.recorder is not None:
        _state.recorder.begin(now)
        _state.greenlets.append(gevent.spawn(_cpu_loop, _state.recorder))
    # locust's own statistics then cover the same window as gonogo's, for the side-by-side figures
    _state.greenlets.append(gevent.spawn_later(plan.warmup_s, runner.stats.reset_all))


def _refusal(plan: LoadPlan, environment: Any) -> str | None:
    """Why this test must not start (the web UI can change host and users after the plan was made)."""
    host = (environment.host or "").rstrip("/")
    if not host_pattern(plan.base_url).fullmatch(host):
        return f"refusing to load {host}: the environment's base URL is {plan.base_url}"
    options = environment.parsed_options
    target = getattr(environment.runner, "target_user_count", None) or 0
    if plan.sensitive and not getattr(options, "gonogo_allow_full_load", False) and target > plan.users:
        return (
            f"refusing {target} users on sensitive environment {plan.environment}: at most {plan.users}. "
            "Pass --gonogo-allow-full-load to lift the cap"
        )
    return None


def _cpu_loop(recorder: Recorder) -> None:
    process = psutil.Process()
    process.cpu_percent(None)
    while recorder.accepting:
        gevent.sleep(1.0)
        recorder.cpu(process.cpu_percent(None), time.monotonic())


def _progress_loop(runner: Any) -> None:
    every = 3.0 if _state.role == "master" else PROGRESS_EVERY_S
    last = time.monotonic()
    while not _state.finished:
        gevent.sleep(every)
        if _state.finished:
            return
        if _state.role == "local" and _state.recorder is not None and _state.aggregate is not None:
            _state.aggregate.merge("local", _state.recorder.take_delta())
        now = time.monotonic()
        if _state.aggregate is not None:
            line = _state.aggregate.progress(
                elapsed_s=now - _state.started, users=runner.user_count, window_s=now - last
            )
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        last = now


def _end_run(runner: Any) -> None:
    _finish(runner)
    runner.quit()


def _finish(runner: Any) -> None:
    """Close the measured window everywhere and collect the last samples (idempotent)."""
    if _state.finished or _state.aggregate is None:
        return
    _state.finished = True
    aggregate = _state.aggregate
    if _state.role == "local":
        aggregate.merge("local", _final_delta())
        return
    expected = {str(client.id) for client in runner.clients.all}
    runner.send_message(_MSG_FINISH, {})
    deadline = time.monotonic() + FINAL_REPORT_TIMEOUT_S
    while not expected <= aggregate.finals and time.monotonic() < deadline:
        gevent.sleep(0.05)
    missing = sorted(expected - aggregate.finals)
    if missing:
        _state.problems.append(
            f"{len(missing)} of {len(expected)} worker(s) did not send their last samples within "
            f"{FINAL_REPORT_TIMEOUT_S:g} s: {', '.join(missing)}"
        )


def _on_test_stopping(environment: Any, **_: Any) -> None:
    # the web UI's stop button, locust's -t or a signal: collect what there is before users stop
    if _state.role != "worker" and _state.plan is not None and _state.aggregate is not None:
        _finish(environment.runner)


def _on_quitting(environment: Any, **_: Any) -> None:
    plan, aggregate = _state.plan, _state.aggregate
    if _state.role == "worker" or plan is None or aggregate is None or not _state.started:
        return
    problems = list(_state.problems)
    if not _state.finished:
        # SIGTERM (a time bound hit, CI cancelled): what was measured so far, marked incomplete
        problems.append("the run was stopped before its end (interrupted); results cover part of it")
        if _state.role == "local" and _state.recorder is not None:
            aggregate.merge("local", _state.recorder.take_delta())
    data = aggregate.to_results(
        plan=plan.to_dict(),
        locust=_locust_figures(environment.runner.stats),
        complete=not problems,
        problems=problems,
        started_at=_state.started_at,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    options = environment.parsed_options
    if options is not None and options.gonogo_results:
        _write_results(Path(options.gonogo_results), data, environment)
    results = LoadResults.from_dict(data)
    judgement = judge(results, plan)
    if options is None or not options.gonogo_no_table:
        sys.stderr.write("\n".join(format_table(results, judgement)) + "\n")
        sys.stderr.flush()
    environment.process_exit_code = {"pass": EXIT_PASS, "fail": EXIT_FAIL, "inconclusive": EXIT_INCONCLUSIVE}[
        judgement.verdict
    ]


def _write_results(path: Path, data: dict[str, Any], environment: Any) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1), encoding="utf-8")
    partial.replace(path)
    # locust's statistics as of now: its --csv file is rewritten every second, not at the end
    from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

    with path.with_name(path.stem + "_locust_stats.csv").open("w", newline="", encoding="utf-8") as handle:
        StatsCSV(environment, PERCENTILES_TO_REPORT).requests_csv(csv.writer(handle))


def _locust_figures(stats: Any) -> dict[str, Any]:
    def figures(entry: Any) -> dict[str, Any]:
        empty = entry.num_requests == 0
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": None if empty else entry.get_response_time_percentile(0.50),
            "p95_ms": None if empty else entry.get_response_time_percentile(0.95),
            "p99_ms": None if empty else entry.get_response_time_percentile(0.99),
        }

    return {
        **figures(stats.total),
        "routes": {name: figures(entry) for (name, _), entry in stats.entries.items()},
    }


# --- registration (explicit: locust's decorators are untyped) -------------------------------------


def _listen(event: Any, handler: Any) -> None:
    event.add_listener(handler)


_listen(events.init_command_line_parser, _add_arguments)
_listen(events.init, _on_init)
_listen(events.report_to_master, _on_report_to_master)
_listen(events.worker_report, _on_worker_report)
_listen(events.request, _on_request)
_listen(events.test_start, _on_test_start)
_listen(events.test_stopping, _on_test_stopping)
_listen(events.quitting, _on_quitting)
