"""Results + policy -> verdict: the gate as one pure function, :func:`decide`.

The gate fails closed: GO must be earned. Every problem found becomes a :class:`~gonogo.reasons.Reason`
with a stable code; each code calls for a decision (:data:`~gonogo.reasons.REASON_CODES`), and the verdict
is the most severe one:

    ROLLBACK  a critical postdeploy check failed on a deployment that was serving: a postdeploy-only run,
              or one whose smoke stage passed. Wins over everything else, run-level problems included.
    NO-GO     a critical precheck or smoke check failed (or one outside the stage folders); a critical
              postdeploy check failed on a target that never passed smoke; a critical check errored or
              was skipped outside policy; a stage was blocked (an earlier stage failed, or the target
              never started); a selected stage, or the whole run, counted no check; the run itself went
              wrong (interrupted, internal error, collection error, stopped early, worker crashed, local
              target never ready, checks that never reported); the score is below ``warn_score``.
    HOLD      a critical check was inconclusive, passed with a finding that is not a pass, or passed only
              after reruns; a non-critical check failed, errored, was skipped outside policy, was
              inconclusive or flaky while the score is below ``pass_score``;
              ``warn_score <= score < pass_score``. A person decides.
    GO        no reason above: every selected stage counted a check, every critical check
              passed at its first attempt and the score is at least ``pass_score``. Non-critical problems
              within the pass score are listed as ``noncritical-tolerated`` (information only).

A result is *judged* when its stage is selected (``stage=None``, a test outside the stage folders, is
judged in every run but fills no stage) and *counted* when judged, not a dry run, not a skip by policy
(``policy_skip`` excuses a SKIPPED outcome only) and not blocked. Dry-run failures give information-only
reasons (``Reason.decision`` is None) and never change the verdict. Reasons come most severe first, in an
order that does not depend on the order of the results; so does the score (``math.fsum``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gonogo.model import STAGE_ORDER, CheckResult, Finding, FindingVerdict, Outcome, Stage
from gonogo.reasons import REASON_CODES, SEVERITY, Decision, Reason, reason_order

__all__ = ["REASON_CODES", "Decision", "Policy", "Reason", "RunState", "Verdict", "decide"]

#: said by the reasons that call for HOLD, and only when the verdict is HOLD: a NO-GO leaves nobody
#: anything to decide
PERSON_DECIDES = "A person decides."
#: outcomes of a critical check that make the run NO-GO by themselves
_FATAL = (Outcome.FAILED, Outcome.ERROR)


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
    #: why gonogo could not write this run's reports (the Allure results): a full or read-only disk
    reports_unwritable: str | None = None

    def __post_init__(self) -> None:
        if not self.selected_stages:
            raise ValueError("selected_stages is empty: a run judges at least one stage")
        if self.collection_errors < 0 or self.unfinished < 0:
            raise ValueError(
                "collection_errors and unfinished are counts (>= 0), got "
                f"{self.collection_errors!r} and {self.unfinished!r}"
            )


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
    blocked = [r for r in judged if _is_blocked(r)]
    ran = [r for r in judged if not _is_blocked(r)]
    counted = [r for r in ran if _is_counted(r)]
    passed = [r for r in counted if r.outcome is Outcome.PASSED]
    serving = _was_serving(ran, run)

    reasons = _run_reasons(run)
    reasons += [reason for r in ran for reason in _check_reasons(r, serving)]
    reasons += _blocked_reasons(blocked)
    if not counted:
        reasons.append(Reason("empty-run", "No check was counted: the run verified nothing."))
    counted_stages = {r.stage for r in counted}
    blocked_stages = {r.stage for r in blocked}
    for stage in STAGE_ORDER:
        # a blocked stage says why it is empty in its own reason
        if stage in run.selected_stages and stage not in counted_stages | blocked_stages:
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

    decision = max(
        (r.decision for r in reasons if r.decision is not None),
        key=SEVERITY.__getitem__,
        default=Decision.GO,
    )
    if decision is Decision.HOLD:
        reasons = [_person_decides(r) if r.decision is Decision.HOLD else r for r in reasons]
    reasons.sort(key=reason_order)
    return Verdict(decision, tuple(reasons), score, len(counted), len(passed))


def _is_blocked(result: CheckResult) -> bool:
    # a dry run or a policy skip counts for nothing anyway: being blocked changes nothing about it
    skipped = result.outcome is Outcome.SKIPPED and not result.policy_skip
    return result.blocked_by is not None and skipped and not result.dry_run


def _is_counted(result: CheckResult) -> bool:
    # policy_skip only excuses a skip: a policy-marked check that errored still counts.
    policy_skipped = result.policy_skip and result.outcome is Outcome.SKIPPED
    return not result.dry_run and not policy_skipped


def _was_serving(ran: Sequence[CheckResult], run: RunState) -> bool:
    """Whether a critical postdeploy failure finds a deployment that was live: ROLLBACK, not NO-GO.

    True for a postdeploy-only run (the pipeline promoted it), and for a run whose smoke stage
    passed: it counted a check and no critical smoke check failed, errored or was skipped outside
    policy. A target that never passed smoke was never promoted; there is nothing to roll back from.
    """
    if run.selected_stages == (Stage.POSTDEPLOY,):
        return True
    if Stage.SMOKE not in run.selected_stages or run.launch_error is not None:
        return False
    smoke = [r for r in ran if r.stage is Stage.SMOKE and _is_counted(r)]
    return bool(smoke) and not any(
        r.critical and (r.outcome in _FATAL or r.outcome is Outcome.SKIPPED) for r in smoke
    )


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
    if run.reports_unwritable is not None:
        text = _sentence("gonogo could not write this run's reports", run.reports_unwritable)
        reasons.append(Reason("reports-unwritable", text + " The evidence QA reviews is incomplete."))
    return reasons


def _check_reasons(result: CheckResult, serving: bool) -> list[Reason]:
    outcome, detail = result.outcome, result.message
    if result.dry_run:
        if outcome not in _FATAL:
            return []
        verb = "failed" if outcome is Outcome.FAILED else "errored"
        text = _sentence(f"{_describe(result)} {verb}", detail)
        text += " Dry runs are reported, never counted."
        return [_reason("dry-run-failed", text, result)]
    what = _describe(result)
    level = "critical" if result.critical else "noncritical"
    if outcome is Outcome.PASSED:
        return [reason for reason in (_flaky_reason(result), _finding_reason(result)) if reason]
    if outcome is Outcome.FAILED:
        text = _sentence(f"{what} failed", detail)
        if not (result.critical and result.stage is Stage.POSTDEPLOY):
            return [_reason(f"{level}-failed", text, result)]
        if serving:
            text += " The deployment is live and bad: roll back to the baseline."
        else:
            text += (
                " The smoke stage did not pass, so the deployment was never shown to be serving: "
                "do not promote it (nothing to roll back)."
            )
        return [dataclasses.replace(_reason("critical-failed", text, result), serving=serving)]
    if outcome is Outcome.ERROR:
        text = _sentence(f"{what} errored in setup or teardown", detail)
        return [_reason(f"{level}-error", text + " It verified nothing.", result)]
    if outcome is Outcome.SKIPPED:
        if result.policy_skip:
            return []
        text = _sentence(f"{what} was skipped", detail)
        text += " It verified nothing, and only policy may skip a check."
        return [_reason(f"{level}-skipped", text, result)]
    code = "critical-inconclusive" if result.critical else "inconclusive"
    return [_reason(code, _sentence(f"{what} was inconclusive", detail), result)]


def _flaky_reason(result: CheckResult) -> Reason | None:
    """A check that passed only after failed attempts (``--reruns``): its pass is no evidence yet."""
    attempts = result.failed_attempts
    if not attempts:
        return None
    code = "critical-flaky" if result.critical else "flaky"
    text = _sentence(
        f"{_describe(result)} passed only after {_count(len(attempts), 'failed attempt')} (reruns); "
        "the first failure",
        attempts[0],
    )
    return _reason(code, text + " A pass after a retry is no evidence that the deployment is sound.", result)


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
    return _reason(code, text, result)


def _blocked_reasons(blocked: Sequence[CheckResult]) -> list[Reason]:
    """One ``stage-blocked`` reason per stage whose checks did not run, naming what blocked them.

    A blocked check's message reads ``blocked by <what>: <why>`` (gonogo.plugin.gating).
    """
    reasons = []
    for stage in (*STAGE_ORDER, None):
        mine = sorted((r for r in blocked if r.stage is stage), key=lambda r: r.nodeid)
        if not mine:
            continue
        causes: dict[str, str] = {}
        for result in mine:
            why = result.message.partition(": ")[2] if result.message.startswith("blocked by ") else ""
            causes.setdefault(str(result.blocked_by), why)
        listed = " and ".join(f"{cause} ({why})" if why else cause for cause, why in sorted(causes.items()))
        what = f"{stage} check" if stage is not None else "check outside the stage folders"
        text = f"{_count(len(mine), what)} did not run: blocked by {listed}."
        if set(causes) - {"launch"}:
            text += " `--keep-going` runs every stage anyway."
        reasons.append(Reason("stage-blocked", text, stage=stage))
    return reasons


def _finding_text(finding: Finding) -> str:
    unit = f" {finding.unit}" if finding.unit else ""
    text = f"{finding.name} {finding.verdict} (value {finding.value}{unit}"
    if finding.limit is not None:
        text += f", limit {finding.limit}{unit}"
    return text + (f", {finding.detail})" if finding.detail else ")")


def _reason(code: str, message: str, result: CheckResult) -> Reason:
    return Reason(code, message, result.nodeid, result.stage, result.critical)


_TOLERABLE = frozenset(
    {"noncritical-failed", "noncritical-error", "noncritical-skipped", "inconclusive", "flaky"}
)


def _tolerable(reason: Reason) -> bool:
    # a non-critical check that passed with a failing finding is no worse than one that failed
    return reason.code in _TOLERABLE or (reason.code == "finding-failed" and reason.critical is False)


def _tolerated(reason: Reason, score: float, policy: Policy) -> Reason:
    shown = f"{math.floor(score * 100) / 100:g}"
    text = f"{reason.message} Tolerated: the score {shown} meets the pass score {policy.pass_score:g}."
    return Reason("noncritical-tolerated", text, reason.nodeid, reason.stage, reason.critical)


def _person_decides(reason: Reason) -> Reason:
    return dataclasses.replace(reason, message=f"{reason.message} {PERSON_DECIDES}")


def _score_reasons(score: float, policy: Policy) -> list[Reason]:
    shown = f"{math.floor(score * 100) / 100:g}"  # rounded down: never shown at the limit
    if score < policy.warn_score:
        text = f"The score is {shown}, below the warn score {policy.warn_score:g}."
        return [Reason("score-below-warn", text)]
    if score < policy.pass_score:
        text = (
            f"The score is {shown}, below the pass score {policy.pass_score:g} "
            f"(warn score {policy.warn_score:g})."
        )
        return [Reason("score-below-pass", text)]
    return []


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
