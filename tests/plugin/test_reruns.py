"""Reruns (pytest-rerunfailures ``--reruns``): a check that passed only after failing is flaky, the run
HOLD with its failed attempts in gate.json, never a silent GO; the last attempt decides the outcome."""

from __future__ import annotations

import pytest

from tests.plugin.gate_runs import MODES, GateSuite

pytest.importorskip("pytest_rerunfailures", reason="pytest-rerunfailures is in the dev extra")

#: fails twice, then passes: a state file counts the attempts (each attempt is a fresh call)
FLAKY = """
from pathlib import Path

def test_health(findings):
    counter = Path("attempts")
    attempt = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(attempt))
    findings.measure("latency", 900 if attempt < 3 else 12, limit=300, unit="ms")
    assert attempt >= 3, f"attempt {attempt}: HTTP 503"
"""


@pytest.fixture
def suite(suite: GateSuite) -> GateSuite:
    """The healthy project (conftest.py) with smoke/test_flaky.py added."""
    suite.add("smoke/test_flaky.py", FLAKY)
    return suite


@pytest.mark.parametrize("mode", MODES)
def test_a_check_that_passed_only_after_reruns_is_flaky_and_the_run_is_hold(
    suite: GateSuite, mode: list[str]
) -> None:
    run = suite.run("--reruns", "3", *mode)

    assert (run.ret, run.gate and run.gate["verdict"]) == (10, "HOLD"), run.output
    check = run.check("smoke/test_flaky.py::test_health")
    assert check["outcome"] == "passed"
    assert [a.splitlines()[0] for a in check["failed_attempts"]] == [
        "attempt 1: HTTP 503",
        "attempt 2: HTTP 503",
    ]
    # the last attempt's findings only: the failed attempts' 900 ms is not this attempt's measurement
    assert [(f["value"], f["verdict"]) for f in check["findings"]] == [(12, "pass")]
    assert run.codes() == ["critical-flaky"]
    assert (
        "passed only after 2 failed attempts (reruns); the first failure: attempt 1: HTTP 503" in run.stdout
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_check_that_fails_every_attempt_is_failed_with_its_earlier_attempts(
    suite: GateSuite, mode: list[str]
) -> None:
    run = suite.run("--reruns", "1", *mode)

    assert (run.ret, run.gate and run.gate["verdict"]) == (11, "NO-GO"), run.output
    check = run.check("smoke/test_flaky.py::test_health")
    assert check["outcome"] == "failed"
    assert check["message"].startswith("attempt 2: HTTP 503")
    assert [a.splitlines()[0] for a in check["failed_attempts"]] == ["attempt 1: HTTP 503"]
