"""The promotion gate's hooks: collect every report in the controller, judge, write, exit.

Registered only in the controller (never in an xdist worker) and only when an environment is loaded.
The gate fails closed: the previous gate.json is removed as the run starts, every way a run can go
wrong is recorded (interrupt, internal error, collection error, crashed worker, ``-x``, a target that
never started, checks that never reported), and anything unexpected while judging becomes NO-GO.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gonogo import __version__
from gonogo.environment import shown
from gonogo.model import CheckResult
from gonogo.outcomes import ResultCollector
from gonogo.plugin.context import RunContext
from gonogo.plugin.sweep import ReportsSweep
from gonogo.reporting import charts, deployment_report, gate_json, notify
from gonogo.reporting.files import write_atomic
from gonogo.reporting.layout import DEPLOYMENT_REPORT as REPORT_FILE
from gonogo.reporting.layout import GATE_FILE
from gonogo.verdict import Decision, Policy, Reason, RunState, Verdict, decide


def add_options(parser: pytest.Parser) -> None:
    """The gate's own options (the exit code, scores, the webhook)."""
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
    parser.addini("gonogo_gate_mode", "enforce (default) or report", default="")


#: distinct per verdict; pytest keeps 1-5 for itself (4: usage error, before any check runs)
EXIT_CODES: dict[Decision, int] = {
    Decision.GO: 0,
    Decision.HOLD: 10,
    Decision.NO_GO: 11,
    Decision.ROLLBACK: 12,
}
TOP_REASONS = 5
_COLOURS = {
    Decision.GO: {"green": True, "bold": True},
    Decision.HOLD: {"yellow": True, "bold": True},
    Decision.NO_GO: {"red": True, "bold": True},
    Decision.ROLLBACK: {"red": True, "bold": True},
}


@dataclass(frozen=True)
class GateOptions:
    mode: str  # "enforce" | "report"
    policy: Policy
    notify_url: str | None
    notify_timeout_s: float


@dataclass(frozen=True)
class GateOutcome:
    verdict: Verdict
    exit_code: int
    gate_path: Path
    report_path: Path
    notify: notify.NotifyResult | None


def clear_previous(reports_dir: Path) -> None:
    """Remove the last run's verdict: a run that dies hard must not leave an earlier GO behind."""
    for name in (GATE_FILE, REPORT_FILE):
        with contextlib.suppress(FileNotFoundError):
            (reports_dir / name).unlink()


def git_commit(cwd: Path) -> str | None:
    for name in ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=2, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() or None if completed.returncode == 0 else None


class GatePlugin:
    def __init__(self, config: pytest.Config, context: RunContext, options: GateOptions) -> None:
        assert context.loaded is not None
        assert context.reports_dir is not None
        self.config = config
        self.context = context
        self.options = options
        self.reports_dir = context.reports_dir
        self.collector = ResultCollector()
        self.expected: set[str] = set()
        self.started_at = datetime.now(UTC)
        self.interrupted = False
        self.internal_error: str | None = None
        self.collection_errors = 0
        self.crashed_workers: list[str] = []
        self.outcome: GateOutcome | None = None
        #: every file under reports/<env>/ searched for secrets, before writing and at the very end
        self.sweep = ReportsSweep(self)
        #: why a pytest_gonogo_verdict implementation failed (shown as a warning; the verdict stands)
        self.hook_error: str | None = None
        self._printed = False

    # -- recording (thin hooks) -----------------------------------------------------------

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors += 1

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.expected.update(item.nodeid for item in session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.collector.add(report, wasxfail=getattr(report, "wasxfail", None))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.interrupted = True

    def pytest_internalerror(self, excrepr: object, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.internal_error = f"{excinfo.typename}: {excinfo.value}"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        stopped = session.shouldfail or session.shouldstop
        if exitstatus == pytest.ExitCode.INTERRUPTED and not stopped:
            self.interrupted = True
        outcome = self.finish(int(exitstatus), stopped_early=str(stopped) if stopped else None)
        if self.options.mode == "enforce":
            session.exitstatus = outcome.exit_code

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        self._print(terminalreporter)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # the session never finished (the target never started, or pytest.exit): still judge it
        if self.outcome is None:
            self.finish(pytest.ExitCode.INTERRUPTED, stopped_early=None)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            self._print(reporter)

    # -- judging (plain) ------------------------------------------------------------------

    def run_state(self, stopped_early: str | None) -> RunState:
        finished = set(self.collector.nodeids)
        return RunState(
            selected_stages=self.context.settings.stages,
            interrupted=self.interrupted,
            internal_error=self.internal_error,
            collection_errors=self.collection_errors,
            stopped_early=stopped_early,
            crashed_workers=tuple(self.crashed_workers),
            launch_error=self.context.launch_error,
            unfinished=len(self.expected - finished),
        )

    def finish(self, pytest_exit_status: int, *, stopped_early: str | None) -> GateOutcome:
        results = self.collector.results()
        try:
            verdict = decide(results, self.run_state(stopped_early), self.options.policy)
        except Exception as exc:  # a bug in gonogo must not read as GO
            reason = Reason("internal-error", f"gonogo could not judge the run: {type(exc).__name__}: {exc}")
            verdict = Verdict(Decision.NO_GO, (reason,), None, 0, 0)
        verdict = self.sweep.first_pass(verdict)
        exit_code = EXIT_CODES[verdict.decision] if self.options.mode == "enforce" else pytest_exit_status
        self.outcome = self._write(verdict, results, exit_code, pytest_exit_status)
        return self.outcome

    def _run_info(self, exit_code: int, pytest_exit_status: int) -> gate_json.RunInfo:
        loaded = self.context.loaded
        assert loaded is not None
        env = loaded.model
        args = self.config.invocation_params.args
        command = "pytest " + " ".join(shlex.quote(str(arg)) for arg in args)
        workers = getattr(self.config.option, "numprocesses", 0)
        return gate_json.RunInfo(
            environment=loaded.name,
            env_file=shown(loaded.path),
            description=env.description,
            base_url=self.context.base_url or env.base_url,
            expected_version=env.expected_version,
            sensitive=env.sensitive,
            baseline_url=env.baseline.base_url if env.baseline else None,
            rollback_command=env.baseline.rollback_command if env.baseline else None,
            selected_stages=self.context.settings.stages,
            started_at=self.started_at,
            finished_at=datetime.now(UTC),
            command=self.context.redactor.text(command.strip()),
            exit_code=exit_code,
            pytest_exit_status=pytest_exit_status,
            gate_mode=self.options.mode,
            git_commit=git_commit(self.config.rootpath),
            versions={
                "gonogo": __version__,
                "pytest": pytest.__version__,
                "python": sys.version.split()[0],
            },
            workers=workers if isinstance(workers, int) else 0,
        )

    def _write(
        self, verdict: Verdict, results: list[CheckResult], exit_code: int, pytest_exit_status: int
    ) -> GateOutcome:
        run = self._run_info(exit_code, pytest_exit_status)
        # redacted as a tree, not as text: the JSON stays valid, and the webhook gets the file's document
        document = self.context.redactor.tree(gate_json.build(verdict, results, run))
        report = deployment_report.render(
            verdict, results, run, charts=charts.found(self.reports_dir), folder=self.reports_dir
        )
        redact = self.context.redactor.text
        gate_path = self.reports_dir / GATE_FILE
        report_path = self.reports_dir / REPORT_FILE
        write_atomic(gate_path, gate_json.dumps(document))
        write_atomic(report_path, redact(report))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with contextlib.suppress(OSError), open(summary, "a", encoding="utf-8") as handle:
                handle.write(redact(report) + "\n")
        delivered = None
        url = self.options.notify_url
        if url:
            try:
                delivered = notify.post_gate(url, document, timeout_s=self.options.notify_timeout_s)
            except Exception as exc:  # a webhook must never turn the verdict into a crash
                text = f"could not deliver gate.json to {url}: {type(exc).__name__}: {exc}"
                delivered = notify.NotifyResult(False, text, 0)
        self.hook_error = announce(self.config, verdict, results, document)
        return GateOutcome(verdict, exit_code, gate_path, report_path, delivered)

    # -- terminal -------------------------------------------------------------------------

    def _print(self, reporter: Any) -> None:
        if self._printed or self.outcome is None:
            return
        self._printed = True
        outcome = self.outcome
        verdict = outcome.verdict
        colour = _COLOURS[verdict.decision]
        redact = self.context.redactor.text
        reporter.write_sep("=", f"gonogo verdict: {verdict.decision.value}", **colour)
        score = f", score {verdict.score:.1f}" if verdict.score is not None else ""
        assert self.context.loaded is not None
        mode = " (report mode: exit code unchanged)" if self.options.mode == "report" else ""
        reporter.write_line(
            f"{verdict.decision.value} for {self.context.loaded.name}: {verdict.passed}/{verdict.counted} "
            f"counted checks passed{score}; exit {outcome.exit_code}{mode}",
            **colour,
        )
        shown_reasons = [r for r in verdict.reasons if r.decision is not None][:TOP_REASONS]
        for reason in shown_reasons:
            message = " ".join(reason.message.split())
            reporter.write_line(redact(f"  - {reason.code}: {message}"))
        more = len([r for r in verdict.reasons if r.decision is not None]) - len(shown_reasons)
        if more > 0:
            reporter.write_line(f"  ... and {more} more reason(s) in gate.json")
        reporter.write_line(f"gate.json: {shown(outcome.gate_path)}")
        reporter.write_line(f"deployment report: {shown(outcome.report_path)}")
        if outcome.notify is not None:
            style = {} if outcome.notify.ok else {"yellow": True}
            reporter.write_line(f"notify: {redact(outcome.notify.message)}", **style)
        if self.hook_error is not None:
            reporter.write_line(f"warning: {redact(self.hook_error)}", yellow=True)


def announce(
    config: pytest.Config, verdict: Verdict, results: list[CheckResult], document: dict[str, Any]
) -> str | None:
    """Hand the verdict to every ``pytest_gonogo_verdict`` implementation (the Allure plugin, a user's
    notifier); returns why one failed. Not ``warnings.warn``: under ``filterwarnings = error`` that would
    raise out of the gate, and nothing a listener does may change the verdict or the exit code."""
    try:
        config.hook.pytest_gonogo_verdict(config=config, verdict=verdict, results=results, document=document)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # pytest.fail() / pytest.exit() in a listener included
        return f"a pytest_gonogo_verdict implementation raised {type(exc).__name__}: {exc} (verdict kept)"
    return None


class GateXdistHooks:
    """What only pytest-xdist can tell: which checks each worker collected, and lost workers."""

    def __init__(self, gate: GatePlugin) -> None:
        self._gate = gate

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self._gate.expected.update(ids)

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        if error:
            worker = getattr(getattr(node, "gateway", None), "id", "worker")
            self._gate.crashed_workers.append(f"{worker}: {str(error).strip().splitlines()[-1]}")


GATE_KEY = pytest.StashKey[GatePlugin]()


def register(config: pytest.Config, context: RunContext) -> GatePlugin:
    """Build the gate from the options and the file's ``[gate]``, register it, keep it in the stash."""
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
    config.stash[GATE_KEY] = plugin
    config.pluginmanager.register(plugin.sweep, "gonogo.sweep")  # before Allure: its last pass runs after
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(GateXdistHooks(plugin), "gonogo.gate.xdist")
    return plugin


def _first_set(override: float | None, default: float) -> float:
    return default if override is None else override
