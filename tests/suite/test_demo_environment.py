"""`pytest --env demo` end to end: the bundled environment launches the real demo, verifies it, stops it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.processes import pid_alive, start_pytest
from tests.support.runs import environ_without

if TYPE_CHECKING:
    from tests.conftest import SuiteProject


def _launched_pid(output: str) -> int:
    match = re.search(r"gonogo: base URL http://127\.0\.0\.1:\d+ \(launched, pid (\d+)\)", output)
    assert match, output
    return int(match.group(1))


def test_the_demo_environment_passes_out_of_the_box(suite_project: SuiteProject) -> None:
    run = suite_project.run("--env", "demo", "-p", "no:randomly")
    assert run.returncode == 0, run.output
    assert "gonogo verdict: GO" in run.stdout
    assert re.search(r"gonogo: base URL http://127\.0\.0\.1:\d+ \(launched, pid \d+\)", run.stdout)
    assert not pid_alive(_launched_pid(run.stdout))


def test_a_wrong_version_fails_the_version_check_with_expected_and_actual(
    suite_project: SuiteProject,
) -> None:
    run = suite_project.run("--env", "demo", env={"GONOGO_DEMO_VERSION": "9.9.9"})
    assert run.returncode == 11, run.output
    assert re.search(
        r"version mismatch at http://127\.0\.0\.1:\d+/version: expected '1\.4\.2', got '9\.9\.9'", run.stdout
    )
    gate = json.loads((suite_project.path / "reports" / "demo" / "gate.json").read_text())
    assert gate["verdict"] == "NO-GO"
    assert gate["reasons"][0]["nodeid"] == "smoke/test_version.py::test_version"
    report = (suite_project.path / "reports" / "demo" / "deployment-report.md").read_text()
    assert "smoke/test_version.py::test_version" in report
    assert "Critical smoke check smoke/test_version.py::test_version failed" in run.stdout


def test_under_xdist_the_demo_is_launched_once_and_the_results_are_the_same(
    suite_project: SuiteProject, tmp_path: Path
) -> None:
    # every check, on whichever worker runs it, records the URL it verified (an autouse fixture of the
    # project's conftest): one launched target means one URL across both workers
    conftest = suite_project.path / "conftest.py"
    conftest.write_text(
        conftest.read_text()
        + "\n\nimport os, pathlib, re\nimport pytest\n\n\n@pytest.fixture(autouse=True)\n"
        "def _note_where(request, base_url):\n"
        "    worker = os.environ.get('PYTEST_XDIST_WORKER', 'main')\n"
        "    name = re.sub(r'\\W+', '_', request.node.nodeid)\n"
        "    (pathlib.Path(os.environ['URL_DIR']) / f'{worker}-{name}').write_text(base_url)\n"
    )
    gate_path = suite_project.path / "reports" / "demo" / "gate.json"
    serial_dir, parallel_dir = tmp_path / "serial", tmp_path / "parallel"
    serial_dir.mkdir()
    parallel_dir.mkdir()
    serial = suite_project.run("--env", "demo", env={"URL_DIR": str(serial_dir)})
    serial_gate = json.loads(gate_path.read_text())
    parallel = suite_project.run("--env", "demo", "-n", "2", env={"URL_DIR": str(parallel_dir)})
    parallel_gate = json.loads(gate_path.read_text())
    assert serial.returncode == parallel.returncode == 0, serial.output + parallel.output
    assert serial_gate["verdict"] == parallel_gate["verdict"] == "GO"
    assert sorted((c["nodeid"], c["outcome"]) for c in serial_gate["checks"]) == sorted(
        (c["nodeid"], c["outcome"]) for c in parallel_gate["checks"]
    )
    notes = list(parallel_dir.iterdir())
    checks_noted = {note.name.split("-", 1)[1] for note in notes}
    assert checks_noted == {note.name.split("-", 1)[1] for note in serial_dir.iterdir()} != set()
    assert {note.read_text() for note in notes} == {parallel_gate["environment"]["base_url"]}
    # xdist's first batch goes round-robin to both workers, and every check notes where it ran
    assert {note.name.split("-")[0] for note in notes} == {"gw0", "gw1"}, "both workers ran checks"
    assert parallel.stdout.count("(launched, pid") == 1


def _slow_run(
    suite_project: SuiteProject, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], int]:
    """``pytest --env demo -v`` running a check that notes the launched demo's pid, then sleeps: the run
    and that pid, once the check has started (a signal sent now lands while it sleeps)."""
    started, pid_file = suite_project.path / "slow-started", suite_project.path / "demo-pid"
    (suite_project.path / "smoke" / "test_zz_slow.py").write_text(
        "import pathlib, time\n"
        "def test_slow(base_url, gonogo_context):\n"
        f"    pathlib.Path({str(pid_file)!r}).write_text(str(gonogo_context.target.pid))\n"
        f"    pathlib.Path({str(started)!r}).write_text('1')\n"
        "    time.sleep(60)\n"
    )
    process = start_pytest("--env", "demo", "-v", cwd=suite_project.path, env=env)
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert started.exists(), "the slow check never started"
    return process, int(pid_file.read_text())


def test_ctrl_c_leaves_no_demo_process_behind(suite_project: SuiteProject) -> None:
    process, pid = _slow_run(suite_project, env=environ_without((), prefixes=("GONOGO",)))
    assert pid_alive(pid)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert "KeyboardInterrupt" in output
    assert _launched_pid(output) == pid
    assert process.returncode == 11, output
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(pid), f"demo pid {pid} still running"
    gate = json.loads((suite_project.path / "reports" / "demo" / "gate.json").read_text())
    assert gate["verdict"] == "NO-GO"
    assert "interrupted" in [reason["code"] for reason in gate["reasons"]]


def test_sigterm_is_an_orderly_interrupt_too(suite_project: SuiteProject) -> None:
    process, pid = _slow_run(suite_project)
    process.terminate()
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 11, output
    time.sleep(0.5)
    assert not pid_alive(pid)


def test_a_target_that_never_becomes_ready_fails_in_bounded_time_with_its_output(
    suite_project: SuiteProject,
) -> None:
    suite_project.write_env(
        "slow",
        'base_url = "http://127.0.0.1:{port}"\nexpected_version = "1.4.2"\n'
        '[launch]\ncommand = ["{python}", "-m", "gonogo.demo", "--port", "{port}", "--start-delay", "30"]\n'
        "timeout_s = 2\n",
    )
    started = time.monotonic()
    run = suite_project.run("--env", "slow")
    assert time.monotonic() - started < 25
    assert run.returncode == 11, run.output
    assert "the target did not become ready within 2 s" in run.output
    assert "--- its output ---" in run.output
    assert "waiting 30 s before binding the port" in run.output.split("--- its output ---")[1]


@pytest.mark.parametrize(
    "command",
    [
        [str(Path(sys.executable).parent / "gonogo"), "--version"],
        [sys.executable, "-m", "gonogo", "--version"],
    ],
    ids=["the gonogo console script", "python -m gonogo"],
)
def test_the_command_reports_its_version(command: list[str]) -> None:
    from gonogo import __version__

    completed = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    assert completed.stdout.strip() == f"gonogo {__version__}"
