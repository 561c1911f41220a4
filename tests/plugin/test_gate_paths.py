"""Every way a run can end, judged through real pytest runs: gate.json's verdict and the exit code,
with and without pytest-xdist (the verdicts must be identical)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gonogo.plugin.gate import EXIT_CODES
from gonogo.reporting.gate_json import SCHEMA_PATH
from gonogo.verdict import Decision

ENV = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n'
SCHEMA = json.loads(SCHEMA_PATH.read_text())

MODES = [pytest.param([], id="serial"), pytest.param(["-n", "2"], id="xdist")]


@pytest.fixture(autouse=True)
def _clean_gonogo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GONOGO_ENV", "GONOGO_ENV_DIR", "GONOGO_STAGES", "GONOGO_GATE_MODE", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)


class Suite:
    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        (pytester.path / "environments").mkdir()
        self.env(ENV)
        pytester.makeini("[pytest]\naddopts = --import-mode=importlib -p no:cacheprovider\n")

    def env(self, text: str, name: str = "staging") -> None:
        (self.pytester.path / "environments" / f"{name}.toml").write_text(text)

    def add(self, path: str, source: str) -> None:
        target = self.pytester.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)

    def healthy(self) -> None:
        self.add("checks/test_pre.py", "def test_pre(): pass\n")
        self.add("smoke/test_smoke.py", "def test_smoke(): pass\n")
        self.add("load/test_post.py", "def test_post(): pass\n")

    def run(self, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
        result = self.pytester.runpytest_subprocess("--env", "staging", *args, timeout=120)
        gate_path = self.pytester.path / "reports" / "staging" / "gate.json"
        assert gate_path.is_file(), (
            f"no gate.json after the run:\n{result.stdout.str()}\n{result.stderr.str()}"
        )
        gate = json.loads(gate_path.read_text())
        jsonschema.validate(gate, SCHEMA)
        assert gate["exit_code"] == result.ret
        return result, gate


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Suite:
    return Suite(pytester)


def codes(gate: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in gate["reasons"]]


@pytest.mark.parametrize("mode", MODES)
def test_all_checks_passing_in_every_stage_is_go(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("GO", 0)
    assert gate["reasons"] == []
    assert gate["run"]["stages_run"] == ["precheck", "smoke", "postdeploy"]
    result.stdout.fnmatch_lines(
        ["*gonogo verdict: GO*", "GO for staging: 3/3 counted checks passed, score 100.0; exit 0"]
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_critical_smoke_failure_is_no_go_naming_the_check(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("smoke/test_broken.py", "def test_broken():\n    assert False, 'version mismatch'\n")
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("NO-GO", EXIT_CODES[Decision.NO_GO])
    assert gate["reasons"][0]["nodeid"] == "smoke/test_broken.py::test_broken"
    result.stdout.fnmatch_lines(["*critical-failed*smoke/test_broken.py::test_broken*version mismatch*"])


@pytest.mark.parametrize("mode", MODES)
def test_a_critical_postdeploy_failure_is_rollback(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("load/test_p95.py", "def test_p95():\n    assert 900 <= 500, 'p95 900 ms above 500 ms'\n")
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("ROLLBACK", 12)


@pytest.mark.parametrize("mode", MODES)
def test_a_non_critical_failure_below_the_pass_score_is_hold(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_soft.py",
        "import pytest\n@pytest.mark.gate(critical=False)\ndef test_soft():\n    assert False\n",
    )
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("HOLD", 10)
    assert codes(gate) == ["noncritical-failed", "score-below-pass"]


@pytest.mark.parametrize("mode", MODES)
def test_a_light_non_critical_failure_within_the_pass_score_is_tolerated(
    suite: Suite, mode: list[str]
) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_soft.py",
        "import pytest\n@pytest.mark.gate(critical=False, weight=0.1)\ndef test_soft():\n    assert False\n",
    )
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("GO", 0)
    assert codes(gate) == ["noncritical-tolerated"]


@pytest.mark.parametrize("mode", MODES)
def test_a_critical_inconclusive_finding_is_hold_never_go(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "load/test_few.py",
        "def test_few(findings):\n"
        "    findings.inconclusive('requests', 12, limit=200, detail='too few samples after warm-up')\n",
    )
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("HOLD", 10)
    check = next(c for c in gate["checks"] if c["nodeid"] == "load/test_few.py::test_few")
    assert check["outcome"] == "inconclusive"
    assert check["findings"][0]["verdict"] == "inconclusive"


@pytest.mark.parametrize("mode", MODES)
def test_a_failing_finding_on_a_passing_check_fails_it(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_quiet.py",
        "def test_quiet(findings):\n    findings.measure('latency', 900, limit=300, unit='ms')\n",
    )
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"


@pytest.mark.parametrize("mode", MODES)
def test_dry_run_checks_are_reported_but_never_change_the_verdict(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_new.py",
        "import pytest\n@pytest.mark.gate(dry_run=True)\n"
        "def test_new():\n    assert False, 'not ready yet'\n",
    )
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("GO", 0)
    assert codes(gate) == ["dry-run-failed"]


@pytest.mark.parametrize("mode", MODES)
def test_a_run_that_verified_nothing_is_no_go(suite: Suite, mode: list[str]) -> None:
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("NO-GO", 11)
    assert "empty-run" in codes(gate)


@pytest.mark.parametrize("mode", MODES)
def test_a_selected_stage_without_checks_is_no_go(suite: Suite, mode: list[str]) -> None:
    suite.add("checks/test_pre.py", "def test_pre(): pass\n")
    suite.add("smoke/test_smoke.py", "def test_smoke(): pass\n")
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    empty = [r for r in gate["reasons"] if r["code"] == "empty-stage"]
    assert [r["stage"] for r in empty] == ["postdeploy"]


@pytest.mark.parametrize("mode", MODES)
def test_a_stage_subset_is_judged_on_its_own_stages_only(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("checks/test_broken_pre.py", "def test_broken_pre():\n    assert False\n")
    result, gate = suite.run("--stage", "smoke", *mode)
    assert (gate["verdict"], result.ret) == ("GO", 0)
    assert gate["run"]["stages_selected"] == ["smoke"]


@pytest.mark.parametrize("mode", MODES)
def test_a_collection_error_is_no_go(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("smoke/test_syntax.py", "def test_oops(:\n")
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    assert "collection-error" in codes(gate)


@pytest.mark.parametrize("mode", MODES)
def test_a_fixture_error_is_no_go(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_fixture.py",
        "import pytest\n@pytest.fixture\ndef broken():\n    raise RuntimeError('no token')\n"
        "def test_uses(broken): pass\n",
    )
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    assert "critical-error" in codes(gate)


@pytest.mark.parametrize("mode", MODES)
def test_a_skip_inside_a_critical_check_is_no_go(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_skip.py", "import pytest\ndef test_skip():\n    pytest.skip('endpoint not ready')\n"
    )
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    assert "critical-skipped" in codes(gate)


@pytest.mark.parametrize("mode", MODES)
def test_a_policy_skip_is_not_counted(suite: Suite, mode: list[str]) -> None:
    suite.env(ENV + "sensitive = true\n")
    suite.healthy()
    suite.add("smoke/test_write.py", "import pytest\n@pytest.mark.destructive\ndef test_write(): pass\n")
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("GO", 0)
    check = next(c for c in gate["checks"] if c["nodeid"].endswith("test_write"))
    assert check["policy_skip"] is True


@pytest.mark.parametrize("mode", MODES)
def test_stopping_early_with_x_is_no_go(suite: Suite, mode: list[str]) -> None:
    suite.add("checks/test_pre.py", "def test_pre(): pass\n")
    suite.add("smoke/test_a.py", "def test_fails():\n    assert False\n")
    suite.add("smoke/test_b.py", "\n".join(f"def test_{i}(): pass" for i in range(6)) + "\n")
    suite.add("load/test_post.py", "def test_post(): pass\n")
    suite.add("smoke/conftest.py", "")
    _, gate = suite.run("-x", *mode)
    assert gate["verdict"] == "NO-GO"
    assert set(codes(gate)) & {"stopped-early", "unfinished", "interrupted"}


@pytest.mark.parametrize("mode", MODES)
def test_a_keyboard_interrupt_is_no_go(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("smoke/test_ctrl_c.py", "def test_ctrl_c():\n    raise KeyboardInterrupt\n")
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    assert "interrupted" in codes(gate) or "unfinished" in codes(gate)


def test_a_crashed_xdist_worker_is_no_go(suite: Suite) -> None:
    suite.healthy()
    suite.add("smoke/test_crash.py", "import os\ndef test_crash():\n    os._exit(1)\n")
    _, gate = suite.run("-n", "2")
    assert gate["verdict"] == "NO-GO"
    assert "worker-crashed" in codes(gate)


def test_a_crashing_check_without_xdist_is_no_go(suite: Suite) -> None:
    # without xdist the crash takes pytest down before any gate.json: the previous one is gone
    suite.healthy()
    _, gate = suite.run()
    assert gate["verdict"] == "GO"
    suite.add("smoke/test_crash.py", "import os\ndef test_crash():\n    os._exit(1)\n")
    result = suite.pytester.runpytest_subprocess("--env", "staging", timeout=60)
    assert result.ret == 1
    assert not (suite.pytester.path / "reports" / "staging" / "gate.json").exists()


@pytest.mark.parametrize("mode", MODES)
def test_an_internal_error_is_no_go(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "conftest.py",
        "import pytest\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    if item.name == 'test_smoke' and call.when == 'call':\n"
        "        raise RuntimeError('plugin bug')\n",
    )
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    assert set(codes(gate)) & {"internal-error", "worker-crashed", "unfinished"}


@pytest.mark.parametrize("mode", MODES)
def test_an_invalid_gate_marker_fails_the_check_closed(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_marker.py", "import pytest\n@pytest.mark.gate(critcal=False)\ndef test_marker(): pass\n"
    )
    result, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.gate on smoke/test_marker.py::test_marker: unknown argument 'critcal'*"]
    )


def test_report_mode_records_the_verdict_and_keeps_pytest_exit_code(suite: Suite) -> None:
    suite.healthy()
    suite.add("smoke/test_broken.py", "def test_broken():\n    assert False\n")
    result, gate = suite.run("--gate-mode", "report")
    assert (gate["verdict"], result.ret, gate["run"]["gate_mode"]) == ("NO-GO", 1, "report")
    result.stdout.fnmatch_lines(["*exit 1 (report mode: exit code unchanged)"])


def test_score_thresholds_come_from_the_file_and_the_command_line(suite: Suite) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_soft.py",
        "import pytest\n@pytest.mark.gate(critical=False, weight=3)\ndef test_soft():\n    assert False\n",
    )
    suite.env(ENV + "[gate]\npass_score = 50\nwarn_score = 40\n")
    _, gate = suite.run()  # score 50 meets the file's pass score: the non-critical failure is tolerated
    assert gate["score"] == 50.0
    assert gate["verdict"] == "GO"
    _, gate = suite.run("--gate-warn-score", "60", "--gate-pass-score", "70")
    assert gate["verdict"] == "NO-GO"
    assert "score-below-warn" in codes(gate)


def test_the_previous_gate_json_is_removed_when_a_run_starts(suite: Suite) -> None:
    suite.healthy()
    suite.run()
    suite.env(
        'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n[launch]\ncommand = ["false"]\n'
        "timeout_s = 2\n"
    )
    result, gate = suite.run()
    assert (gate["verdict"], result.ret) == ("NO-GO", 11)
    assert "launch-failed" in codes(gate)
    result.stdout.fnmatch_lines(["*the target exited with code 1 before*"])


def test_the_deployment_report_is_appended_to_the_github_step_summary(
    suite: Suite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    suite.healthy()
    suite.run()
    text = summary.read_text()
    assert text.startswith("# earlier step\n")
    assert "## 🚀 DEPLOYMENT REPORT" in text
    assert "🚦 VERDICT: **GO**" in text


def test_a_usage_error_removes_the_previous_gate_json(suite: Suite) -> None:
    suite.healthy()
    _, gate = suite.run()
    assert gate["verdict"] == "GO"
    suite.env(ENV + "[gate]\npass_scor = 80\n")
    result = suite.pytester.runpytest_subprocess("--env", "staging", timeout=60)
    assert result.ret == 4
    assert not (suite.pytester.path / "reports" / "staging" / "gate.json").exists()
    assert not (suite.pytester.path / "reports" / "staging" / "deployment-report.md").exists()


def test_collect_only_neither_judges_nor_launches(suite: Suite) -> None:
    suite.healthy()
    suite.env(ENV + '[launch]\ncommand = ["false"]\n')
    result = suite.pytester.runpytest_subprocess("--env", "staging", "--collect-only", "-q", timeout=60)
    assert result.ret == 13  # no verdict: exit 0 is a fresh GO only (test_informational_runs.py)
    assert not (suite.pytester.path / "reports" / "staging" / "gate.json").exists()
    assert "target exited" not in result.stdout.str()


@pytest.mark.parametrize("mode", MODES)
def test_xfail_inside_a_critical_check_is_a_skip_that_fails_closed(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add("smoke/test_giveup.py", "import pytest\ndef test_giveup():\n    pytest.xfail('flaky today')\n")
    _, gate = suite.run(*mode)
    assert gate["verdict"] == "NO-GO"
    assert "critical-skipped" in codes(gate)


@pytest.mark.parametrize("mode", MODES)
def test_a_declared_xfail_is_reported_never_counted(suite: Suite, mode: list[str]) -> None:
    suite.healthy()
    suite.add(
        "smoke/test_known.py",
        "import pytest\n@pytest.mark.xfail(reason='ticket 123')\ndef test_known():\n    assert False\n",
    )
    result, gate = suite.run(*mode)
    assert (gate["verdict"], result.ret) == ("GO", 0)
    check = next(c for c in gate["checks"] if c["nodeid"].endswith("test_known"))
    assert (check["outcome"], check["policy_skip"], check["message"]) == (
        "skipped",
        True,
        "xfail: ticket 123",
    )


def test_gate_json_is_strict_json_and_readable_by_others(suite: Suite) -> None:
    suite.healthy()
    suite.add("load/test_nan.py", "def test_nan(findings):\n    findings.record('ratio', float('nan'))\n")
    _, gate = suite.run()
    check = next(c for c in gate["checks"] if c["nodeid"].endswith("test_nan"))
    assert check["findings"][0]["value"] is None
    path = suite.pytester.path / "reports" / "staging" / "gate.json"
    assert "NaN" not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_launch_failure_is_no_go_11_in_report_mode_too(suite: Suite) -> None:
    suite.healthy()
    suite.env(ENV + '[launch]\ncommand = ["false"]\ntimeout_s = 2\n')
    result, gate = suite.run("--gate-mode", "report")
    assert (gate["verdict"], result.ret, gate["run"]["gate_mode"]) == ("NO-GO", 11, "report")


def test_a_rollback_names_the_baseline_and_its_rollback_command(suite: Suite) -> None:
    suite.env(
        ENV + '[baseline]\nbase_url = "http://127.0.0.1:8"\n'
        'rollback_command = "wrangler rollback ${BLUE_ID:-abc123} --env production -y"\n'
    )
    suite.healthy()
    suite.add("load/test_p95.py", "def test_p95():\n    assert False, 'p95 900 ms above 500 ms'\n")
    result, gate = suite.run()
    assert (gate["verdict"], result.ret) == ("ROLLBACK", 12)
    assert gate["environment"]["rollback_command"] == "wrangler rollback abc123 --env production -y"
    report = (suite.pytester.path / "reports" / "staging" / "deployment-report.md").read_text()
    assert "- Roll back now: route traffic back to the baseline http://127.0.0.1:8;" in report
    assert "- Run: `wrangler rollback abc123 --env production -y`" in report
