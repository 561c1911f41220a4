"""The promotion gate's hooks: collect every report in the controller, judge, write, exit.

Registered only in the controller (never in an xdist worker) and only when an environment is loaded.
The gate fails closed: the previous gate.json is removed as the run starts, every way a run can go
wrong is recorded (interrupt, SIGTERM, internal error, collection error, crashed worker, ``-x``, a
target that never started, checks that never reported, reports that cannot be written), and anything
unexpected while judging becomes NO-GO. It also keeps the stage gate (:mod:`gonogo.plugin.gating`),
relays xdist workers' progress lines (:mod:`gonogo.plugin.progress`), and judges nothing in an
informational run (:mod:`gonogo.plugin.informational`): exit 0 means a fresh GO and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gonogo import run_identity
from gonogo.environment import shown
from gonogo.model import CheckResult
from gonogo.outcomes import ResultCollector
from gonogo.plugin import run_info, signals
from gonogo.plugin.context import RunContext
from gonogo.plugin.gate_options import GateOptions, add_options, resolve_options
from gonogo.plugin.gating import GATING_KEY, WORKER_LAUNCH_ERROR, WORKER_RUN_DIR, StageGate
from gonogo.plugin.informational import EXIT_NO_VERDICT, informational
from gonogo.plugin.progress import ProgressRelay, terminal_line_writer
from gonogo.plugin.reports_folder import clear_previous, remove_quietly
from gonogo.plugin.sweep import ReportsSweep
from gonogo.plugin.verdict_block import write_launch_failure, write_no_verdict, write_verdict
from gonogo.reporting import charts, deployment_report, gate_json, notify
from gonogo.reporting.files import write_atomic
from gonogo.reporting.layout import DEPLOYMENT_REPORT as REPORT_FILE
from gonogo.reporting.layout import GATE_FILE
from gonogo.verdict import Decision, Reason, RunState, Verdict, decide

#: distinct per verdict; pytest keeps 1-5 for itself (4: usage error, before any check runs)
EXIT_CODES: dict[Decision, int] = {
    Decision.GO: 0,
    Decision.HOLD: 10,
    Decision.NO_GO: 11,
    Decision.ROLLBACK: 12,
}
__all__ = [
    "EXIT_CODES",
    "EXIT_NO_VERDICT",
    "GATE_KEY",
    "GateOptions",
    "GatePlugin",
    "add_options",
    "clear_previous",
    "register",
]


@dataclass(frozen=True)
class GateOutcome:
    verdict: Verdict
    exit_code: int
    gate_path: Path
    report_path: Path
    notify: notify.NotifyResult | None


def git_commit(cwd: Path) -> str | None:
    """The commit being verified (:func:`gonogo.run_identity.git_commit`)."""
    return run_identity.git_commit(cwd, os.environ)


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
        #: why gate.json or the deployment report could not be written (NO-GO exit, in both modes)
        self.write_error: str | None = None
        #: --collect-only, --markers, ...: nothing is judged, nothing written
        self.informational = informational(config)
        self.stage_gate = StageGate(keep_going=bool(config.option.gonogo_keep_going))
        #: the folder shared with xdist workers (the stage gate's file, progress lines); None when serial
        self.run_dir: Path | None = None
        self.relay: ProgressRelay | None = None
        self._printed = False
        #: the deployment report and gate.json document of the last verdict written, to deliver
        self._delivery: tuple[str, dict[str, Any]] | None = None

    # -- recording (thin hooks) -----------------------------------------------------------

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors += 1

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.expected.update(item.nodeid for item in session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.collector.add(report, wasxfail=getattr(report, "wasxfail", None))
        if report.outcome == "failed" or report.when == "teardown":
            # as soon as a critical check of an earlier stage fails, the later stages are blocked
            result = self.collector.result_of(report.nodeid)
            if result is not None:
                self.stage_gate.record(result)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if not self.informational:
            self.interrupted = True

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if self.run_dir is not None and reporter is not None:
            self.relay = ProgressRelay(self.run_dir, terminal_line_writer(reporter))
            self.relay.start()

    def pytest_internalerror(self, excrepr: object, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.internal_error = f"{excinfo.typename}: {excinfo.value}"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.relay is not None:
            self.relay.stop()
        if self.informational:
            return  # the exit code: gonogo.plugin.invocation, for --markers too (it has no session)
        stopped = session.shouldfail or session.shouldstop
        if exitstatus == pytest.ExitCode.INTERRUPTED and not stopped:
            self.interrupted = True
        outcome = self.finish(int(exitstatus), stopped_early=str(stopped) if stopped else None)
        if self.options.mode == "enforce" or outcome.exit_code == EXIT_CODES[Decision.NO_GO]:
            session.exitstatus = outcome.exit_code

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        self._print(terminalreporter)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # the session never finished (a usage error after configure, pytest.exit): still judge it
        if self.outcome is None and not self.informational:
            self.finish(pytest.ExitCode.INTERRUPTED, stopped_early=None)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            self._print(reporter)
        signals.uninstall()
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)

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
            reports_unwritable=_write_errors(self.context.report_write_errors),
        )

    def finish(self, pytest_exit_status: int, *, stopped_early: str | None) -> GateOutcome:
        judged = len(self.context.report_write_errors)
        outcome = self._judge(pytest_exit_status, stopped_early)
        if len(self.context.report_write_errors) > judged and self.write_error is None:
            # the Allure bundle the verdict was just handed to could not be written: judged again (NO-GO),
            # before anything is delivered; what fails in this second round is said, not judged again
            outcome = self._judge(pytest_exit_status, stopped_early)
        self.outcome = self._deliver(outcome)
        return self.outcome

    def _judge(self, pytest_exit_status: int, stopped_early: str | None) -> GateOutcome:
        results = self.collector.results()
        try:
            verdict = decide(results, self.run_state(stopped_early), self.options.policy)
        except Exception as exc:  # a bug in gonogo must not read as GO
            reason = Reason("internal-error", f"gonogo could not judge the run: {type(exc).__name__}: {exc}")
            verdict = Verdict(Decision.NO_GO, (reason,), None, 0, 0)
        verdict = self.sweep.first_pass(verdict)
        exit_code = EXIT_CODES[verdict.decision] if self.options.mode == "enforce" else pytest_exit_status
        if self.context.launch_error is not None or self.context.report_write_errors:
            # a target that never started, reports that could not be written: NO-GO in both modes,
            # report mode must not read them as 0
            exit_code = EXIT_CODES[Decision.NO_GO]
        return self._write(verdict, results, exit_code, pytest_exit_status)

    def _run_info(self, exit_code: int, pytest_exit_status: int) -> gate_json.RunInfo:
        return run_info.build(
            self.config,
            self.context,
            gate_mode=self.options.mode,
            started_at=self.started_at,
            exit_code=exit_code,
            pytest_exit_status=pytest_exit_status,
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
        try:
            write_atomic(gate_path, gate_json.dumps(document))
            write_atomic(report_path, redact(report))
        except OSError as exc:
            # a full or read-only folder: say so and exit NO-GO; nothing is posted, nothing half-written
            # stays (and the previous run's files were removed when this run started)
            left = remove_quietly(gate_path)
            self.write_error = (
                f"could not write {shown(exc.filename or gate_path)}: {exc.strerror or exc} ({left}). "
                f"The verdict above was not recorded: NO-GO. Fix: free space in, or make writable, "
                f"{shown(self.reports_dir)}, or pass --reports-dir=PATH"
            )
            return GateOutcome(verdict, EXIT_CODES[Decision.NO_GO], gate_path, report_path, None)
        # the listeners (the Allure bundle first) before delivery: what they cannot write is judged
        self.hook_error = announce(self.config, verdict, results, document)
        self._delivery = (redact(report), document)
        return GateOutcome(verdict, exit_code, gate_path, report_path, None)

    def _deliver(self, outcome: GateOutcome) -> GateOutcome:
        """The verdict leaves the machine (the job summary, the webhook) once every report is written."""
        if self.write_error is not None or self._delivery is None:
            return outcome
        report, document = self._delivery
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with contextlib.suppress(OSError), open(summary, "a", encoding="utf-8") as handle:
                handle.write(report + "\n")
        url = self.options.notify_url
        if not url:
            return outcome
        try:
            delivered = notify.post_gate(url, document, timeout_s=self.options.notify_timeout_s)
        except Exception as exc:  # a webhook must never turn the verdict into a crash
            text = f"could not deliver gate.json to {url}: {type(exc).__name__}: {exc}"
            delivered = notify.NotifyResult(False, text, 0)
        return replace(outcome, notify=delivered)

    # -- terminal -------------------------------------------------------------------------

    def _print(self, reporter: Any) -> None:
        if self._printed:
            return
        if self.informational:
            self._printed = True
            code = pytest.ExitCode.OK if self.options.mode == "report" else EXIT_NO_VERDICT
            write_no_verdict(reporter, option=self.informational, exit_code=int(code))
            return
        if self.outcome is None:
            return
        self._printed = True
        outcome = self.outcome
        assert self.context.loaded is not None
        if self.context.launch_error is not None:
            write_launch_failure(reporter, self.context.redactor.text(self.context.launch_error))
        notes: list[tuple[str, dict[str, bool]]] = []
        if outcome.notify is not None:
            notes.append((f"notify: {outcome.notify.message}", {} if outcome.notify.ok else {"yellow": True}))
        if self.hook_error is not None:
            notes.append((f"warning: {self.hook_error}", {"yellow": True}))
        if self.write_error is not None:
            notes.append((f"gonogo: {self.write_error}", {"red": True, "bold": True}))
        write_verdict(
            reporter,
            environment=self.context.loaded.name,
            verdict=outcome.verdict,
            exit_code=outcome.exit_code,
            report_mode=self.options.mode == "report",
            files=None if self.write_error else (outcome.gate_path, outcome.report_path),
            notes=notes,
            redactor=self.context.redactor,
        )


def _write_errors(errors: list[str]) -> str | None:
    """The first report write that failed, and how many more did (one line: the reason's detail)."""
    if not errors:
        return None
    more = f" (and {len(errors) - 1} more file(s))" if len(errors) > 1 else ""
    return f"{errors[0]}{more}. Fix: free space in, or make writable, the reports folder, then run again"


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

    def pytest_configure_node(self, node: Any) -> None:
        # the stage gate's file and the progress files live in the run folder; a target that never
        # started blocks the workers' checks too
        if self._gate.run_dir is not None:
            node.workerinput[WORKER_RUN_DIR] = str(self._gate.run_dir)
        if self._gate.context.launch_error is not None:
            node.workerinput[WORKER_LAUNCH_ERROR] = self._gate.context.launch_error

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
    options = resolve_options(config, context)
    plugin = GatePlugin(config, context, options)
    config.pluginmanager.register(plugin, "gonogo.gate")
    config.stash[GATE_KEY] = plugin
    config.stash[GATING_KEY] = plugin.stage_gate
    if not plugin.informational:
        signals.install()  # SIGTERM: NO-GO with gate.json, whether or not the file has [launch]
    if config.pluginmanager.hasplugin("xdist") and getattr(config.option, "numprocesses", None):
        plugin.run_dir = Path(tempfile.mkdtemp(prefix="gonogo-run-"))
        plugin.stage_gate.run_dir = plugin.run_dir
    config.pluginmanager.register(plugin.sweep, "gonogo.sweep")  # before Allure: its last pass runs after
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(GateXdistHooks(plugin), "gonogo.gate.xdist")
    return plugin
