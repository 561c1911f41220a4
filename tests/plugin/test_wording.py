"""Small truths in what the run says: the check's own words in reasons, HOLD's words only on HOLD, the
report's timing named for what it is, and progress lines that reach the log under pytest-xdist too."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.plugin.gate_runs import MODES, GateSuite

#: a long check that says how it is doing, and waits until the test has seen that line in the log
PROGRESS = """
import time
from pathlib import Path

from gonogo.plugin.output import terminal_writer

def test_watch(request):
    write = terminal_writer(request.config)
    write("gonogo watch: 1/2 windows, error rate 0.0% (waiting for the log)")
    deadline = time.monotonic() + 60
    while not Path("seen").exists():
        assert time.monotonic() < deadline, "nobody saw the progress line while the check ran"
        time.sleep(0.05)
    write("gonogo watch: 2/2 windows, done")
"""


@pytest.mark.parametrize("mode", MODES)
def test_reasons_carry_the_checks_words_without_pytests_exception_names(
    suite: GateSuite, mode: list[str]
) -> None:
    suite.add(
        "smoke/test_version.py",
        "import pytest\n"
        "def test_version():\n    pytest.fail('version mismatch: expected 1.0.0, got 9.9.9', pytrace=False)\n"
        "def test_p95():\n    assert False, 'p95 900 ms > 500 ms'\n",
    )

    run = suite.run(*mode)

    assert run.gate is not None, run.output
    messages = [reason["message"] for reason in run.gate["reasons"]]
    assert (
        "Critical smoke check smoke/test_version.py::test_version failed: "
        "version mismatch: expected 1.0.0, got 9.9.9."
    ) in messages
    assert "Critical smoke check smoke/test_version.py::test_p95 failed: p95 900 ms > 500 ms." in messages
    assert not [m for m in messages if "Failed: " in m or "AssertionError" in m]
    assert "failed: Failed:" not in run.stdout


def test_a_no_go_leaves_nobody_to_decide_and_a_hold_says_a_person_decides(suite: GateSuite) -> None:
    soft = "import pytest\n@pytest.mark.gate(critical=False)\ndef test_docs():\n    assert False\n"
    suite.add("smoke/test_docs.py", soft)
    suite.add("smoke/test_more.py", "".join(f"def test_{n}(): pass\n" for n in range(4)))
    held = suite.run()  # 7 of 8 passed: score 87.5
    suite.add("smoke/test_broken.py", "def test_broken():\n    assert False, 'HTTP 503'\n")
    refused = suite.run("--keep-going")  # 7 of 9: score 77.8, and a critical failure

    assert held.gate is not None, held.output
    assert refused.gate is not None, refused.output
    assert (held.gate["verdict"], refused.gate["verdict"]) == ("HOLD", "NO-GO")
    assert "score-below-pass" in held.codes()
    assert "score-below-pass" in refused.codes()
    reasons_shown = [line for line in refused.stdout.splitlines() if line.startswith("  - ")]
    assert "A person decides." in held.stdout
    assert reasons_shown
    assert not [line for line in reasons_shown if "decides" in line]
    assert not [r for r in refused.gate["reasons"] if "decides" in r["message"]]


def test_the_deployment_report_names_the_verification_time_not_a_deploy_time(suite: GateSuite) -> None:
    suite.run()

    report = (suite.path / "reports" / "staging" / "deployment-report.md").read_text()
    assert "- Verification time: " in report
    assert "(this gonogo run; the deploy itself is not timed)" in report
    assert "Deploy time" not in report


def test_progress_lines_of_a_long_check_reach_the_log_while_it_runs_under_xdist(suite: GateSuite) -> None:
    suite.add("load/test_watch.py", PROGRESS)
    seen_at = None
    lines = []
    with subprocess.Popen(
        suite.argv("-n", "2", "-p", "no:randomly"),
        cwd=suite.path,
        env=suite.environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        started = time.monotonic()
        for line in process.stdout:
            lines.append(line)
            if "gonogo watch: 1/2 windows" in line and seen_at is None:
                seen_at = time.monotonic() - started
                (suite.path / "seen").touch()  # only now may the check finish
        process.wait(timeout=120)
    output = "".join(lines)

    assert process.returncode == 0, output
    assert seen_at is not None, output
    assert "] gonogo watch: 1/2 windows, error rate 0.0% (waiting for the log)" in output
    assert "] gonogo watch: 2/2 windows, done" in output
    shown = [line for line in lines if "gonogo watch:" in line]
    assert all(line.startswith("[gw") for line in shown), shown
