"""Every way a run can end, judged through real pytest runs: gate.json's verdict and the exit code,
with and without pytest-xdist (the verdicts must be identical)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gonogo.plugin.gate import EXIT_CODES
from gonogo.verdict import Decision
from tests.plugin.gate_runs import ENV, MODES, GateSuite, Run


@pytest.fixture
def suite(pytester: pytest.Pytester) -> GateSuite:
    """An empty project: each test adds the checks it is about (``suite.healthy()``: one per stage)."""
    return GateSuite(pytester)


def judged(suite: GateSuite, *args: str, env: dict[str, str] | None = None) -> tuple[Run, dict[str, Any]]:
    """The run and its gate.json, which must be there (schema-checked) and carry the run's exit code."""
    run = suite.run(*args, env=env)
    assert run.gate is not None, f"no gate.json after the run:\n{run.stdout}\n{run.stderr}"
    assert run.gate["exit_code"] == run.ret
    return run, run.gate


def codes(gate: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in gate["reasons"]]


@dataclass(frozen=True)
class Ending:
    """One check added to the healthy project, and how the run must be judged for it."""

    path: str
    source: str
    verdict: str
    #: the reasons' codes, exactly, when the case says them all
    codes: tuple[str, ...] | None = None
    #: at least one of these codes among the reasons (where the way of ending may vary by mode)
    one_of: frozenset[str] = frozenset()


ENDINGS = [
    pytest.param(
        Ending(
            "load/test_p95.py",
            "def test_p95():\n    assert 900 <= 500, 'p95 900 ms above 500 ms'\n",
            "ROLLBACK",
        ),
        id="a_critical_postdeploy_failure_is_rollback",
    ),
    pytest.param(
        Ending(
            "smoke/test_soft.py",
            "import pytest\n@pytest.mark.gate(critical=False)\ndef test_soft():\n    assert False\n",
            "HOLD",
            codes=("noncritical-failed", "score-below-pass"),
        ),
        id="a_non_critical_failure_below_the_pass_score_is_hold",
    ),
    pytest.param(
        Ending(
            "smoke/test_soft.py",
            "import pytest\n@pytest.mark.gate(critical=False, weight=0.1)\n"
            "def test_soft():\n    assert False\n",
            "GO",
            codes=("noncritical-tolerated",),
        ),
        id="a_light_non_critical_failure_within_the_pass_score_is_tolerated",
    ),
    pytest.param(
        Ending(
            "smoke/test_quiet.py",
            "def test_quiet(findings):\n    findings.measure('latency', 900, limit=300, unit='ms')\n",
            "NO-GO",
        ),
        id="a_failing_finding_on_a_passing_check_fails_it",
    ),
    pytest.param(
        Ending(
            "smoke/test_new.py",
            "import pytest\n@pytest.mark.gate(dry_run=True)\n"
            "def test_new():\n    assert False, 'not ready yet'\n",
            "GO",
            codes=("dry-run-failed",),
        ),
        id="dry_run_checks_are_reported_but_never_change_the_verdict",
    ),
    pytest.param(
        Ending("smoke/test_syntax.py", "def test_oops(:\n", "NO-GO", one_of=frozenset({"collection-error"})),
        id="a_collection_error_is_no_go",
    ),
    pytest.param(
        Ending(
            "smoke/test_fixture.py",
            "import pytest\n@pytest.fixture\ndef broken():\n    raise RuntimeError('no token')\n"
            "def test_uses(broken): pass\n",
            "NO-GO",
            one_of=frozenset({"critical-error"}),
        ),
        id="a_fixture_error_is_no_go",
    ),
    pytest.param(
        Ending(
            "smoke/test_skip.py",
            "import pytest\ndef test_skip():\n    pytest.skip('endpoint not ready')\n",
            "NO-GO",
            one_of=frozenset({"critical-skipped"}),
        ),
        id="a_skip_inside_a_critical_check_is_no_go",
    ),
    pytest.param(
        Ending(
            "smoke/test_giveup.py",
            "import pytest\ndef test_giveup():\n    pytest.xfail('flaky today')\n",
            "NO-GO",
            one_of=frozenset({"critical-skipped"}),
        ),
        id="xfail_inside_a_critical_check_is_a_skip_that_fails_closed",
    ),
    pytest.param(
        Ending(
            "smoke/test_ctrl_c.py",
            "def test_ctrl_c():\n    raise KeyboardInterrupt\n",
            "NO-GO",
            one_of=frozenset({"interrupted", "unfinished"}),
        ),
        id="a_keyboard_interrupt_is_no_go",
    ),
    pytest.param(
        Ending(
            "conftest.py",
            "import pytest\n"
            "@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n"
            "    if item.name == 'test_smoke' and call.when == 'call':\n"
            "        raise RuntimeError('plugin bug')\n",
            "NO-GO",
            one_of=frozenset({"internal-error", "worker-crashed", "unfinished"}),
        ),
        id="an_internal_error_is_no_go",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ending", ENDINGS)
def test_how_one_check_ends_decides_the_verdict(suite: GateSuite, ending: Ending, mode: list[str]) -> None:
    suite.healthy()
    suite.add(ending.path, ending.source)
    run, gate = judged(suite, *mode)
    assert (gate["verdict"], run.ret) == (ending.verdict, EXIT_CODES[Decision(ending.verdict)])
    if ending.codes is not None:
        assert codes(gate) == list(ending.codes)
    if ending.one_of:
        assert set(codes(gate)) & ending.one_of, codes(gate)


@pytest.mark.parametrize("mode", MODES)
def test_all_checks_passing_in_every_stage_is_go(suite: GateSuite, mode: list[str]) -> None:
    suite.healthy()
    run, gate = judged(suite, *mode)
    assert (gate["verdict"], run.ret) == ("GO", 0)
    assert gate["reasons"] == []
    assert gate["run"]["stages_run"] == ["precheck", "smoke", "postdeploy"]
    run.lines.fnmatch_lines(
        ["*gonogo verdict: GO*", "GO for staging: 3/3 counted checks passed, score 100.0; exit 0"]
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_critical_smoke_failure_is_no_go_naming_the_check(suite: GateSuite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("smoke/test_broken.py", "def test_broken():\n    assert False, 'version mismatch'\n")
    run, gate = judged(suite, *mode)
    assert (gate["verdict"], run.ret) == ("NO-GO", EXIT_CODES[Decision.NO_GO])
    assert gate["reasons"][0]["nodeid"] == "smoke/test_broken.py::test_broken"
    run.lines.fnmatch_lines(["*critical-failed*smoke/test_broken.py::test_broken*version mismatch*"])


@pytest.mark.parametrize("mode", MODES)
def test_a_critical_inconclusive_finding_is_hold_never_go(suite: GateSuite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "load/test_few.py",
        "def test_few(findings):\n"
        "    findings.inconclusive('requests', 12, limit=200, detail='too few samples after warm-up')\n",
    )
    run, gate = judged(suite, *mode)
    assert (gate["verdict"], run.ret) == ("HOLD", 10)
    check = next(c for c in gate["checks"] if c["nodeid"] == "load/test_few.py::test_few")
    assert check["outcome"] == "inconclusive"
    assert check["findings"][0]["verdict"] == "inconclusive"


@pytest.mark.parametrize("mode", MODES)
def test_a_run_that_verified_nothing_is_no_go(suite: GateSuite, mode: list[str]) -> None:
    run, gate = judged(suite, *mode)
    assert (gate["verdict"], run.ret) == ("NO-GO", 11)
    assert "empty-run" in codes(gate)


@pytest.mark.parametrize("mode", MODES)
def test_a_selected_stage_without_checks_is_no_go(suite: GateSuite, mode: list[str]) -> None:
    suite.add("checks/test_pre.py", "def test_pre(): pass\n")
    suite.add("smoke/test_smoke.py", "def test_smoke(): pass\n")
    _, gate = judged(suite, *mode)
    assert gate["verdict"] == "NO-GO"
    empty = [r for r in gate["reasons"] if r["code"] == "empty-stage"]
    assert [r["stage"] for r in empty] == ["postdeploy"]


@pytest.mark.parametrize("mode", MODES)
def test_a_stage_subset_is_judged_on_its_own_stages_only(suite: GateSuite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("checks/test_broken_pre.py", "def test_broken_pre():\n    assert False\n")
    run, gate = judged(suite, "--stage", "smoke", *mode)
    assert (gate["verdict"], run.ret) == ("GO", 0)
    assert gate["run"]["stages_selected"] == ["smoke"]


@pytest.mark.parametrize("mode", MODES)
def test_a_policy_skip_is_not_counted(suite: GateSuite, mode: list[str]) -> None:
    suite.env(ENV + "sensitive = true\n")
    suite.healthy()
    suite.add("smoke/test_write.py", "import pytest\n@pytest.mark.destructive\ndef test_write(): pass\n")
    run, gate = judged(suite, *mode)
    assert (gate["verdict"], run.ret) == ("GO", 0)
    check = next(c for c in gate["checks"] if c["nodeid"].endswith("test_write"))
    assert check["policy_skip"] is True


@pytest.mark.parametrize("mode", MODES)
def test_stopping_early_with_x_is_no_go(suite: GateSuite, mode: list[str]) -> None:
    suite.add("checks/test_pre.py", "def test_pre(): pass\n")
    suite.add("smoke/test_a.py", "def test_fails():\n    assert False\n")
    suite.add("smoke/test_b.py", "\n".join(f"def test_{i}(): pass" for i in range(6)) + "\n")
    suite.add("load/test_post.py", "def test_post(): pass\n")
    suite.add("smoke/conftest.py", "")
    _, gate = judged(suite, "-x", *mode)
    assert gate["verdict"] == "NO-GO"
    assert set(codes(gate)) & {"stopped-early", "unfinished", "interrupted"}


def test_a_crashed_xdist_worker_is_no_go(suite: GateSuite) -> None:
    suite.healthy()
    suite.add("smoke/test_crash.py", "import os\ndef test_crash():\n    os._exit(1)\n")
    _, gate = judged(suite, "-n", "2")
    assert gate["verdict"] == "NO-GO"
    assert "worker-crashed" in codes(gate)


def test_a_crashing_check_without_xdist_is_no_go(suite: GateSuite) -> None:
    # without xdist the crash takes pytest down before any gate.json: the previous one is gone
    suite.healthy()
    _, gate = judged(suite)
    assert gate["verdict"] == "GO"
    suite.add("smoke/test_crash.py", "import os\ndef test_crash():\n    os._exit(1)\n")
    crashed = suite.run()
    assert crashed.ret == 1, crashed.output
    assert not (suite.path / "reports" / "staging" / "gate.json").exists()


@pytest.mark.parametrize("mode", MODES)
def test_an_invalid_gate_marker_fails_the_check_closed(suite: GateSuite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_marker.py", "import pytest\n@pytest.mark.gate(critcal=False)\ndef test_marker(): pass\n"
    )
    run, gate = judged(suite, *mode)
    assert gate["verdict"] == "NO-GO"
    run.lines.fnmatch_lines(
        ["*@pytest.mark.gate on smoke/test_marker.py::test_marker: unknown argument 'critcal'*"]
    )


def test_report_mode_records_the_verdict_and_keeps_pytest_exit_code(suite: GateSuite) -> None:
    suite.healthy()
    suite.add("smoke/test_broken.py", "def test_broken():\n    assert False\n")
    run, gate = judged(suite, "--gate-mode", "report")
    assert (gate["verdict"], run.ret, gate["run"]["gate_mode"]) == ("NO-GO", 1, "report")
    run.lines.fnmatch_lines(["*exit 1 (report mode: exit code unchanged)"])


def test_score_thresholds_come_from_the_file_and_the_command_line(suite: GateSuite) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_soft.py",
        "import pytest\n@pytest.mark.gate(critical=False, weight=3)\ndef test_soft():\n    assert False\n",
    )
    suite.env(ENV + "[gate]\npass_score = 50\nwarn_score = 40\n")
    _, gate = judged(suite)  # score 50 meets the file's pass score: the non-critical failure is tolerated
    assert gate["score"] == 50.0
    assert gate["verdict"] == "GO"
    _, gate = judged(suite, "--gate-warn-score", "60", "--gate-pass-score", "70")
    assert gate["verdict"] == "NO-GO"
    assert "score-below-warn" in codes(gate)


def test_the_previous_gate_json_is_removed_when_a_run_starts(suite: GateSuite) -> None:
    suite.healthy()
    judged(suite)
    suite.env(
        'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n[launch]\ncommand = ["false"]\n'
        "timeout_s = 2\n"
    )
    run, gate = judged(suite)
    assert (gate["verdict"], run.ret) == ("NO-GO", 11)
    assert "launch-failed" in codes(gate)
    run.lines.fnmatch_lines(["*the target exited with code 1 before*"])


def test_the_deployment_report_is_appended_to_the_github_step_summary(
    suite: GateSuite, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    suite.healthy()
    judged(suite, env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text()
    assert text.startswith("# earlier step\n")
    assert "## 🚀 DEPLOYMENT REPORT" in text
    assert "🚦 VERDICT: **GO**" in text


def test_a_usage_error_removes_the_previous_gate_json(suite: GateSuite) -> None:
    suite.healthy()
    _, gate = judged(suite)
    assert gate["verdict"] == "GO"
    suite.env(ENV + "[gate]\npass_scor = 80\n")
    refused = suite.run()
    assert refused.ret == 4, refused.output
    assert not (suite.path / "reports" / "staging" / "gate.json").exists()
    assert not (suite.path / "reports" / "staging" / "deployment-report.md").exists()


def test_collect_only_neither_judges_nor_launches(suite: GateSuite) -> None:
    suite.healthy()
    suite.env(ENV + '[launch]\ncommand = ["false"]\n')
    listed = suite.run("--collect-only", "-q")
    assert listed.ret == 13  # no verdict: exit 0 is a fresh GO only (test_informational_runs.py)
    assert not (suite.path / "reports" / "staging" / "gate.json").exists()
    assert "target exited" not in listed.stdout


@pytest.mark.parametrize("mode", MODES)
def test_a_declared_xfail_is_reported_never_counted(suite: GateSuite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_known.py",
        "import pytest\n@pytest.mark.xfail(reason='ticket 123')\ndef test_known():\n    assert False\n",
    )
    run, gate = judged(suite, *mode)
    assert (gate["verdict"], run.ret) == ("GO", 0)
    check = next(c for c in gate["checks"] if c["nodeid"].endswith("test_known"))
    assert (check["outcome"], check["policy_skip"], check["message"]) == (
        "skipped",
        True,
        "xfail: ticket 123",
    )


def test_gate_json_is_strict_json_and_readable_by_others(suite: GateSuite) -> None:
    suite.healthy()
    suite.add("load/test_nan.py", "def test_nan(findings):\n    findings.record('ratio', float('nan'))\n")
    _, gate = judged(suite)
    check = next(c for c in gate["checks"] if c["nodeid"].endswith("test_nan"))
    assert check["findings"][0]["value"] is None
    path = suite.path / "reports" / "staging" / "gate.json"
    assert "NaN" not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_launch_failure_is_no_go_11_in_report_mode_too(suite: GateSuite) -> None:
    suite.healthy()
    suite.env(ENV + '[launch]\ncommand = ["false"]\ntimeout_s = 2\n')
    run, gate = judged(suite, "--gate-mode", "report")
    assert (gate["verdict"], run.ret, gate["run"]["gate_mode"]) == ("NO-GO", 11, "report")


def test_a_rollback_names_the_baseline_and_its_rollback_command(suite: GateSuite) -> None:
    suite.env(
        ENV + '[baseline]\nbase_url = "http://127.0.0.1:8"\n'
        'rollback_command = "wrangler rollback ${BLUE_ID:-abc123} --env production -y"\n'
    )
    suite.healthy()
    suite.add("load/test_p95.py", "def test_p95():\n    assert False, 'p95 900 ms above 500 ms'\n")
    run, gate = judged(suite)
    assert (gate["verdict"], run.ret) == ("ROLLBACK", 12)
    assert gate["environment"]["rollback_command"] == "wrangler rollback abc123 --env production -y"
    report = (suite.path / "reports" / "staging" / "deployment-report.md").read_text()
    assert "- Roll back now: route traffic back to the baseline http://127.0.0.1:8;" in report
    assert "- Run: `wrangler rollback abc123 --env production -y`" in report
