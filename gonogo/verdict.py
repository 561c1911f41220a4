"""Results + policy -> verdict: the gate as one pure function, :func:`decide`.

The gate fails closed: GO must be earned. Every problem found becomes a :class:`Reason` with a stable
code; each code calls for a decision (:data:`REASON_CODES`), and the verdict is the most severe one:

    ROLLBACK  a critical postdeploy check failed: the deployment is live and known bad. Wins over
              everything else, run-level problems included.
    NO-GO     a critical precheck or smoke check failed (or one outside the stage folders); a critical
              check errored or was skipped outside policy; a selected stage, or the whole run, counted
              no check; the run itself went wrong (interrupted, internal error, collection error,
              stopped early, worker crashed, local target never ready, checks that never reported);
              the score is below ``warn_score``.
    HOLD      a critical check was inconclusive, or passed with a finding that is not a pass; a
              non-critical check failed, errored, was skipped outside policy or was inconclusive
              while the score is below ``pass_score``; ``warn_score <= score < pass_score``. A person decides.
    GO        no reason above: every selected stage counted a check, every critical check
              passed and the score is at least ``pass_score``. Non-critical problems within the
              pass score are listed as ``noncritical-tolerated`` (information only).

A result is *judged* when its stage is selected (``stage=None``, a test outside the stage folders, is
judged in every run but fills no stage) and *counted* when judged, not a dry run, and not a skip by
policy (``policy_skip`` excuses a SKIPPED outcome only). Dry-run failures give information-only reasons
(``Reason.decision`` is None) and never change the verdict. Reasons come most severe first, in an order
that does not depend on the order of the results; so does the score (``math.fsum``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from gonogo.model import STAGE_ORDER, CheckResult, Finding, FindingVerdict, Outcome, Stage

__all__ = ["REASON_CODES", "Decision", "Policy", "Reason", "RunState", "Verdict", "decide"]


class Decision(StrEnum):
    GO = "GO"
    HOLD = "HOLD"
    NO_GO = "NO-GO"
    ROLLBACK = "ROLLBACK"


_SEVERITY = {Decision.GO: 0, Decision.HOLD: 1, Decision.NO_GO: 2, Decision.ROLLBACK: 3}

#: Every reason code and the decision it calls for (None: information only), in the order
#: reasons of equal severity are listed. ``critical-failed`` is ROLLBACK when its stage is
#: postdeploy (see :attr:`Reason.decision`).
REASON_CODES: Mapping[str, Decision | None] = MappingProxyType(
    {
        "critical-failed": Decision.NO_GO,
        "interrupted": Decision.NO_GO,
        "internal-error": Decision.NO_GO,
        "launch-failed": Decision.NO_GO,
        "collection-error": Decision.NO_GO,
        "worker-crashed": Decision.NO_GO,
        "stopped-early": Decision.NO_GO,
        "unfinished": Decision.NO_GO,
        "critical-error": Decision.NO_GO,
        "critical-skipped": Decision.NO_GO,
        "empty-run": Decision.NO_GO,
        "empty-stage": Decision.NO_GO,
        "score-below-warn": Decision.NO_GO,
        "noncritical-failed": Decision.HOLD,
        "noncritical-error": Decision.HOLD,
        "noncritical-skipped": Decision.HOLD,
        "critical-inconclusive": Decision.HOLD,
        "inconclusive": Decision.HOLD,
        "finding-failed": Decision.HOLD,
        "score-below-pass": Decision.HOLD,
        "noncritical-tolerated": None,
        "dry-run-failed": None,
    }
)
_CODE_ORDER = {code: index for index, code in enumerate(REASON_CODES)}
_STAGE_INDEX = {stage: index for index, stage in enumerate(STAGE_ORDER)}


@dataclass(frozen=True)
class Policy:
    """The score thresholds (``[gate]`` in the environment file)."""

    pass_score: float = 90.0
    warn_score: float = 75.0

    def __post_init__(self) -> None:
        if not 0 <= self.warn_score <= self.pass_score <= 100:
            raise ValueError(
                "gate scores must satisfy 0 <= warn_score <= pass_score <= 100, got "
                f"warn_score={self.warn_score!r} and pass_score={self.pass_score!r}"
            )


@dataclass(frozen=True)
class RunState:
    """What happened to the run as a whole, beyond the results of its checks."""

    #: the stages this run was asked to judge (all three unless ``--stage``)
    selected_stages: tuple[Stage, ...]
    #: KeyboardInterrupt / SIGTERM
    interrupted: bool = False
    #: pytest INTERNALERROR or a gonogo bug
    internal_error: str | None = None
    collection_errors: int = 0
    #: e.g. "-x / --maxfail stopped the run after 1 failure"
    stopped_early: str | None = None
    #: xdist workers lost, each with the node that crashed it
    crashed_workers: tuple[str, ...] = ()
    #: the local target never became ready
    launch_error: str | None = None
    #: collected checks that never reported a result
    unfinished: int = 0

    def __post_init__(self) -> None:
        if not self.selected_stages:
            raise ValueError("selected_stages is empty: a run judges at least one stage")
        if self.collection_errors < 0 or self.unfinished < 0:
            raise ValueError(
                "collection_errors and unfinished are counts (>= 0), got "
                f"{self.collection_errors!r} and {self.unfinished!r}"
            )


@dataclass(frozen=True)
class Reason:
    """One thing that stands between the run and GO (or, for dry runs, worth knowing)."""

    code: str
    message: str
    nodeid: str | None = None
    stage: Stage | None = None
    critical: bool | None = None

    def __post_init__(self) -> None:
        if self.code not in REASON_CODES:
            raise ValueError(f"unknown reason code {self.code!r}; known: {', '.join(REASON_CODES)}")

    @property
    def decision(self) -> Decision | None:
        """The decision this reason calls for; None when it only informs."""
        if self.code == "critical-failed" and self.stage is Stage.POSTDEPLOY:
            return Decision.ROLLBACK
        return REASON_CODES[self.code]

    def to_dict(self) -> dict[str, Any]:
        decision = self.decision
        return {
            "code": self.code,
            "decision": None if decision is None else decision.value,
            "message": self.message,
            "nodeid": self.nodeid,
            "stage": None if self.stage is None else self.stage.value,
            "critical": self.critical,
        }


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    #: most severe first
    reasons: tuple[Reason, ...]
    #: weighted percentage of counted checks that passed; None when nothing was counted
    score: float | None
    counted: int
    passed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "score": self.score,
            "counted": self.counted,
            "passed": self.passed,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


def decide(results: Sequence[CheckResult], run: RunState, policy: Policy = Policy()) -> Verdict:
    """Judge a run. Raises ValueError if a result's weight is not a finite number > 0."""
    for result in results:
        if not (math.isfinite(result.weight) and result.weight > 0):
            raise ValueError(f"{result.nodeid}: weight must be a finite number > 0, got {result.weight!r}")
    judged = [r for r in results if r.stage is None or r.stage in run.selected_stages]
    counted = [r for r in judged if _is_counted(r)]
    passed = [r for r in counted if r.outcome is Outcome.PASSED]

    reasons = _run_reasons(run)
    reasons += [reason for r in judged if (reason := _check_reason(r)) is not None]
    if not counted:
        reasons.append(Reason("empty-run", "No check was counted: the run verified nothing."))
    counted_stages = {r.stage for r in counted}
    for stage in STAGE_ORDER:
        if stage in run.selected_stages and stage not in counted_stages:
            message = f"No {stage} check was counted: the {stage} stage verified nothing."
            reasons.append(Reason("empty-stage", message, stage=stage))

    score = None
    # an inconclusive check gave no answer: it holds the run by its own rule, not by the score, so a
    # small run with one too-short measurement reads HOLD rather than NO-GO
    decided = [r for r in counted if r.outcome is not Outcome.INCONCLUSIVE]
    if decided:
        # fsum: exact, so the score does not depend on the order of the results; and the
        # ratio first, so that all passed gives exactly 100 (100 * x / x need not be 100.0)
        ratio = math.fsum(r.weight for r in passed) / math.fsum(r.weight for r in decided)
        score = 100 * ratio
        reasons += _score_reasons(score, policy)
        if score >= policy.pass_score:
            # what non-critical checks are for: a few may fail while the weighted score holds up
            reasons = [_tolerated(r, score, policy) if _tolerable(r) else r for r in reasons]

    reasons.sort(key=_order)
    decision = max(
        (r.decision for r in reasons if r.decision is not None),
        key=_SEVERITY.__getitem__,
        default=Decision.GO,
    )
    return Verdict(decision, tuple(reasons), score, len(counted), len(passed))


def _is_counted(result: CheckResult) -> bool:
    # policy_skip only excuses a skip: a policy-marked check that errored still counts.
    policy_skipped = result.policy_skip and result.outcome is Outcome.SKIPPED
    return not result.dry_run and not policy_skipped


def _run_reasons(run: RunState) -> list[Reason]:
    reasons: list[Reason] = []
    if run.interrupted:
        text = "The run was interrupted (Ctrl-C or SIGTERM); its results are incomplete."
        reasons.append(Reason("interrupted", text))
    if run.internal_error is not None:
        text = _sentence("The run hit an internal error in pytest or gonogo", run.internal_error)
        reasons.append(Reason("internal-error", text + " The results cannot be trusted."))
    if run.launch_error is not None:
        text = _sentence("The local target never became ready", run.launch_error)
        reasons.append(Reason("launch-failed", text))
    if run.collection_errors:
        n = run.collection_errors
        text = f"{_count(n, 'collection error')}: the checks they hide never ran."
        reasons.append(Reason("collection-error", text))
    for worker in run.crashed_workers:
        text = _sentence("A pytest-xdist worker crashed", worker)
        reasons.append(Reason("worker-crashed", text + " Its checks have no result."))
    if run.stopped_early is not None:
        text = _sentence("The run stopped early", run.stopped_early)
        reasons.append(Reason("stopped-early", text + " Later checks never ran."))
    if run.unfinished:
        text = f"{_count(run.unfinished, 'collected check')} never reported a result."
        reasons.append(Reason("unfinished", text))
    return reasons


def _check_reason(result: CheckResult) -> Reason | None:
    outcome, detail = result.outcome, result.message
    if result.dry_run:
        if outcome not in (Outcome.FAILED, Outcome.ERROR):
            return None
        verb = "failed" if outcome is Outcome.FAILED else "errored"
        text = _sentence(f"{_describe(result)} {verb}", detail)
        text += " Dry runs are reported, never counted."
        return _reason("dry-run-failed", text, result)
    what = _describe(result)
    level = "critical" if result.critical else "noncritical"
    if outcome is Outcome.PASSED:
        return _finding_reason(result)
    if outcome is Outcome.FAILED:
        text = _sentence(f"{what} failed", detail)
        if result.critical and result.stage is Stage.POSTDEPLOY:
            text += " The deployment is live and bad: roll back to the baseline."
        return _reason(f"{level}-failed", text, result)
    if outcome is Outcome.ERROR:
        text = _sentence(f"{what} errored in setup or teardown", detail)
        return _reason(f"{level}-error", text + " It verified nothing.", result)
    if outcome is Outcome.SKIPPED:
        if result.policy_skip:
            return None
        text = _sentence(f"{what} was skipped", detail)
        text += " It verified nothing, and only policy may skip a check."
        return _reason(f"{level}-skipped", text, result)
    code = "critical-inconclusive" if result.critical else "inconclusive"
    text = _sentence(f"{what} was inconclusive", detail)
    return _reason(code, text + " A person decides.", result)


def _finding_reason(result: CheckResult) -> Reason | None:
    """A check that passed yet recorded a failing or inconclusive finding."""
    odd = [f for f in result.findings if f.verdict is not FindingVerdict.PASS]
    if not odd:
        return None
    if any(f.verdict is FindingVerdict.FAIL for f in odd):
        code = "finding-failed"
    else:
        code = "critical-inconclusive" if result.critical else "inconclusive"
    listed = "; ".join(_finding_text(f) for f in odd)
    text = f"{_describe(result)} passed, but not every finding is a pass: {listed}."
    return _reason(code, text + " A person decides.", result)


def _finding_text(finding: Finding) -> str:
    unit = f" {finding.unit}" if finding.unit else ""
    text = f"{finding.name} {finding.verdict} (value {finding.value}{unit}"
    if finding.limit is not None:
        text += f", limit {finding.limit}{unit}"
    return text + (f", {finding.detail})" if finding.detail else ")")


def _reason(code: str, message: str, result: CheckResult) -> Reason:
    return Reason(code, message, result.nodeid, result.stage, result.critical)


_TOLERABLE = frozenset({"noncritical-failed", "noncritical-error", "noncritical-skipped", "inconclusive"})


def _tolerable(reason: Reason) -> bool:
    # a non-critical check that passed with a failing finding is no worse than one that failed
    return reason.code in _TOLERABLE or (reason.code == "finding-failed" and reason.critical is False)


def _tolerated(reason: Reason, score: float, policy: Policy) -> Reason:
    shown = f"{math.floor(score * 100) / 100:g}"
    text = f"{reason.message} Tolerated: the score {shown} meets the pass score {policy.pass_score:g}."
    return Reason("noncritical-tolerated", text, reason.nodeid, reason.stage, reason.critical)


def _score_reasons(score: float, policy: Policy) -> list[Reason]:
    shown = f"{math.floor(score * 100) / 100:g}"  # rounded down: never shown at the limit
    if score < policy.warn_score:
        text = f"The score is {shown}, below the warn score {policy.warn_score:g}."
        return [Reason("score-below-warn", text)]
    if score < policy.pass_score:
        text = (
            f"The score is {shown}, below the pass score {policy.pass_score:g} "
            f"(warn score {policy.warn_score:g}): a person decides."
        )
        return [Reason("score-below-pass", text)]
    return []


def _order(reason: Reason) -> tuple[int, int, int, str, str]:
    decision = reason.decision
    severity = -1 if decision is None else _SEVERITY[decision]
    stage = -1 if reason.stage is None else _STAGE_INDEX[reason.stage]
    code = _CODE_ORDER[reason.code]
    return (-severity, code, stage, reason.nodeid or "", reason.message)


def _describe(result: CheckResult) -> str:
    level = "critical" if result.critical else "non-critical"
    if result.dry_run:
        level = f"dry-run {level}"
    level = level[0].upper() + level[1:]
    if result.stage is None:
        return f"{level} check {result.nodeid} (outside the stage folders)"
    return f"{level} {result.stage} check {result.nodeid}"


def _sentence(text: str, detail: str) -> str:
    """``text: <first line of detail>.``, or ``text.`` when there is no detail."""
    first = next((line.strip() for line in detail.splitlines() if line.strip()), "")
    if first:
        text = f"{text}: {first}"
    return text if text.endswith((".", "!", "?")) else text + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
