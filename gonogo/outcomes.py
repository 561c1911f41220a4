"""Turning pytest's per-phase test reports into one :class:`CheckResult` per check.

A check reports up to three times (setup, call, teardown); the worst phase decides. The rules, failing
closed where pytest leaves room:

* setup failed or teardown failed -> ERROR (the check never gave a trustworthy answer);
* call failed -> FAILED; a FAIL finding on a passed check -> FAILED;
* passed with an INCONCLUSIVE finding -> INCONCLUSIVE;
* skipped -> SKIPPED, a *policy* skip only when gonogo skipped it on purpose (``gonogo.policy_skip``);
* xfailed by ``@pytest.mark.xfail`` -> a policy skip: the author declared the check known-broken before
  it ran; reported, never counted. ``pytest.xfail()`` called inside a check gives up at run time: a
  plain skip, which fails a critical check closed;
* skipped because an earlier stage failed or the target never started -> SKIPPED with ``blocked_by``;
* retried by pytest-rerunfailures (``--reruns``): the last attempt decides, and the failed attempts
  before it are kept (``failed_attempts``): a pass after a retry is flaky, which the verdict holds.

Messages are the check's own words: pytest's ``Failed: `` (``pytest.fail``) and ``AssertionError: ``
prefixes are dropped, other exception names (``RuntimeError: ...``) are kept because they say what broke.

Nothing here imports pytest: the collector reads report attributes through a small protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from gonogo.model import CheckResult, Finding, FindingVerdict, Outcome, Stage
from gonogo.names import (
    BLOCKED_PROPERTY,
    FINDING_PROPERTY,
    GATE_PROPERTY,
    IMPERATIVE_XFAIL_PROPERTY,
    POLICY_SKIP_PROPERTY,
    STAGE_PROPERTY,
)

MESSAGE_LIMIT = 600
#: exception names that say nothing the message does not: the check failed, in its own words
_NOISE_PREFIXES = ("Failed: ", "AssertionError: ")
#: pytest-rerunfailures' outcome for an attempt that failed and is run again
RERUN = "rerun"


class ReportLike(Protocol):
    """The parts of ``pytest.TestReport`` the collector reads."""

    @property
    def nodeid(self) -> str: ...
    @property
    def when(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def duration(self) -> float: ...
    @property
    def user_properties(self) -> Sequence[tuple[str, object]]: ...
    @property
    def longrepr(self) -> Any: ...


@dataclass
class _Pending:
    nodeid: str
    phases: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    properties: list[tuple[str, object]] = field(default_factory=list)
    duration_s: float = 0.0
    xfail_reason: str | None = None
    failed_attempts: list[str] = field(default_factory=list)
    #: the current attempt failed and another one follows: no result to judge until it ends
    rerunning: bool = False


def _message(report: ReportLike) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skip: (path, lineno, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(getattr(longrepr, "reprcrash", None), "message", None)
    text = str(crash) if crash else str(longrepr)
    for prefix in _NOISE_PREFIXES:
        text = text.removeprefix(prefix)
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."


def findings_of(user_properties: Iterable[tuple[str, object]]) -> list[Finding]:
    """The findings a check recorded, in order."""
    return [
        Finding.from_dict(value)
        for key, value in user_properties
        if key == FINDING_PROPERTY and isinstance(value, dict)
    ]


class ResultCollector:
    """Feed it every test report; ask it for the results of the checks."""

    def __init__(self) -> None:
        self._pending: dict[str, _Pending] = {}
        self._order: list[str] = []

    def add(self, report: ReportLike, *, wasxfail: str | None = None) -> None:
        pending = self._pending.get(report.nodeid)
        if pending is None:
            pending = self._pending[report.nodeid] = _Pending(report.nodeid)
            self._order.append(report.nodeid)
        pending.duration_s += report.duration
        if report.when == "setup" and pending.phases:
            # a new attempt (--reruns): what the earlier one saw is kept only as a failed attempt
            pending.phases, pending.messages, pending.properties = {}, [], []
            pending.xfail_reason, pending.rerunning = None, False
        if report.outcome == RERUN:
            # an attempt that failed and runs again: the next attempt's phases replace this one's
            pending.failed_attempts.append(_message(report) or f"{report.when or 'call'} failed")
            pending.rerunning = True
            return
        pending.phases[report.when or "call"] = report.outcome
        # user_properties accumulate over phases on the same item: keep the latest full list
        if len(report.user_properties) >= len(pending.properties):
            pending.properties = list(report.user_properties)
        if wasxfail is not None:
            pending.xfail_reason = wasxfail or "expected to fail"
        message = _message(report)
        if message and report.outcome != "passed":
            pending.messages.append(message)

    @property
    def nodeids(self) -> list[str]:
        return list(self._order)

    def results(self) -> list[CheckResult]:
        return [_result(self._pending[nodeid]) for nodeid in self._order]

    def result_of(self, nodeid: str) -> CheckResult | None:
        """The check's result from the reports seen so far (None before its first report, and while
        an attempt that failed waits for the next one)."""
        pending = self._pending.get(nodeid)
        return None if pending is None or pending.rerunning else _result(pending)


def _props(properties: Iterable[tuple[str, object]], key: str) -> list[object]:
    return [value for name, value in properties if name == key]


def _result(pending: _Pending) -> CheckResult:
    props = pending.properties
    stages = _props(props, STAGE_PROPERTY)
    stage = Stage(str(stages[-1])) if stages else None
    gate = next((value for value in reversed(_props(props, GATE_PROPERTY)) if isinstance(value, dict)), {})
    policy_reasons = [str(value) for value in _props(props, POLICY_SKIP_PROPERTY)]
    blockers = [str(value) for value in _props(props, BLOCKED_PROPERTY)]
    blocked_by = None
    findings = tuple(findings_of(props))
    phases = pending.phases
    message = pending.messages[0] if pending.messages else ""
    policy_skip = False

    if phases.get("setup") == "failed" or phases.get("teardown") == "failed":
        outcome = Outcome.ERROR
    elif pending.xfail_reason is not None and phases.get("call") != "failed":
        outcome, policy_skip = Outcome.SKIPPED, not _props(props, IMPERATIVE_XFAIL_PROPERTY)
        message = f"xfail: {pending.xfail_reason}"
    elif phases.get("call") == "failed":
        outcome = Outcome.FAILED
    elif "skipped" in phases.values():
        outcome = Outcome.SKIPPED
        policy_skip = bool(policy_reasons) and not blockers
        message = policy_reasons[0] if policy_skip else message
        blocked_by = blockers[0] if blockers else None
    elif phases.get("call") == "passed":
        verdicts = {finding.verdict for finding in findings}
        if FindingVerdict.FAIL in verdicts:
            outcome = Outcome.FAILED
            failed = [f for f in findings if f.verdict is FindingVerdict.FAIL]
            message = "; ".join(_describe_finding(f) for f in failed)
        elif FindingVerdict.INCONCLUSIVE in verdicts:
            outcome = Outcome.INCONCLUSIVE
            unsure = [f for f in findings if f.verdict is FindingVerdict.INCONCLUSIVE]
            message = "; ".join(_describe_finding(f) for f in unsure)
        else:
            outcome = Outcome.PASSED
    else:
        # a setup that passed without a call: the run stopped under this check
        outcome = Outcome.ERROR
        message = message or "the check started but never finished"
    return CheckResult(
        nodeid=pending.nodeid,
        stage=stage,
        outcome=outcome,
        critical=bool(gate.get("critical", True)),
        weight=float(gate.get("weight", 1.0)),
        dry_run=bool(gate.get("dry_run", False)),
        policy_skip=policy_skip,
        message=message,
        findings=findings,
        duration_s=pending.duration_s,
        blocked_by=blocked_by,
        failed_attempts=tuple(pending.failed_attempts),
    )


def _describe_finding(finding: Any) -> str:
    unit = f" {finding.unit}" if finding.unit else ""
    value = "n/a" if finding.value is None else f"{finding.value}{unit}"
    limit = f" (limit {finding.limit}{unit})" if finding.limit is not None else ""
    detail = f": {finding.detail}" if finding.detail else ""
    return f"{finding.name} = {value}{limit} {finding.verdict.value}{detail}"
