"""The core hooks: options, reading the environment at configure, the header, per-check wiring, cleanup.

Without ``--env`` (or GONOGO_ENV / ini gonogo_env) gonogo only registers its options and markers and
stays out of the way. The logic lives in plain modules; each feature (gate, load, watch) adds its own
options and registers its own plugin object.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

from gonogo import environment as envfile
from gonogo.model import STAGE_ORDER, Stage
from gonogo.names import FINDING_PROPERTY, IMPERATIVE_XFAIL_PROPERTY, STAGE_PROPERTY
from gonogo.plugin import builtin, compare, fixtures, gate, load, parity, watch
from gonogo.plugin.allure import AllureExtras
from gonogo.plugin.collection import GATE_ERROR_KEY
from gonogo.plugin.context import CONTEXT_KEY, RunContext, is_worker, run_context
from gonogo.plugin.evidence import Evidence
from gonogo.plugin.gate import clear_previous
from gonogo.plugin.gating import block_if_needed
from gonogo.plugin.scrub import CollectionScrubber, scrub_report
from gonogo.plugin.xdist import WORKER_BASE_URL, WORKER_BASELINE_URL, TargetXdistHooks
from gonogo.redaction.known import redactor_for, too_short_warnings
from gonogo.run_options import RunOptionsError, resolve
from gonogo.stages import MARKER_HELP


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
    gate.add_options(parser)
    builtin.add_options(parser)
    load.add_options(parser)
    watch.add_options(parser)
    parser.addini("gonogo_env", "environment to verify when --env and GONOGO_ENV are not given", default="")
    parser.addini("gonogo_env_dir", "folder of environment files, relative to the ini file", default="")
    parser.addini("gonogo_stages", "stages to run when --stage is not given", type="args", default=[])
    parser.addini("gonogo_reports_dir", "where run output goes, relative to the ini file", default="")


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
    # fixtures (and the generate_tests hooks) of the core and of each feature
    for module in (fixtures, load, compare, parity, watch):
        config.pluginmanager.register(module, f"gonogo.{module.__name__.rsplit('.', 1)[-1]}")
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
        if settings.env_name and not is_worker(config):
            # before the file is even read: a run that stops on a usage error leaves no earlier GO behind
            clear_previous(settings.reports_root / envfile.name_of(settings.env_name))
        loaded = envfile.load(settings.env_name, settings.env_dir) if settings.env_name else None
        if loaded is not None and not is_worker(config):  # the controller checks them once, before any test
            envfile.check_referenced_files(loaded, settings.stages)
    except (RunOptionsError, envfile.EnvironmentFileError) as exc:
        raise pytest.UsageError(str(exc)) from None
    context = RunContext(settings=settings, loaded=loaded)
    if loaded is not None:
        if is_worker(config):
            context.base_url = config.workerinput.get(WORKER_BASE_URL)  # type: ignore[attr-defined]
            baseline_url = config.workerinput.get(WORKER_BASELINE_URL)  # type: ignore[attr-defined]
            if baseline_url:
                context.resolve_baseline(baseline_url)
        elif loaded.model.launch is None:
            context.base_url = loaded.model.base_url
        # every secret, every value ${VAR} put into a URL, header or body, URL credentials (docs/security.md)
        context.redactor = redactor_for(loaded)
        config.pluginmanager.register(CollectionScrubber(context), "gonogo.scrub")
    config.stash[CONTEXT_KEY] = context
    builtin.register(config, context)  # gonogo's own checks beside the project's (gonogo.suite)
    if loaded is not None and not is_worker(config):  # informational runs: the gate judges nothing
        gate.register(config, context)
    if loaded is not None and config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(TargetXdistHooks(context), "gonogo.xdist")
    if loaded is not None:  # Allure results folder, labels, extras, redaction (gonogo.reporting)
        config.pluginmanager.register(AllureExtras(context, config), "gonogo.allure")


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    context = run_context(config)
    if context is None or context.loaded is None:
        return None
    env = context.loaded.model
    lines = [f"gonogo: environment {context.loaded.name} ({envfile.shown(context.loaded.path)})"]
    if env.description:
        lines[0] += f": {env.description}"
    target = context.target
    launched = f" (launched, pid {target.pid})" if target else ""
    if context.launch_error is not None:
        # what happened is said once, with the target's output, just before the verdict
        lines.append(
            "gonogo: [launch] target not ready: checks that need it are blocked, the file-only prechecks "
            "run (what happened: just before the verdict)"
        )
    else:
        lines.append(f"gonogo: base URL {context.base_url}{launched}")
    lines.append(f"gonogo: expected version {env.expected_version}")
    if env.baseline is not None:
        lines.append(f"gonogo: baseline {env.baseline.base_url}")
    stages = ", ".join(stage.value for stage in context.settings.stages)
    lines.append(f"gonogo: stages {stages}" + ("" if context.settings.stages_explicit else " (all)"))
    if env.sensitive:
        destructive = "allowed" if context.settings.allow_destructive else "skipped"
        lines.append(f"gonogo: sensitive environment: destructive checks {destructive}")
    warnings = too_short_warnings(context.loaded, context.redactor)
    lines += [f"gonogo: warning: {warning}" for warning in warnings]
    # the base URL and the baseline may carry credentials or interpolated secrets
    return [context.redactor.text(line) for line in lines]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    context = run_context(item.config)
    if context is not None:
        context.exchanges.clear()
    # each attempt (--reruns) records its own findings: an earlier attempt's are not this one's
    item.user_properties[:] = [prop for prop in item.user_properties if prop[0] != FINDING_PROPERTY]
    problem = item.stash.get(GATE_ERROR_KEY, None)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    if context is not None and context.loaded is not None:
        stages = [value for key, value in item.user_properties if key == STAGE_PROPERTY]
        block_if_needed(item, Stage(str(stages[-1])) if stages else None)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    # attach what the check saw while it is still the running Allure test
    context = run_context(item.config)
    if context is not None and context.exchanges:
        Evidence(context.redactor).exchanges(context.exchanges)
        context.exchanges.clear()
    yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    context = run_context(item.config)
    if context is None:
        return report
    if call.excinfo is not None and call.excinfo.errisinstance(pytest.xfail.Exception):
        # pytest.xfail() inside a check gives up at run time, like a skip: not a declared known failure
        report.user_properties.append((IMPERATIVE_XFAIL_PROPERTY, True))
    if context.redactor:
        scrub_report(report, context.redactor)
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    context = run_context(config)
    if context is None:
        return
    if context.target is not None:
        context.target.stop()
        context.target = None
    for name in context.generated_secrets:
        os.environ.pop(name, None)
    context.generated_secrets.clear()
