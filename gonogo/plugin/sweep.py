"""The gate's sweep over ``reports/<env>/`` (docs/security.md): no file the run leaves may hold a secret.

Two passes, controller only. The first runs as the gate judges, before anything is written or posted:
what the checks wrote (load plan and results, the locust report, comparison and watch files, junit.xml,
allure-results) and what earlier runs left (the rendered HTML) is searched for every secret the run
knows, and a file that still holds one makes the verdict NO-GO, naming the file. The second runs last of
all (after the Allure files that follow the verdict): a hit there turns gate.json, the deployment report
and the exit code into NO-GO too (the webhook, already posted, is not sent again). Either way the file is
scrubbed in place, or emptied to a notice when the secret cannot be cut out.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from gonogo.environment import shown
from gonogo.redaction.sweep import Leak, sweep
from gonogo.reporting import gate_json
from gonogo.reporting.files import write_atomic
from gonogo.verdict import Decision, Reason, Verdict

if TYPE_CHECKING:
    from gonogo.plugin.gate import GatePlugin

REASON_CODE = "internal-error"


def leak_reason(leak: Leak) -> Reason:
    names = ", ".join(leak.names) if leak.names else "unknown"
    return Reason(
        REASON_CODE,
        f"a secret ({names}) was found in {shown(leak.path)} after the run wrote it ({leak.action}): "
        "something wrote run output around the redactor, so the run's files cannot be trusted. "
        "Fix: find the writer (docs/security.md); `gonogo scan-secrets` checks any folder",
    )


def fail_closed(verdict: Verdict, leaks: list[Leak]) -> Verdict:
    """The verdict, turned NO-GO (ROLLBACK stays ROLLBACK) with one reason a leaking file."""
    if not leaks:
        return verdict
    decision = Decision.ROLLBACK if verdict.decision is Decision.ROLLBACK else Decision.NO_GO
    reasons = tuple(leak_reason(leak) for leak in leaks) + verdict.reasons
    return dataclasses.replace(verdict, decision=decision, reasons=reasons)


class ReportsSweep:
    """Registered by the gate, before the Allure plugin, so its last pass runs after Allure's."""

    def __init__(self, gate: GatePlugin) -> None:
        self._gate = gate
        self._session: pytest.Session | None = None
        self.leaks: list[Leak] = []
        #: when the first pass began: the last pass searches only what changed since
        self._first_ns: int | None = None

    def _sweep(self, since_ns: int | None = None) -> list[Leak]:
        root = self._gate.reports_dir
        try:
            found = sweep(root, self._gate.context.redactor, since_ns=since_ns)
        except Exception as exc:  # the sweep failing must not read as "nothing found"
            found = [Leak(root, (), f"the sweep itself failed: {type(exc).__name__}: {exc}")]
        self.leaks += found
        return found

    def first_pass(self, verdict: Verdict) -> Verdict:
        """Called by the gate after judging, before it writes gate.json or posts anything."""
        self._first_ns = time.time_ns()
        return fail_closed(verdict, self._sweep())

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self._session = session

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        outcome = self._gate.outcome
        if outcome is None:
            return
        known = {(leak.path, leak.action) for leak in self.leaks}
        leaks = [leak for leak in self._sweep(self._first_ns) if (leak.path, leak.action) not in known]
        if not leaks:
            return
        reasons = [leak_reason(leak) for leak in leaks]
        decision = fail_closed(outcome.verdict, leaks).decision
        enforce = self._gate.options.mode == "enforce"
        exit_code = _exit_code(decision) if enforce else outcome.exit_code
        redact = self._gate.context.redactor
        _patch_gate_json(outcome.gate_path, decision, reasons, exit_code, redact.tree)
        note = "\n".join(f"- **NO-GO**: {reason.message}" for reason in reasons)
        _append(outcome.report_path, redact.text(f"\n## Secret found after the verdict\n\n{note}\n"))
        self._gate.outcome = dataclasses.replace(outcome, exit_code=exit_code)
        if enforce and self._session is not None:
            self._session.exitstatus = exit_code
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            for reason in reasons:
                reporter.write_line(redact.text(f"gonogo: NO-GO: {reason.message}"), red=True, bold=True)


def _exit_code(decision: Decision) -> int:
    from gonogo.plugin.gate import EXIT_CODES

    return EXIT_CODES[decision]


def _patch_gate_json(
    path: Path, decision: Decision, reasons: list[Reason], exit_code: int, redact: Any
) -> None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    document["verdict"] = decision.value
    document["exit_code"] = exit_code
    document["reasons"] = [reason.to_dict() for reason in reasons] + list(document.get("reasons") or [])
    write_atomic(path, gate_json.dumps(redact(document)))


def _append(path: Path, text: str) -> None:
    try:
        existing = path.read_text(encoding="utf-8")
    except OSError:
        existing = ""
    write_atomic(path, existing + text)
