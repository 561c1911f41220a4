"""The gate: one example per rule and per reason code, then the invariants as properties."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonogo.model import STAGE_ORDER, CheckResult, Finding, FindingVerdict, Outcome, Stage
from gonogo.verdict import REASON_CODES, Decision, Policy, Reason, RunState, Verdict, decide

ALL_STAGES = RunState(selected_stages=STAGE_ORDER)
SEVERITY = {Decision.GO: 0, Decision.HOLD: 1, Decision.NO_GO: 2, Decision.ROLLBACK: 3}
FOLDER = {Stage.PRECHECK: "checks", Stage.SMOKE: "smoke", Stage.POSTDEPLOY: "load", None: "tests"}


def check(
    stage: Stage | None = Stage.SMOKE,
    outcome: Outcome = Outcome.PASSED,
    name: str = "test_it",
    **settings: Any,
) -> CheckResult:
    nodeid = f"{FOLDER[stage]}/test_{stage or 'other'}.py::{name}"
    return CheckResult(nodeid=nodeid, stage=stage, outcome=outcome, **settings)


def green() -> list[CheckResult]:
    """One passing check per stage: a GO run to spoil."""
    return [check(stage) for stage in STAGE_ORDER]


def codes(verdict: Verdict) -> list[str]:
    return [reason.code for reason in verdict.reasons]


def only(stages: str) -> RunState:
    return RunState(selected_stages=tuple(Stage(name) for name in stages.split()))


# --- GO -------------------------------------------------------------------------------------------------


def test_a_passing_check_in_every_stage_is_go() -> None:
    verdict = decide(green(), ALL_STAGES)

    assert verdict == Verdict(Decision.GO, reasons=(), score=100.0, counted=3, passed=3)


def test_the_default_policy_is_pass_90_warn_75() -> None:
    assert Policy() == Policy(pass_score=90.0, warn_score=75.0)


# --- ROLLBACK -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "name", "message", "decision", "said"),
    [
        pytest.param(
            Stage.POSTDEPLOY,
            "test_p95",
            "p95 812 ms > 500 ms",
            Decision.ROLLBACK,
            "Critical postdeploy check load/test_postdeploy.py::test_p95 failed: p95 812 ms > 500 ms. "
            "The deployment is live and bad: roll back to the baseline.",
            id="a_critical_postdeploy_failure_is_rollback",
        ),
        pytest.param(
            Stage.SMOKE,
            "test_health",
            "expected 200, got 503",
            Decision.NO_GO,
            "Critical smoke check smoke/test_smoke.py::test_health failed: expected 200, got 503.",
            id="a_critical_smoke_failure_is_no_go",
        ),
    ],
)
def test_a_critical_failure_is_decided_by_its_stage(
    stage: Stage, name: str, message: str, decision: Decision, said: str
) -> None:
    failure = check(stage, Outcome.FAILED, name, message=message)

    verdict = decide([*green(), failure], ALL_STAGES)

    assert verdict.decision is decision
    assert verdict.reasons[0] == Reason(
        "critical-failed", said, nodeid=failure.nodeid, stage=stage, critical=True
    )
    assert verdict.reasons[0].decision is decision


def test_a_critical_postdeploy_failure_wins_over_a_critical_postdeploy_error() -> None:
    results = [
        *green(),
        check(Stage.POSTDEPLOY, Outcome.ERROR, "test_baseline"),
        check(Stage.POSTDEPLOY, Outcome.FAILED, "test_p95"),
    ]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.ROLLBACK
    assert codes(verdict) == ["critical-failed", "critical-error", "score-below-warn"]


def test_a_run_level_problem_with_a_critical_postdeploy_failure_is_rollback_with_both_reasons() -> None:
    run = replace(ALL_STAGES, interrupted=True)
    results = [*green(), check(Stage.POSTDEPLOY, Outcome.FAILED, "test_p95")]

    verdict = decide(results, run)

    assert verdict.decision is Decision.ROLLBACK
    assert codes(verdict)[:2] == ["critical-failed", "interrupted"]


# --- NO-GO: checks --------------------------------------------------------------------------------------


# a critical smoke failure: test_a_critical_failure_is_decided_by_its_stage[a_critical_smoke_failure_is_no_go]


def test_a_critical_precheck_failure_is_no_go() -> None:
    verdict = decide([*green(), check(Stage.PRECHECK, Outcome.FAILED)], ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert codes(verdict)[0] == "critical-failed"


def test_a_critical_failure_outside_the_stage_folders_is_no_go_never_rollback() -> None:
    failure = check(None, Outcome.FAILED, "test_extra", message="boom")

    verdict = decide([*green(), failure], ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert verdict.reasons[0].message == (
        "Critical check tests/test_other.py::test_extra (outside the stage folders) failed: boom."
    )


def test_a_critical_postdeploy_error_is_no_go_not_rollback() -> None:
    error = check(Stage.POSTDEPLOY, Outcome.ERROR, message="fixture 'baseline' failed")

    verdict = decide([*green(), error], ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert verdict.reasons[0].code == "critical-error"
    assert verdict.reasons[0].message == (
        "Critical postdeploy check load/test_postdeploy.py::test_it errored in setup or teardown: "
        "fixture 'baseline' failed. It verified nothing."
    )


def test_a_critical_check_skipped_without_policy_is_no_go() -> None:
    skipped = check(Stage.SMOKE, Outcome.SKIPPED, "test_tls", message="no certificate configured")

    verdict = decide([*green(), skipped], ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert verdict.reasons[0].code == "critical-skipped"
    assert "no certificate configured" in verdict.reasons[0].message


def test_a_policy_skip_is_not_counted_and_is_fine() -> None:
    skipped = check(Stage.SMOKE, Outcome.SKIPPED, "test_delete", policy_skip=True)

    verdict = decide([*green(), skipped], ALL_STAGES)

    assert verdict == Verdict(Decision.GO, reasons=(), score=100.0, counted=3, passed=3)


def test_a_policy_skip_does_not_excuse_an_error() -> None:
    error = check(Stage.SMOKE, Outcome.ERROR, "test_delete", policy_skip=True)

    verdict = decide([*green(), error], ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert verdict.counted == 4
    assert codes(verdict)[0] == "critical-error"


# --- NO-GO: nothing verified ----------------------------------------------------------------------------


def test_an_empty_run_is_no_go() -> None:
    verdict = decide([], ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert verdict.score is None
    assert (verdict.counted, verdict.passed) == (0, 0)
    assert codes(verdict) == ["empty-run", "empty-stage", "empty-stage", "empty-stage"]
    assert [reason.stage for reason in verdict.reasons] == [None, *STAGE_ORDER]


def test_a_run_of_dry_runs_and_policy_skips_is_an_empty_run() -> None:
    results = [
        check(Stage.SMOKE, dry_run=True),
        check(Stage.PRECHECK, Outcome.SKIPPED, policy_skip=True),
    ]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert codes(verdict)[0] == "empty-run"
    assert verdict.score is None


def test_a_selected_stage_without_a_counted_check_is_no_go() -> None:
    verdict = decide([check(Stage.PRECHECK)], ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert codes(verdict) == ["empty-stage", "empty-stage"]
    assert [reason.stage for reason in verdict.reasons] == [Stage.SMOKE, Stage.POSTDEPLOY]
    assert verdict.reasons[0].message == "No smoke check was counted: the smoke stage verified nothing."


def test_checks_outside_the_stage_folders_never_fill_a_stage() -> None:
    verdict = decide([check(None)], only("smoke"))

    assert verdict.decision is Decision.NO_GO
    assert codes(verdict) == ["empty-stage"]
    assert verdict.counted == 1


# --- stage selection ------------------------------------------------------------------------------------


def test_a_stage_run_is_judged_on_its_stage_only() -> None:
    results = [
        check(Stage.SMOKE),
        check(Stage.POSTDEPLOY, Outcome.FAILED),
        check(Stage.PRECHECK, Outcome.ERROR),
    ]

    verdict = decide(results, only("smoke"))

    assert verdict == Verdict(Decision.GO, reasons=(), score=100.0, counted=1, passed=1)


def test_checks_outside_the_stage_folders_count_in_a_stage_run() -> None:
    verdict = decide([check(Stage.SMOKE), check(None, Outcome.FAILED)], only("smoke"))

    assert verdict.decision is Decision.NO_GO
    assert verdict.counted == 2
    assert codes(verdict)[0] == "critical-failed"


# --- NO-GO: the run itself ------------------------------------------------------------------------------

RUN_PROBLEMS: dict[str, tuple[dict[str, Any], str]] = {
    "interrupted": (
        {"interrupted": True},
        "The run was interrupted (Ctrl-C or SIGTERM); its results are incomplete.",
    ),
    "internal-error": (
        {"internal_error": "KeyError: 'gate'\nTraceback ..."},
        "The run hit an internal error in pytest or gonogo: KeyError: 'gate'. The results cannot be trusted.",
    ),
    "collection-error": ({"collection_errors": 2}, "2 collection errors: the checks they hide never ran."),
    "stopped-early": (
        {"stopped_early": "-x / --maxfail stopped the run after 1 failure"},
        "The run stopped early: -x / --maxfail stopped the run after 1 failure. Later checks never ran.",
    ),
    "worker-crashed": (
        {"crashed_workers": ("gw1 crashed while running smoke/test_smoke.py::test_it",)},
        "A pytest-xdist worker crashed: gw1 crashed while running smoke/test_smoke.py::test_it. "
        "Its checks have no result.",
    ),
    "launch-failed": (
        {"launch_error": "no answer on /health after 30 s"},
        "The local target never became ready: no answer on /health after 30 s.",
    ),
    "unfinished": ({"unfinished": 1}, "1 collected check never reported a result."),
    "reports-unwritable": (
        {"reports_unwritable": "reports/staging/allure-results/x-result.json: No space left on device"},
        "gonogo could not write this run's reports: reports/staging/allure-results/x-result.json: No space "
        "left on device. The evidence QA reviews is incomplete.",
    ),
}


@pytest.mark.parametrize("code", RUN_PROBLEMS)
def test_a_run_level_problem_is_no_go_even_when_every_check_passed(code: str) -> None:
    problem, message = RUN_PROBLEMS[code]
    run = replace(ALL_STAGES, **problem)

    verdict = decide(green(), run)

    assert verdict.decision is Decision.NO_GO
    assert verdict.reasons == (Reason(code, message),)


def test_each_crashed_worker_gets_its_own_reason() -> None:
    run = replace(ALL_STAGES, crashed_workers=("gw0 lost", "gw1 lost"))

    verdict = decide(green(), run)

    assert codes(verdict) == ["worker-crashed", "worker-crashed"]


def test_run_level_reasons_come_before_empty_stages() -> None:
    verdict = decide([], replace(ALL_STAGES, interrupted=True, unfinished=3))

    assert codes(verdict) == [
        "interrupted",
        "unfinished",
        "empty-run",
        "empty-stage",
        "empty-stage",
        "empty-stage",
    ]


# --- HOLD -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (Outcome.FAILED, "noncritical-failed"),
        (Outcome.ERROR, "noncritical-error"),
        (Outcome.SKIPPED, "noncritical-skipped"),
    ],
)
def test_a_noncritical_problem_below_the_pass_score_is_hold(outcome: Outcome, code: str) -> None:
    results = [*green(), *green(), check(Stage.SMOKE, outcome, "test_cache", critical=False)]

    verdict = decide(results, ALL_STAGES)  # score 85.7: below the pass score 90

    assert verdict.decision is Decision.HOLD
    assert codes(verdict) == [code, "score-below-pass"]
    assert verdict.reasons[0].critical is False


def test_inconclusive_checks_are_left_out_of_the_score() -> None:
    results = [check(Stage.SMOKE), check(Stage.SMOKE, Outcome.INCONCLUSIVE, "test_short")]

    verdict = decide(results, only("smoke"))

    assert verdict.score == 100.0
    assert verdict.decision is Decision.HOLD
    assert codes(verdict) == ["critical-inconclusive"]


def test_a_run_of_only_inconclusive_checks_is_hold_without_a_score() -> None:
    verdict = decide([check(Stage.POSTDEPLOY, Outcome.INCONCLUSIVE)], only("postdeploy"))

    assert (verdict.decision, verdict.score) == (Decision.HOLD, None)
    assert codes(verdict) == ["critical-inconclusive"]


def test_a_noncritical_inconclusive_check_is_tolerated() -> None:
    results = [*green(), check(Stage.SMOKE, Outcome.INCONCLUSIVE, "test_cache", critical=False)]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.GO
    assert codes(verdict) == ["noncritical-tolerated"]


@pytest.mark.parametrize("outcome", [Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED])
def test_a_noncritical_problem_within_the_pass_score_is_tolerated(outcome: Outcome) -> None:
    results = [*green(), *green(), *green(), check(Stage.SMOKE, outcome, "test_cache", critical=False)]

    verdict = decide(results, ALL_STAGES)  # score 90: at the pass score

    assert verdict.decision is Decision.GO
    assert codes(verdict) == ["noncritical-tolerated"]
    assert verdict.reasons[0].decision is None
    assert verdict.reasons[0].message.endswith("Tolerated: the score 90 meets the pass score 90.")


def test_a_noncritical_postdeploy_failure_is_hold_not_rollback() -> None:
    results = [*green(), check(Stage.POSTDEPLOY, Outcome.FAILED, critical=False)]

    assert decide(results, ALL_STAGES).decision is Decision.HOLD


def test_a_critical_inconclusive_check_is_hold() -> None:
    results = [*green() * 9, check(Stage.POSTDEPLOY, Outcome.INCONCLUSIVE, message="only 80 requests < 200")]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.HOLD
    assert codes(verdict) == ["critical-inconclusive"]
    assert verdict.reasons[0].message == (
        "Critical postdeploy check load/test_postdeploy.py::test_it was inconclusive: "
        "only 80 requests < 200. A person decides."
    )


def test_a_passed_check_with_an_inconclusive_finding_is_hold() -> None:
    finding = Finding(
        "p95 latency", 212.0, FindingVerdict.INCONCLUSIVE, limit=500, unit="ms", detail="80 samples"
    )

    verdict = decide([*green(), check(Stage.POSTDEPLOY, findings=(finding,))], ALL_STAGES)

    assert verdict.decision is Decision.HOLD
    assert verdict.score == 100.0
    assert verdict.reasons[0].code == "critical-inconclusive"
    assert verdict.reasons[0].message == (
        "Critical postdeploy check load/test_postdeploy.py::test_it passed, but not every finding is a pass: "
        "p95 latency inconclusive (value 212.0 ms, limit 500 ms, 80 samples). A person decides."
    )


def test_a_passed_critical_check_with_a_failing_finding_is_hold() -> None:
    findings = (Finding("errors", 0.02, FindingVerdict.FAIL, limit=0.01), Finding("p95", 100.0))

    verdict = decide([*green(), check(Stage.SMOKE, findings=findings)], ALL_STAGES)

    assert verdict.decision is Decision.HOLD
    assert codes(verdict) == ["finding-failed"]
    assert "errors fail (value 0.02, limit 0.01)" in verdict.reasons[0].message


def test_a_passed_non_critical_check_with_a_failing_finding_is_tolerated_like_a_failure() -> None:
    findings = (Finding("errors", 0.02, FindingVerdict.FAIL, limit=0.01),)

    verdict = decide([*green(), check(Stage.SMOKE, findings=findings, critical=False)], ALL_STAGES)

    assert verdict.decision is Decision.GO
    assert codes(verdict) == ["noncritical-tolerated"]


# --- score ----------------------------------------------------------------------------------------------


def test_the_score_weighs_the_checks_that_passed() -> None:
    results = [
        *green(),
        check(Stage.SMOKE, weight=5.0),
        check(Stage.SMOKE, Outcome.FAILED, critical=False, weight=2),
    ]

    verdict = decide(results, ALL_STAGES, Policy(pass_score=80, warn_score=50))

    assert verdict.score == 80.0  # 8 of 10
    assert (verdict.counted, verdict.passed) == (5, 4)
    assert codes(verdict) == ["noncritical-tolerated"]
    assert verdict.decision is Decision.GO


def test_all_passed_scores_exactly_100_whatever_the_weights() -> None:
    results = [check(None, weight=28.932154469575362), check(Stage.SMOKE, weight=53.91437284112601)]

    verdict = decide(results, only("smoke"), Policy(pass_score=100, warn_score=100))

    assert verdict == Verdict(Decision.GO, reasons=(), score=100.0, counted=2, passed=2)


def test_a_score_below_warn_is_no_go() -> None:
    results = [*green(), check(Stage.SMOKE, Outcome.FAILED, critical=False, weight=3)]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert codes(verdict) == ["score-below-warn", "noncritical-failed"]
    assert verdict.reasons[0].message == "The score is 50, below the warn score 75."


def test_a_score_between_warn_and_pass_is_hold() -> None:
    results = [*green(), check(Stage.SMOKE, Outcome.FAILED, critical=False)]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.HOLD
    assert codes(verdict) == ["noncritical-failed", "score-below-pass"]
    assert (
        verdict.reasons[1].message
        == "The score is 75, below the pass score 90 (warn score 75). A person decides."
    )


def test_a_score_is_shown_rounded_down_so_it_never_reads_as_the_limit() -> None:
    results = [
        check(Stage.SMOKE, weight=74.99999),
        check(Stage.SMOKE, Outcome.FAILED, critical=False, weight=25.00001),
    ]

    verdict = decide(results, only("smoke"))

    assert verdict.score is not None
    assert 74.99 < verdict.score < 75
    assert verdict.reasons[0].message == "The score is 74.99, below the warn score 75."


def test_a_score_at_the_pass_score_gives_no_score_reason() -> None:
    results = [check(Stage.SMOKE), check(Stage.SMOKE, Outcome.FAILED, critical=False)]

    verdict = decide(results, only("smoke"), Policy(pass_score=50, warn_score=25))

    assert verdict.score == 50.0
    assert codes(verdict) == ["noncritical-tolerated"]


def test_a_score_at_the_warn_score_is_hold_not_no_go() -> None:
    results = [check(Stage.SMOKE), check(Stage.SMOKE, Outcome.FAILED, critical=False)]

    verdict = decide(results, only("smoke"), Policy(pass_score=60, warn_score=50))

    assert verdict.decision is Decision.HOLD
    assert codes(verdict) == ["noncritical-failed", "score-below-pass"]


@pytest.mark.parametrize("weight", [0, -1.0, float("nan"), float("inf")])
def test_a_weight_that_is_not_a_positive_number_is_rejected_naming_the_check(weight: float) -> None:
    bad = check(Stage.SMOKE, name="test_weighted", weight=weight, dry_run=True)

    with pytest.raises(
        ValueError, match=r"smoke/test_smoke.py::test_weighted: weight must be a finite number > 0"
    ):
        decide([*green(), bad], ALL_STAGES)


# --- dry runs -------------------------------------------------------------------------------------------


def test_a_dry_run_failure_is_reported_but_never_changes_the_decision() -> None:
    dry = check(Stage.POSTDEPLOY, Outcome.FAILED, "test_new_slo", dry_run=True, message="p99 900 ms")

    verdict = decide([*green(), dry], ALL_STAGES)

    assert verdict.decision is Decision.GO
    assert (verdict.score, verdict.counted) == (100.0, 3)
    assert verdict.reasons == (
        Reason(
            "dry-run-failed",
            "Dry-run critical postdeploy check load/test_postdeploy.py::test_new_slo failed: p99 900 ms. "
            "Dry runs are reported, never counted.",
            nodeid="load/test_postdeploy.py::test_new_slo",
            stage=Stage.POSTDEPLOY,
            critical=True,
        ),
    )
    assert verdict.reasons[0].decision is None


def test_a_dry_run_error_is_reported_as_errored() -> None:
    verdict = decide([*green(), check(Stage.SMOKE, Outcome.ERROR, dry_run=True)], ALL_STAGES)

    assert verdict.decision is Decision.GO
    assert codes(verdict) == ["dry-run-failed"]
    assert "errored" in verdict.reasons[0].message


def test_dry_run_reasons_come_after_every_blocking_reason() -> None:
    results = [
        *green() * 3,
        check(Stage.SMOKE, Outcome.FAILED, dry_run=True),
        check(outcome=Outcome.INCONCLUSIVE),
    ]

    assert codes(decide(results, ALL_STAGES)) == ["critical-inconclusive", "dry-run-failed"]


# --- ordering, messages, serialisation ------------------------------------------------------------------


def test_reasons_come_most_severe_first() -> None:
    results = [
        *green() * 20,
        check(Stage.SMOKE, Outcome.FAILED, "test_b", dry_run=True),
        check(Stage.SMOKE, Outcome.FAILED, "test_a", critical=False),
        check(Stage.PRECHECK, Outcome.FAILED, "test_c"),
        check(Stage.POSTDEPLOY, Outcome.FAILED, "test_d"),
    ]

    verdict = decide(results, ALL_STAGES)

    assert codes(verdict) == ["critical-failed", "critical-failed", "noncritical-tolerated", "dry-run-failed"]
    assert [reason.decision for reason in verdict.reasons] == [
        Decision.ROLLBACK,
        Decision.NO_GO,
        None,
        None,
    ]


def test_messages_keep_the_case_of_the_nodeid_and_use_the_first_line_of_the_message() -> None:
    failure = check(
        Stage.SMOKE, Outcome.FAILED, "test_API[GET /Items]", message="\n  assert 503 == 200\n  + where"
    )

    verdict = decide([*green(), failure], ALL_STAGES)

    assert verdict.reasons[0].message == (
        "Critical smoke check smoke/test_smoke.py::test_API[GET /Items] failed: assert 503 == 200."
    )


def test_a_check_without_a_message_gets_a_plain_sentence() -> None:
    verdict = decide([*green(), check(Stage.PRECHECK, Outcome.FAILED, "test_lock")], ALL_STAGES)

    assert verdict.reasons[0].message == "Critical precheck check checks/test_precheck.py::test_lock failed."


def test_the_verdict_serialises_to_json() -> None:
    results = [*green(), check(Stage.POSTDEPLOY, Outcome.FAILED, "test_p95")]

    data = json.loads(json.dumps(decide(results, ALL_STAGES).to_dict()))

    assert data["decision"] == "ROLLBACK"
    assert data["score"] == 75.0
    assert (data["counted"], data["passed"]) == (4, 3)
    assert data["reasons"][0] == {
        "code": "critical-failed",
        "decision": "ROLLBACK",
        "message": "Critical postdeploy check load/test_postdeploy.py::test_p95 failed. "
        "The deployment is live and bad: roll back to the baseline.",
        "nodeid": "load/test_postdeploy.py::test_p95",
        "stage": "postdeploy",
        "critical": True,
    }


def test_no_go_is_spelled_with_a_hyphen() -> None:
    assert Decision.NO_GO.value == "NO-GO"
    assert [str(decision) for decision in Decision] == ["GO", "HOLD", "NO-GO", "ROLLBACK"]


# --- stages are gates: blocked stages, and what ROLLBACK means --------------------------------------------

BLOCKED_BY_SMOKE = "blocked by smoke: critical smoke check smoke/test_smoke.py::test_health failed"


def test_a_target_that_is_down_is_no_go_not_rollback() -> None:
    # with --keep-going (or under xdist, before the smoke failure was known) the load check ran anyway
    results = [
        check(Stage.PRECHECK),
        check(Stage.SMOKE, Outcome.FAILED, "test_health", message="connection refused"),
        check(Stage.POSTDEPLOY, Outcome.FAILED, "test_load", message="200 of 200 requests failed"),
    ]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    postdeploy = next(r for r in verdict.reasons if r.stage is Stage.POSTDEPLOY)
    assert postdeploy.decision is Decision.NO_GO
    assert postdeploy.message == (
        "Critical postdeploy check load/test_postdeploy.py::test_load failed: 200 of 200 requests failed. "
        "The smoke stage did not pass, so the deployment was never shown to be serving: "
        "do not promote it (nothing to roll back)."
    )


def test_a_postdeploy_failure_after_a_passing_smoke_stage_is_rollback_even_if_precheck_failed() -> None:
    results = [
        *green(),
        check(Stage.PRECHECK, Outcome.FAILED, "test_pins"),
        check(Stage.POSTDEPLOY, Outcome.FAILED),
    ]

    assert decide(results, ALL_STAGES).decision is Decision.ROLLBACK


def test_a_postdeploy_failure_in_a_run_without_smoke_but_with_precheck_is_no_go() -> None:
    # only a postdeploy-only run, or a passing smoke stage, shows that the deployment was serving
    results = [check(Stage.PRECHECK), check(Stage.POSTDEPLOY, Outcome.FAILED)]

    assert decide(results, only("precheck postdeploy")).decision is Decision.NO_GO
    assert decide(results[1:], only("postdeploy")).decision is Decision.ROLLBACK


def test_a_stage_blocked_by_an_earlier_failure_is_no_go_naming_the_blocker() -> None:
    results = [
        check(Stage.PRECHECK),
        check(Stage.SMOKE, Outcome.FAILED, "test_health", message="connection refused"),
        check(Stage.POSTDEPLOY, Outcome.SKIPPED, "test_load", blocked_by="smoke", message=BLOCKED_BY_SMOKE),
        check(Stage.POSTDEPLOY, Outcome.SKIPPED, "test_watch", blocked_by="smoke", message=BLOCKED_BY_SMOKE),
    ]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert codes(verdict) == ["critical-failed", "stage-blocked", "score-below-warn"]
    assert verdict.reasons[1] == Reason(
        "stage-blocked",
        "2 postdeploy checks did not run: blocked by smoke (critical smoke check "
        "smoke/test_smoke.py::test_health failed). `--keep-going` runs every stage anyway.",
        stage=Stage.POSTDEPLOY,
    )
    assert (verdict.counted, verdict.passed) == (2, 1)


def test_a_blocked_stage_is_not_also_an_empty_stage() -> None:
    results = [
        check(Stage.PRECHECK),
        check(Stage.SMOKE, Outcome.FAILED),
        check(Stage.POSTDEPLOY, Outcome.SKIPPED, blocked_by="smoke", message=BLOCKED_BY_SMOKE),
    ]

    assert "empty-stage" not in codes(decide(results, ALL_STAGES))


def test_checks_blocked_by_a_target_that_never_started_leave_the_file_prechecks_counted() -> None:
    blocked = "blocked by launch: the [launch] target never became ready"
    results = [
        check(Stage.PRECHECK, name="test_config"),
        check(Stage.PRECHECK, Outcome.SKIPPED, "test_dns", blocked_by="launch", message=blocked),
        check(Stage.SMOKE, Outcome.SKIPPED, "test_health", blocked_by="launch", message=blocked),
        check(Stage.POSTDEPLOY, Outcome.SKIPPED, "test_load", blocked_by="launch", message=blocked),
    ]
    run = replace(ALL_STAGES, launch_error="the target exited with code 1 before http://x/health answered")

    verdict = decide(results, run)

    assert verdict.decision is Decision.NO_GO
    assert codes(verdict) == ["launch-failed", "stage-blocked", "stage-blocked", "stage-blocked"]
    assert "interrupted" not in codes(verdict)
    assert verdict.reasons[2].message == (
        "1 smoke check did not run: blocked by launch (the [launch] target never became ready)."
    )
    assert (verdict.counted, verdict.passed) == (1, 1)


# --- reruns ---------------------------------------------------------------------------------------------


def test_a_critical_check_that_passed_only_after_reruns_is_hold_with_its_failed_attempts() -> None:
    flaky = check(Stage.SMOKE, name="test_health", failed_attempts=("assert 503 == 200", "timed out"))

    verdict = decide([*green(), flaky], ALL_STAGES)

    assert verdict.decision is Decision.HOLD
    assert codes(verdict) == ["critical-flaky"]
    assert verdict.reasons[0].message == (
        "Critical smoke check smoke/test_smoke.py::test_health passed only after 2 failed attempts (reruns); "
        "the first failure: assert 503 == 200. A pass after a retry is no evidence that the deployment is "
        "sound. A person decides."
    )


def test_a_non_critical_flaky_check_is_tolerated_within_the_pass_score() -> None:
    verdict = decide([*green(), check(critical=False, failed_attempts=("timed out",))], ALL_STAGES)

    assert verdict.decision is Decision.GO
    assert codes(verdict) == ["noncritical-tolerated"]


# --- only a HOLD leaves a person to decide --------------------------------------------------------------


def test_a_no_go_never_says_a_person_decides() -> None:
    results = [
        *green(),
        check(Stage.SMOKE, Outcome.FAILED, "test_version", message="version mismatch"),
        check(Stage.POSTDEPLOY, Outcome.INCONCLUSIVE, "test_load", message="only 80 requests"),
    ]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.NO_GO
    assert "score-below-pass" in codes(verdict)
    assert not [r.message for r in verdict.reasons if "decides" in r.message]


def test_a_hold_says_a_person_decides_in_every_reason_that_holds_it() -> None:
    results = [*green(), check(Stage.SMOKE, Outcome.FAILED, critical=False)]

    verdict = decide(results, ALL_STAGES)

    assert verdict.decision is Decision.HOLD
    assert all(r.message.endswith("A person decides.") for r in verdict.reasons)


# --- every reason code, and validation ------------------------------------------------------------------

#: one run per reason code that produces it, with the decision it calls for
EVERY_CODE: dict[str, tuple[list[CheckResult], RunState, Decision | None]] = {
    "critical-failed": ([*green(), check(Stage.SMOKE, Outcome.FAILED)], ALL_STAGES, Decision.NO_GO),
    "critical-error": ([*green(), check(Stage.SMOKE, Outcome.ERROR)], ALL_STAGES, Decision.NO_GO),
    "critical-skipped": ([*green(), check(Stage.SMOKE, Outcome.SKIPPED)], ALL_STAGES, Decision.NO_GO),
    "critical-inconclusive": (
        [*green(), check(Stage.SMOKE, Outcome.INCONCLUSIVE)],
        ALL_STAGES,
        Decision.HOLD,
    ),
    "noncritical-tolerated": (
        [*green() * 3, check(outcome=Outcome.FAILED, critical=False)],
        ALL_STAGES,
        None,
    ),
    "noncritical-failed": (
        [*green(), check(outcome=Outcome.FAILED, critical=False)],
        ALL_STAGES,
        Decision.HOLD,
    ),
    "noncritical-error": (
        [*green(), check(outcome=Outcome.ERROR, critical=False)],
        ALL_STAGES,
        Decision.HOLD,
    ),
    "noncritical-skipped": (
        [*green(), check(outcome=Outcome.SKIPPED, critical=False)],
        ALL_STAGES,
        Decision.HOLD,
    ),
    "inconclusive": (
        # held only while a failure keeps the score below the pass score
        [
            *green(),
            check(outcome=Outcome.FAILED, critical=False),
            check(outcome=Outcome.INCONCLUSIVE, critical=False),
        ],
        ALL_STAGES,
        Decision.HOLD,
    ),
    "finding-failed": (
        [*green(), check(findings=(Finding("x", 1, FindingVerdict.FAIL),))],
        ALL_STAGES,
        Decision.HOLD,
    ),
    "empty-stage": ([check(Stage.SMOKE)], ALL_STAGES, Decision.NO_GO),
    "empty-run": ([], ALL_STAGES, Decision.NO_GO),
    **{
        code: (green(), replace(ALL_STAGES, **problem), Decision.NO_GO)
        for code, (problem, _) in RUN_PROBLEMS.items()
    },
    "score-below-warn": (
        [check(Stage.SMOKE), check(outcome=Outcome.FAILED, critical=False)],
        only("smoke"),
        Decision.NO_GO,
    ),
    "score-below-pass": (
        [*green(), check(outcome=Outcome.FAILED, critical=False)],
        ALL_STAGES,
        Decision.HOLD,
    ),
    "dry-run-failed": ([*green(), check(outcome=Outcome.FAILED, dry_run=True)], ALL_STAGES, None),
    "stage-blocked": (
        [*green(), check(Stage.POSTDEPLOY, Outcome.SKIPPED, "test_load", blocked_by="smoke")],
        ALL_STAGES,
        Decision.NO_GO,
    ),
    "critical-flaky": ([*green(), check(failed_attempts=("assert 503 == 200",))], ALL_STAGES, Decision.HOLD),
    "flaky": (
        # held only while a failure keeps the score below the pass score
        [
            *green(),
            check(outcome=Outcome.FAILED, critical=False),
            check(critical=False, failed_attempts=("timed out",)),
        ],
        ALL_STAGES,
        Decision.HOLD,
    ),
}


@pytest.mark.parametrize("code", EVERY_CODE)
def test_each_reason_code_calls_for_its_decision(code: str) -> None:
    results, run, expected = EVERY_CODE[code]

    verdict = decide(results, run)

    reason = next(reason for reason in verdict.reasons if reason.code == code)
    assert reason.decision is expected
    assert REASON_CODES[code] is expected
    assert reason.message.endswith(".")
    assert SEVERITY[verdict.decision] >= SEVERITY[expected or Decision.GO]


def test_every_reason_code_has_an_example() -> None:
    assert set(EVERY_CODE) == set(REASON_CODES)


@pytest.mark.parametrize(("pass_score", "warn_score"), [(80, 85), (101, 75), (90, -1), (float("nan"), 75)])
def test_a_policy_out_of_order_is_rejected(pass_score: float, warn_score: float) -> None:
    with pytest.raises(ValueError, match=r"0 <= warn_score <= pass_score <= 100, got warn_score="):
        Policy(pass_score=pass_score, warn_score=warn_score)


def test_a_policy_may_put_both_scores_at_the_ends() -> None:
    assert Policy(pass_score=100, warn_score=100).warn_score == 100
    assert Policy(pass_score=0, warn_score=0).pass_score == 0


def test_a_run_must_judge_at_least_one_stage() -> None:
    with pytest.raises(ValueError, match="selected_stages is empty"):
        RunState(selected_stages=())


def test_a_run_cannot_have_negative_counts() -> None:
    with pytest.raises(ValueError, match="are counts"):
        RunState(selected_stages=STAGE_ORDER, unfinished=-1)


def test_a_reason_code_must_be_known() -> None:
    with pytest.raises(ValueError, match="unknown reason code 'critical-fail'; known: critical-failed, "):
        Reason("critical-fail", "typo")


# --- properties -----------------------------------------------------------------------------------------

stages = st.sampled_from(STAGE_ORDER)
findings = st.builds(
    Finding,
    name=st.sampled_from(["p95", "errors", "version"]),
    value=st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=5)),
    verdict=st.sampled_from(FindingVerdict),
    limit=st.one_of(st.none(), st.integers(0, 10)),
    unit=st.sampled_from(["", "ms"]),
    detail=st.text(max_size=5),
)
results = st.builds(
    CheckResult,
    nodeid=st.text(alphabet="abc/:_[]", min_size=1, max_size=8),
    stage=st.one_of(st.none(), stages),
    outcome=st.one_of(st.just(Outcome.PASSED), st.sampled_from(Outcome)),
    critical=st.booleans(),
    weight=st.floats(min_value=0.01, max_value=100),
    dry_run=st.booleans(),
    policy_skip=st.booleans(),
    message=st.text(max_size=12),
    findings=st.lists(findings, max_size=2).map(tuple),
    blocked_by=st.one_of(st.none(), st.none(), st.sampled_from(["precheck", "smoke", "launch"])),
    failed_attempts=st.one_of(st.just(()), st.lists(st.text(max_size=5), max_size=2).map(tuple)),
)
result_lists = st.lists(results, max_size=12)
selections = st.lists(stages, min_size=1, max_size=3, unique=True).map(tuple)
problem_runs = st.builds(
    RunState,
    selected_stages=selections,
    interrupted=st.booleans(),
    internal_error=st.one_of(st.none(), st.text(max_size=8)),
    collection_errors=st.integers(0, 3),
    stopped_early=st.one_of(st.none(), st.text(max_size=8)),
    crashed_workers=st.lists(st.text(max_size=8), max_size=2).map(tuple),
    launch_error=st.one_of(st.none(), st.text(max_size=8)),
    unfinished=st.integers(0, 3),
)
clean_runs = st.builds(RunState, selected_stages=selections)
runs = st.one_of(clean_runs, problem_runs)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    pass_score = draw(st.floats(min_value=0, max_value=100))
    return Policy(pass_score=pass_score, warn_score=draw(st.floats(min_value=0, max_value=pass_score)))


@st.composite
def troubled_runs(draw: st.DrawFn) -> RunState:
    """A run with at least one run-level problem."""
    problem, _ = draw(st.sampled_from(list(RUN_PROBLEMS.values())))
    return replace(draw(runs), **problem)


def is_counted(result: CheckResult, run: RunState) -> bool:
    judged = result.stage is None or result.stage in run.selected_stages
    skipped = result.outcome is Outcome.SKIPPED
    policy_skipped = result.policy_skip and skipped
    blocked = result.blocked_by is not None and skipped
    return judged and not result.dry_run and not policy_skipped and not blocked


def was_serving(results: list[CheckResult], run: RunState) -> bool:
    """The rule, restated: a postdeploy-only run, or one whose smoke stage counted checks and passed."""
    if run.selected_stages == (Stage.POSTDEPLOY,):
        return True
    smoke = [r for r in results if r.stage is Stage.SMOKE and is_counted(r, run)]
    bad = (Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED)
    return (
        Stage.SMOKE in run.selected_stages
        and run.launch_error is None
        and bool(smoke)
        and not any(r.critical and r.outcome in bad for r in smoke)
    )


def blocking(verdict: Verdict) -> list[Reason]:
    return [reason for reason in verdict.reasons if reason.decision is not None]


@given(result_lists, runs, policies(), st.data())
def test_a_counted_critical_failure_is_never_go(
    results: list[CheckResult], run: RunState, policy: Policy, data: st.DataObject
) -> None:
    stage = data.draw(st.sampled_from([None, *run.selected_stages]))
    failure = CheckResult("x::failed", stage, data.draw(st.sampled_from([Outcome.FAILED, Outcome.ERROR])))

    verdict = decide([*results, failure], run, policy)

    assert verdict.decision in (Decision.NO_GO, Decision.ROLLBACK)


@given(result_lists, runs, policies(), st.data())
def test_a_counted_critical_postdeploy_failure_in_a_postdeploy_run_is_always_rollback(
    results: list[CheckResult], run: RunState, policy: Policy, data: st.DataObject
) -> None:
    run = replace(run, selected_stages=(Stage.POSTDEPLOY,))
    failure = CheckResult("load/x::p95", Stage.POSTDEPLOY, Outcome.FAILED)
    position = data.draw(st.integers(0, len(results)))

    verdict = decide([*results[:position], failure, *results[position:]], run, policy)

    assert verdict.decision is Decision.ROLLBACK
    assert verdict.reasons[0].code == "critical-failed"


@given(result_lists, runs, policies(), st.sampled_from([Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED]))
def test_a_critical_postdeploy_failure_after_a_failed_smoke_stage_is_never_rollback(
    results: list[CheckResult], run: RunState, policy: Policy, smoke_outcome: Outcome
) -> None:
    run = replace(run, selected_stages=STAGE_ORDER)
    smoke = CheckResult("smoke/x::health", Stage.SMOKE, smoke_outcome, message="connection refused")
    failure = CheckResult("load/x::p95", Stage.POSTDEPLOY, Outcome.FAILED, message="every request failed")

    verdict = decide([*results, smoke, failure], run, policy)

    assert verdict.decision is Decision.NO_GO


@given(result_lists, runs, policies())
def test_rollback_means_a_counted_critical_postdeploy_failure_on_a_serving_deployment(
    results: list[CheckResult], run: RunState, policy: Policy
) -> None:
    expected = was_serving(results, run) and any(
        is_counted(r, run) and r.critical and r.stage is Stage.POSTDEPLOY and r.outcome is Outcome.FAILED
        for r in results
    )

    assert (decide(results, run, policy).decision is Decision.ROLLBACK) == expected


@given(result_lists, runs, policies(), st.sampled_from(["dry_run", "policy_skip", "outside"]))
def test_an_empty_run_is_never_go(
    results: list[CheckResult], run: RunState, policy: Policy, how: str
) -> None:
    unselected = [stage for stage in STAGE_ORDER if stage not in run.selected_stages]
    if how == "dry_run":
        uncounted = [replace(r, dry_run=True) for r in results]
    elif how == "policy_skip":
        uncounted = [replace(r, outcome=Outcome.SKIPPED, policy_skip=True) for r in results]
    else:
        uncounted = [replace(r, stage=unselected[0]) for r in results] if unselected else []

    verdict = decide(uncounted, run, policy)

    assert verdict.decision is Decision.NO_GO
    assert "empty-run" in codes(verdict)
    assert verdict.score is None


@given(result_lists, troubled_runs(), policies())
def test_a_run_level_problem_is_never_go(results: list[CheckResult], run: RunState, policy: Policy) -> None:
    assert decide(results, run, policy).decision in (Decision.NO_GO, Decision.ROLLBACK)


@given(result_lists, result_lists, runs, policies())
def test_dry_runs_never_change_the_decision(
    results: list[CheckResult], extra: list[CheckResult], run: RunState, policy: Policy
) -> None:
    dry_runs = [replace(r, dry_run=True) for r in extra]

    without, with_dry_runs = decide(results, run, policy), decide([*dry_runs, *results], run, policy)

    assert with_dry_runs.decision is without.decision
    assert (with_dry_runs.score, with_dry_runs.counted, with_dry_runs.passed) == (
        without.score,
        without.counted,
        without.passed,
    )
    assert blocking(with_dry_runs) == blocking(without)


@given(result_lists, result_lists, runs, policies())
def test_policy_skips_never_change_the_verdict(
    results: list[CheckResult], extra: list[CheckResult], run: RunState, policy: Policy
) -> None:
    policy_skips = [replace(r, outcome=Outcome.SKIPPED, policy_skip=True) for r in extra]

    assert decide([*results, *policy_skips], run, policy) == decide(results, run, policy)


@given(result_lists, runs, policies())
def test_go_means_the_pass_score_and_a_counted_check_in_every_selected_stage(
    results: list[CheckResult], run: RunState, policy: Policy
) -> None:
    verdict = decide(results, run, policy)

    if verdict.decision is Decision.GO:
        assert verdict.score is not None
        assert verdict.score >= policy.pass_score
        # only non-critical checks may fall short of a pass, and only within the pass score
        judged = [r for r in results if is_counted(r, run)]
        assert all(r.outcome is Outcome.PASSED for r in judged if r.critical)
        for stage in run.selected_stages:
            assert any(is_counted(r, run) and r.stage is stage for r in results)
        assert blocking(verdict) == []


@given(result_lists, result_lists, runs, policies(), st.data())
def test_results_outside_the_selected_stages_never_change_the_verdict(
    results: list[CheckResult], extra: list[CheckResult], run: RunState, policy: Policy, data: st.DataObject
) -> None:
    unselected = [stage for stage in STAGE_ORDER if stage not in run.selected_stages]
    outside = [replace(r, stage=data.draw(st.sampled_from(unselected))) for r in extra] if unselected else []
    mixed = data.draw(st.permutations([*results, *outside]))

    assert decide(mixed, run, policy) == decide(results, run, policy)


@given(result_lists, runs, policies(), st.data())
def test_the_verdict_does_not_depend_on_the_order_of_the_results(
    results: list[CheckResult], run: RunState, policy: Policy, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(results))

    assert decide(shuffled, run, policy) == decide(results, run, policy)


@given(result_lists, runs, policies())
def test_the_decision_is_that_of_the_most_severe_reason_listed_first(
    results: list[CheckResult], run: RunState, policy: Policy
) -> None:
    verdict = decide(results, run, policy)

    severities = [SEVERITY[reason.decision] for reason in verdict.reasons if reason.decision is not None]
    assert severities == sorted(severities, reverse=True)
    assert verdict.reasons[: len(severities)] == tuple(blocking(verdict))  # info-only reasons come last
    assert SEVERITY[verdict.decision] == max(severities, default=0)


@given(result_lists, runs, policies())
def test_the_score_is_a_percentage_of_the_counted_checks(
    results: list[CheckResult], run: RunState, policy: Policy
) -> None:
    verdict = decide(results, run, policy)

    assert verdict.counted == sum(is_counted(r, run) for r in results)
    assert verdict.passed == sum(is_counted(r, run) and r.outcome is Outcome.PASSED for r in results)
    decided = sum(is_counted(r, run) and r.outcome is not Outcome.INCONCLUSIVE for r in results)
    if decided == 0:
        assert verdict.score is None  # inconclusive checks gave no answer: they are not scored
    else:
        assert verdict.score is not None
        assert 0 <= verdict.score <= 100
        assert (verdict.score == 100) == (verdict.passed == decided)


@given(result_lists, runs, policies(), st.data())
def test_a_worse_outcome_never_gives_a_better_decision(
    results: list[CheckResult], run: RunState, policy: Policy, data: st.DataObject
) -> None:
    passing = [index for index, r in enumerate(results) if r.outcome is Outcome.PASSED]
    if not passing:
        return
    index = data.draw(st.sampled_from(passing))
    worse = data.draw(st.sampled_from([Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED, Outcome.INCONCLUSIVE]))
    # the check itself did worse; a skip excused by policy is not an outcome of the check
    spoiled = [
        *results[:index],
        replace(results[index], outcome=worse, policy_skip=False),
        *results[index + 1 :],
    ]

    before, after = decide(results, run, policy), decide(spoiled, run, policy)

    # the one exception: a smoke stage that no longer passes means the deployment was never shown to be
    # serving, so a postdeploy failure stops being a rollback (NO-GO: nothing to roll back from)
    unserved = (before.decision, after.decision) == (Decision.ROLLBACK, Decision.NO_GO)
    assert SEVERITY[after.decision] >= SEVERITY[before.decision] or (
        unserved and results[index].stage is Stage.SMOKE
    )


@given(result_lists, runs, policies())
def test_every_reason_is_a_sentence_that_serialises(
    results: list[CheckResult], run: RunState, policy: Policy
) -> None:
    verdict = decide(results, run, policy)

    assert json.loads(json.dumps(verdict.to_dict()))["decision"] == verdict.decision.value
    for reason in verdict.reasons:
        assert reason.message[0].isupper() or reason.message[0].isdigit()
        assert reason.message.endswith((".", "!", "?"))
