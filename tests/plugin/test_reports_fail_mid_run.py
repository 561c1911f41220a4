"""Reports that stop being writable after the run started: NO-GO with a reason, never an INTERNALERROR.

The start of a run checks that the reports folder takes writes (tests/plugin/test_unwritable_reports.py);
these are the faults that come later. A disk that fills up while the checks run (a 1 MiB tmpfs on the
reports folder, in a private mount namespace, filled by a check) and an Allure results folder that
breaks after the checks passed, just as the gate hands its verdict over: each is the reason
``reports-unwritable``, exit 11, and a verdict that is never delivered as GO.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.plugin.gate_runs import MODES, GateSuite

FILLER = """
import pathlib


def test_fills_the_disk():
    # as a neighbour's log would: until the device says no
    with pathlib.Path("reports/filler").open("wb") as handle:
        try:
            while True:
                handle.write(bytes(65536))
        except OSError:
            pass
"""

#: a user's listener around gonogo's: the results folder is replaced by a file as the verdict is handed
#: over, so every later Allure write fails (the same OSError a full or read-only disk raises)
BREAKS_RESULTS = """
import pathlib
import shutil

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_gonogo_verdict(config, verdict, results, document):
    folder = pathlib.Path("reports/staging/allure-results")
    shutil.rmtree(folder)
    folder.write_text("not a folder")
    return (yield)
"""


def _without_traceback(output: str) -> None:
    assert "INTERNALERROR" not in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("mode", MODES)
def test_a_disk_that_fills_up_during_the_checks_is_no_go_naming_the_file(
    suite: GateSuite, mode: list[str]
) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) to mount a small tmpfs privately")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"unshare -m is not allowed here: {probe.stderr.strip()}")
    suite.add("smoke/test_filler.py", FILLER)
    reports = suite.path / "reports"
    reports.mkdir()
    pytest_argv = " ".join(suite.argv(*mode))
    script = f"mount -t tmpfs -o size=1m tmpfs {reports} || exit 97\n{pytest_argv} > run.out 2> run.err\n"
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], cwd=suite.path, env=suite.environ(), timeout=300, check=False
    )
    if done.returncode == 97:
        pytest.skip("cannot mount a tmpfs here")
    stdout = (suite.path / "run.out").read_text()
    output = stdout + (suite.path / "run.err").read_text()

    assert done.returncode == 11, output
    assert "gonogo verdict: NO-GO" in stdout
    assert "reports-unwritable: gonogo could not write this run's reports: reports/staging/" in stdout
    assert "No space left on device" in stdout
    _without_traceback(output)
    # the mount is gone with its namespace: whatever gate.json the full disk held is gone too, and on
    # the real disk below there is none (this run's start removed any earlier one)
    assert not suite.gate_path.exists()


@pytest.mark.parametrize("mode", MODES)
def test_an_allure_bundle_that_cannot_be_written_after_the_checks_passed_turns_go_into_no_go(
    suite: GateSuite, mode: list[str]
) -> None:
    suite.add("conftest.py", BREAKS_RESULTS)
    summary = suite.path / "summary.md"
    run = suite.run(*mode, env={"GITHUB_STEP_SUMMARY": str(summary)})

    assert run.ret == 11, run.output
    assert run.gate is not None, run.output
    assert run.gate["verdict"] == "NO-GO"
    assert run.codes() == ["reports-unwritable"]
    assert run.gate["summary"]["counted_passed"] == 3  # every check passed: only the evidence is lost
    run.lines.fnmatch_lines(
        ["NO-GO for staging: *", "  - reports-unwritable: gonogo could not write this run's reports: *"]
    )
    _without_traceback(run.output)
    # delivered once, after the second judgement: the job summary never read GO
    delivered = summary.read_text()
    assert delivered.count("VERDICT: **") == 1, delivered
    assert "VERDICT: **NO-GO** (exit 11" in delivered


#: between the two checks the results folder is a file: only the result of the first cannot be written,
#: and by the end of the run the folder is back, so the controller's own writes succeed
BREAKS_THEN_MENDS = """
import pathlib
import shutil

FOLDER = pathlib.Path("reports/staging/allure-results")


def test_breaks_the_results_folder():
    shutil.move(FOLDER, FOLDER.with_name("kept"))
    FOLDER.write_text("not a folder")


def test_mends_it():
    FOLDER.unlink()
    shutil.move(FOLDER.with_name("kept"), FOLDER)
"""


@pytest.mark.parametrize(
    "mode", [pytest.param([], id="serial"), pytest.param(["-n", "2", "--dist", "loadfile"], id="xdist")]
)
def test_a_result_a_worker_could_not_write_reaches_the_verdict(suite: GateSuite, mode: list[str]) -> None:
    # under xdist the failed write is a worker's alone: it reaches the gate only through the hand-back
    suite.add("smoke/test_breaks.py", BREAKS_THEN_MENDS)
    run = suite.run(*mode)

    assert run.ret == 11, run.output
    assert run.gate is not None, run.output
    assert run.codes() == ["reports-unwritable"]
    assert "reports/staging/allure-results/" in run.gate["reasons"][0]["message"]
    _without_traceback(run.output)
