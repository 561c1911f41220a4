"""Exit 0 means a fresh GO and nothing else: runs that judge nothing, and a check that ends pytest itself.

Each case ends with ``gonogo verdict``, the second lock every CI recipe calls after pytest: it must
refuse to promote whatever pytest exited with.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.plugin.gate_runs import MODES, GateSuite, Run
from tests.support.runs import output, run_gonogo, run_pytest

NO_VERDICT = 13


def gonogo_verdict(suite: GateSuite, *args: str) -> subprocess.CompletedProcess[str]:
    return run_gonogo("verdict", *args, cwd=suite.path, env=suite.environ())


def a_go_is_on_disk(suite: GateSuite) -> None:
    run = suite.run()
    assert (run.ret, run.gate and run.gate["verdict"]) == (0, "GO"), run.output


@pytest.mark.parametrize("option", ["--collect-only", "--markers", "--fixtures", "--setup-plan"])
def test_an_informational_run_exits_13_and_leaves_no_gate_json(suite: GateSuite, option: str) -> None:
    a_go_is_on_disk(suite)

    run = suite.run(option)

    assert run.ret == NO_VERDICT, run.output
    assert run.gate is None  # neither the earlier GO nor a NO-GO that claims the run was interrupted
    assert f"{option} judges nothing: no verdict and no gate.json" in run.stdout
    assert gonogo_verdict(suite, "reports/staging").returncode == 11


@pytest.mark.parametrize("mode", MODES)
def test_collect_only_through_pytest_addopts_is_no_go(suite: GateSuite, mode: list[str]) -> None:
    a_go_is_on_disk(suite)

    run = suite.run(*mode, env={"PYTEST_ADDOPTS": "--co -q"})

    assert (run.ret, run.gate) == (NO_VERDICT, None), run.output
    assert "test_post" in run.stdout  # it did list the checks
    assert gonogo_verdict(suite, "reports/staging").returncode == 11


def test_an_informational_run_in_report_mode_keeps_pytest_code_and_writes_nothing(suite: GateSuite) -> None:
    a_go_is_on_disk(suite)

    run = suite.run("--collect-only", "--gate-mode=report")

    assert (run.ret, run.gate) == (0, None), run.output
    assert gonogo_verdict(suite, "reports/staging").returncode == 11


def test_without_an_environment_informational_runs_are_plain_pytest(suite: GateSuite) -> None:
    completed = run_pytest("--collect-only", "-q", cwd=suite.path, env=suite.environ(), timeout_s=120)

    assert completed.returncode == 0, output(completed)


def test_a_check_that_calls_os_exit_0_exits_0_without_gate_json_and_gonogo_verdict_refuses(
    suite: GateSuite,
) -> None:
    a_go_is_on_disk(suite)
    suite.add("smoke/test_bye.py", "import os\ndef test_bye():\n    os._exit(0)\n")

    run: Run = suite.run("-p", "no:randomly")

    assert (run.ret, run.gate) == (0, None), run.output  # nothing in pytest can stop this exit 0
    verdict = gonogo_verdict(suite, "reports/staging")
    assert verdict.returncode == 11
    assert "no gate.json at reports/staging/gate.json" in verdict.stderr
