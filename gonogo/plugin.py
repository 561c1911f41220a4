"""gonogo's pytest plugin: options, markers, header and wiring. The logic lives in plain modules.

Registered through the ``pytest11`` entry point. Without ``--env`` (or GONOGO_ENV / ini gonogo_env) it
only registers its options and markers and stays out of the way.
"""

from __future__ import annotations

import dataclasses
import os
import secrets as pysecrets
import signal
from collections.abc import Generator
from types import FrameType
from typing import Any

import pytest

from gonogo import environment as envfile
from gonogo import fixtures, launch
from gonogo.collect import IMPERATIVE_XFAIL
from gonogo.context import CONTEXT_KEY, RunContext
from gonogo.evidence import Evidence
from gonogo.gate import EXIT_CODES, GateOptions, GatePlugin, GateXdistHooks, clear_previous
from gonogo.redact import Redactor
from gonogo.reporting.allure_extras import AllureExtras
from gonogo.results import STAGE_ORDER
from gonogo.settings import SettingsError, resolve
from gonogo.stages import MARKER_HELP, stage_of
from gonogo.verdict import Decision, Policy

WORKER_BASE_URL = "gonogo_base_url"
WORKER_BASELINE_URL = "gonogo_baseline_url"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gonogo", "gonogo deployment verification")
    group.addoption(
        "--env",
        dest="gonogo_env",
        metavar="NAME",
        help="environment to verify: environments/NAME.toml (or a path to a .toml file). "
        "Default: $GONOGO_ENV, then ini gonogo_env.",
    )
    group.addoption(
        "--env-dir",
        dest="gonogo_env_dir",
        metavar="PATH",
        help="folder of environment files. "
        "Default: $GONOGO_ENV_DIR, ini gonogo_env_dir, <rootdir>/environments.",
    )
    group.addoption(
        "--stage",
        dest="gonogo_stages",
        action="append",
        metavar="NAME",
        help="run only this stage: precheck, smoke or postdeploy (repeatable). Default: every stage.",
    )
    group.addoption(
        "--allow-destructive",
        dest="gonogo_allow_destructive",
        action="store_true",
        default=False,
        help="run checks marked destructive even on a sensitive environment.",
    )
    group.addoption(
        "--reports-dir",
        dest="gonogo_reports_dir",
        metavar="PATH",
        help="where run output goes (gate.json, deployment report, Allure results), in a folder per "
        "environment. Default: $GONOGO_REPORTS_DIR, ini gonogo_reports_dir, <rootdir>/reports.",
    )
    gate = parser.getgroup("gonogo gate", "gonogo promotion gate")
    gate.addoption(
        "--gate-mode",
        dest="gonogo_gate_mode",
        choices=("enforce", "report"),
        help="enforce: the exit code is the verdict's (GO 0, HOLD 10, NO-GO 11, ROLLBACK 12); "
        "report: record the verdict, keep pytest's exit code. Default: $GONOGO_GATE_MODE, ini, enforce.",
    )
    gate.addoption(
        "--gate-pass-score",
        dest="gonogo_pass_score",
        type=float,
        metavar="N",
        help="score needed for GO (overrides [gate].pass_score).",
    )
    gate.addoption(
        "--gate-warn-score",
        dest="gonogo_warn_score",
        type=float,
        metavar="N",
        help="below this score: NO-GO (overrides [gate].warn_score).",
    )
    gate.addoption(
        "--notify",
        dest="gonogo_notify",
        metavar="URL",
        help="POST gate.json to this URL after the verdict (overrides [gate].notify_url).",
    )
    gate.addoption(
        "--notify-timeout",
        dest="gonogo_notify_timeout",
        type=float,
        default=5.0,
        metavar="S",
        help="timeout of one webhook attempt (3 attempts at most). Default: 5.",
    )
    # --- load check options (gonogo/load/check.py reads them; docs/load.md) ---------------------
    load = parser.getgroup("gonogo load", "gonogo postdeploy load check")
    load.addoption(
        "--load-processes",
        dest="gonogo_load_processes",
        type=int,
        metavar="N",
        help="locust processes on this machine (locust --processes); overrides [load].processes.",
    )
    load.addoption(
        "--load-results",
        dest="gonogo_load_results",
        metavar="FILE",
        help="judge this results file (written by a locust master running load/locustfile.py with "
        "--gonogo-results FILE) instead of running locust.",
    )
    load.addoption(
        "--allow-full-load",
        dest="gonogo_allow_full_load",
        action="store_true",
        default=False,
        help="lift a sensitive environment's caps on load users and rate ([load].sensitive_max_*).",
    )
    # --- end of load check options -----------------------------------------------------------
    # --- blue-green options (gonogo/bluegreen/checks.py reads them; docs/bluegreen.md) ----------
    from gonogo.bluegreen.durations import duration_option

    bluegreen = parser.getgroup("gonogo blue-green", "gonogo baseline comparison and post-promotion watch")
    bluegreen.addoption(
        "--watch",
        dest="gonogo_watch",
        type=duration_option,
        # a string default goes through `type` as well: a bad GONOGO_WATCH is a usage error too
        default=os.environ.get("GONOGO_WATCH") or None,
        metavar="DURATION",
        help="watch the candidate after promotion for this long (90s, 5m, 1h30m; 0: off); overrides "
        "[watch].duration_s. Default: $GONOGO_WATCH, then [watch] in the environment file, else no watch.",
    )
    # --- end of blue-green options -----------------------------------------------------------
    parser.addini("gonogo_gate_mode", "enforce (default) or report", default="")
    parser.addini("gonogo_env", "environment to verify when --env and GONOGO_ENV are not given", default="")
    parser.addini("gonogo_env_dir", "folder of environment files, relative to the ini file", default="")
    parser.addini("gonogo_stages", "stages to run when --stage is not given", type="args", default=[])
    parser.addini("gonogo_reports_dir", "where run output goes, relative to the ini file", default="")


def _context(config: pytest.Config) -> RunContext | None:
    return config.stash.get(CONTEXT_KEY, None)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for stage in STAGE_ORDER:
        config.addinivalue_line("markers", f"{stage.value}: {MARKER_HELP[stage]}")
    config.addinivalue_line(
        "markers", "destructive: changes state on the target; skipped on sensitive environments"
    )
    config.addinivalue_line(
        "markers",
        "gate(critical=True, weight=1.0, dry_run=False): how the check counts in the verdict; "
        "a dry run is reported, never counted",
    )
    config.pluginmanager.register(fixtures, "gonogo.fixtures")
    if config.option.help:
        return
    try:
        settings = resolve(
            cli_env=config.option.gonogo_env,
            cli_env_dir=config.option.gonogo_env_dir,
            cli_stages=config.option.gonogo_stages,
            allow_destructive=config.option.gonogo_allow_destructive,
            ini_env=str(config.getini("gonogo_env")),
            ini_env_dir=str(config.getini("gonogo_env_dir")),
            ini_stages=list(config.getini("gonogo_stages")),
            cli_reports_dir=config.option.gonogo_reports_dir,
            ini_reports_dir=str(config.getini("gonogo_reports_dir")),
            environ=os.environ,
            invocation_dir=config.invocation_params.dir,
            ini_dir=config.inipath.parent if config.inipath else config.rootpath,
            rootdir=config.rootpath,
        )
        if settings.env_name and not _is_worker(config):
            # before the file is even read: a run that stops on a usage error leaves no earlier GO behind
            clear_previous(settings.reports_root / envfile.name_of(settings.env_name))
        loaded = envfile.load(settings.env_name, settings.env_dir) if settings.env_name else None
    except (SettingsError, envfile.EnvironmentFileError) as exc:
        raise pytest.UsageError(str(exc)) from None
    context = RunContext(settings=settings, loaded=loaded)
    if loaded is not None:
        if _is_worker(config):
            context.base_url = config.workerinput.get(WORKER_BASE_URL)  # type: ignore[attr-defined]
            baseline_url = config.workerinput.get(WORKER_BASELINE_URL)  # type: ignore[attr-defined]
            if baseline_url:
                context.resolve_baseline(baseline_url)
        elif loaded.model.launch is None:
            context.base_url = loaded.model.base_url
        context.redactor = Redactor(value.get_secret_value() for value in loaded.secret_values().values())
    config.stash[CONTEXT_KEY] = context
    if loaded is not None and not _is_worker(config) and not config.option.collectonly:
        _register_gate(config, context)
    if loaded is not None and config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(context), "gonogo.xdist")
    if loaded is not None:  # Allure results folder, labels, extras, redaction (gonogo.reporting)
        config.pluginmanager.register(AllureExtras(context, config), "gonogo.allure")


def _register_gate(config: pytest.Config, context: RunContext) -> None:
    assert context.loaded is not None
    gate_config = context.loaded.model.gate
    mode = (
        config.option.gonogo_gate_mode
        or os.environ.get("GONOGO_GATE_MODE")
        or config.getini("gonogo_gate_mode")
    )
    if mode not in ("", "enforce", "report"):
        raise pytest.UsageError(
            f"gate mode must be enforce or report, given: {mode!r} (GONOGO_GATE_MODE or ini)"
        )
    try:
        policy = Policy(
            pass_score=_first_set(config.option.gonogo_pass_score, gate_config.pass_score),
            warn_score=_first_set(config.option.gonogo_warn_score, gate_config.warn_score),
        )
    except ValueError as exc:
        raise pytest.UsageError(f"--gate-pass-score / --gate-warn-score: {exc}") from None
    options = GateOptions(
        mode=mode or "enforce",
        policy=policy,
        notify_url=config.option.gonogo_notify or gate_config.notify_url,
        notify_timeout_s=config.option.gonogo_notify_timeout,
    )
    plugin = GatePlugin(config, context, options)
    config.pluginmanager.register(plugin, "gonogo.gate")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(GateXdistHooks(plugin), "gonogo.gate.xdist")


def _first_set(override: float | None, default: float) -> float:
    return default if override is None else override


class _XdistHooks:
    """Hands the launched target's URL to every worker, so the target starts once per run."""

    def __init__(self, context: RunContext) -> None:
        self._context = context

    def pytest_configure_node(self, node: Any) -> None:
        if self._context.base_url:
            node.workerinput[WORKER_BASE_URL] = self._context.base_url
        env = self._context.env
        if env is not None and env.baseline is not None and self._context.target is not None:
            node.workerinput[WORKER_BASELINE_URL] = env.baseline.base_url


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    context = _context(session.config)
    if context is None or context.loaded is None or _is_worker(session.config):
        return
    config = context.loaded.model.launch
    if config is None or session.config.option.collectonly:
        return
    for name in config.generate_secrets:
        if not os.environ.get(name):
            os.environ[name] = pysecrets.token_urlsafe(24)
            context.generated_secrets.append(name)
            context.redactor.add(os.environ[name])
    _stop_on_sigterm()
    env_dir = context.loaded.path.parent
    try:
        context.target = launch.start(
            config, base_url_template=context.loaded.model.base_url, env_dir=env_dir, environ=os.environ
        )
        # readiness only asks "is it up?": the certificate is the TLS check's business, and a CA
        # the target writes as it starts may not exist yet
        launch.wait_ready(
            context.target, ready_path=config.ready_path, timeout_s=config.timeout_s, verify=False
        )
    except launch.LaunchError as exc:
        message = context.redactor.text(f"gonogo: [launch] in {envfile.shown(context.loaded.path)}: {exc}")
        context.launch_error = message
        gate = session.config.pluginmanager.get_plugin("gonogo.gate")
        enforce = gate is None or gate.options.mode == "enforce"
        # report mode keeps pytest's own code for a run that never got going (interrupted, 2)
        pytest.exit(
            message, returncode=EXIT_CODES[Decision.NO_GO] if enforce else pytest.ExitCode.INTERRUPTED
        )
    context.base_url = context.target.base_url
    baseline = context.loaded.model.baseline
    if baseline is not None and context.target.baseline_port is not None:
        context.resolve_baseline(context.target.baseline_url(baseline.base_url))


def _stop_on_sigterm() -> None:
    # CI runners cancel jobs with SIGTERM; as KeyboardInterrupt it takes pytest's orderly way out,
    # so the launched target is stopped and the run is reported as interrupted.
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, interrupt)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    context = _context(config)
    if context is None or context.loaded is None:
        return None
    env = context.loaded.model
    lines = [f"gonogo: environment {context.loaded.name} ({envfile.shown(context.loaded.path)})"]
    if env.description:
        lines[0] += f": {env.description}"
    target = context.target
    launched = f" (launched, pid {target.pid})" if target else ""
    lines.append(f"gonogo: base URL {context.base_url}{launched}")
    lines.append(f"gonogo: expected version {env.expected_version}")
    if env.baseline is not None:
        lines.append(f"gonogo: baseline {env.baseline.base_url}")
    stages = ", ".join(stage.value for stage in context.settings.stages)
    lines.append(f"gonogo: stages {stages}" + ("" if context.settings.stages_explicit else " (all)"))
    if env.sensitive:
        destructive = "allowed" if context.settings.allow_destructive else "skipped"
        lines.append(f"gonogo: sensitive environment: destructive checks {destructive}")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    context = _context(config)
    if context is None:
        return
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        stage = stage_of((m.name for m in item.iter_markers()), item.path, config.rootpath)
        if stage is not None:
            if item.get_closest_marker(stage.value) is None:
                item.add_marker(stage.value)
            item.user_properties.append(("gonogo.stage", stage.value))
        if context.settings.stages_explicit and stage not in context.settings.stages:
            deselected.append(item)
            continue
        selected.append(item)
        _record_gate_marker(item)
        _skip_destructive(context, item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


_GATE_KEYS: dict[str, type | tuple[type, ...]] = {"critical": bool, "weight": (int, float), "dry_run": bool}
GATE_ERROR_KEY = pytest.StashKey[str]()


def _record_gate_marker(item: pytest.Item) -> None:
    marker = item.get_closest_marker("gate")
    if marker is None:
        return
    problems = [f"unexpected positional arguments {marker.args!r}"] if marker.args else []
    for key, value in marker.kwargs.items():
        expected = _GATE_KEYS.get(key)
        if expected is None:
            problems.append(f"unknown argument {key!r} (allowed: {', '.join(_GATE_KEYS)})")
        elif not isinstance(value, expected) or (
            key == "weight" and not (isinstance(value, int | float) and value > 0)
        ):
            problems.append(f"{key}={value!r} is not valid (critical/dry_run: bool, weight: number > 0)")
    if problems:
        # fails the check at setup (an ERROR: the gate says NO-GO) rather than guessing what was meant
        item.stash[GATE_ERROR_KEY] = f"@pytest.mark.gate on {item.nodeid}: " + "; ".join(problems)
        return
    item.user_properties.append(("gonogo.gate", dict(marker.kwargs)))


def _skip_destructive(context: RunContext, item: pytest.Item) -> None:
    if context.loaded is None or not context.loaded.model.sensitive or context.settings.allow_destructive:
        return
    if item.get_closest_marker("destructive") is None:
        return
    reason = (
        f"destructive check skipped on sensitive environment {context.loaded.name!r} "
        f"(pass --allow-destructive to run it)"
    )
    item.user_properties.append(("gonogo.policy_skip", reason))
    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    context = _context(item.config)
    if context is not None:
        context.exchanges.clear()
    problem = item.stash.get(GATE_ERROR_KEY, None)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    # attach what the check saw while it is still the running Allure test
    context = _context(item.config)
    if context is not None and context.exchanges:
        Evidence(context.redactor).exchanges(context.exchanges)
        context.exchanges.clear()
    yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    context = _context(item.config)
    if context is None:
        return report
    if call.excinfo is not None and call.excinfo.errisinstance(pytest.xfail.Exception):
        # pytest.xfail() inside a check gives up at run time, like a skip: not a declared known failure
        report.user_properties.append((IMPERATIVE_XFAIL, True))
    if context.redactor:
        scrub_report(report, context.redactor)
    return report


def scrub_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Secrets out of what pytest prints and ships to the controller: traceback and captures."""
    if isinstance(report.longrepr, str):
        report.longrepr = redactor.text(report.longrepr)
    elif report.longrepr is not None and not isinstance(report.longrepr, tuple):
        _scrub_fields(report.longrepr, redactor, depth=0)
    report.sections = [(title, redactor.text(body)) for title, body in report.sections]


def _scrub_fields(node: object, redactor: Redactor, depth: int) -> object:
    # pytest's traceback representations are dataclasses of strings, lists and tuples: scrub them in
    # place so the report keeps its structure (crash message, colours, xdist serialisation)
    if depth > 12:
        return node
    if isinstance(node, str):
        return redactor.text(node)
    if isinstance(node, list):
        node[:] = [_scrub_fields(item, redactor, depth + 1) for item in node]
        return node
    if isinstance(node, tuple):
        return tuple(_scrub_fields(item, redactor, depth + 1) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            cleaned = _scrub_fields(value, redactor, depth + 1)
            if cleaned is not value:
                object.__setattr__(node, field.name, cleaned)
    return node


def pytest_unconfigure(config: pytest.Config) -> None:
    context = _context(config)
    if context is None:
        return
    if context.target is not None:
        context.target.stop()
        context.target = None
    for name in context.generated_secrets:
        os.environ.pop(name, None)
    context.generated_secrets.clear()
