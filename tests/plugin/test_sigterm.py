"""SIGTERM, as CI runners cancel a job: NO-GO (exit 11) with gate.json written, with or without
``[launch]``, serial and under ``-n 2``; a second SIGTERM during shutdown ends the run quietly."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tests.plugin.gate_runs import ENV, MODES, GateSuite, wait_for

#: a check that says it started, then takes its time: the signal arrives while it runs
SLOW = """
import time
from pathlib import Path

def test_slow():
    Path("started").touch()
    time.sleep(60)
"""
#: the same run, launching a real (if trivial) target
LAUNCHED = ENV.replace('"http://127.0.0.1:9"', '"http://127.0.0.1:{port}"') + (
    f'[launch]\ncommand = ["{sys.executable}", "-m", "http.server", "--bind", "127.0.0.1", "{{port}}"]\n'
    'ready_path = "/"\ntimeout_s = 20\n'
)
#: a shutdown that takes long: the second SIGTERM arrives while it runs
SLOW_SHUTDOWN = """
import time
from pathlib import Path

def pytest_sessionfinish(session):
    Path("shutting-down").touch()
    time.sleep(60)
"""


@pytest.fixture
def suite(suite: GateSuite) -> GateSuite:
    """The healthy project (conftest.py) with smoke/test_slow.py added."""
    suite.add("smoke/test_slow.py", SLOW)
    return suite


@pytest.mark.parametrize("launched", [False, True], ids=["no-launch", "launch"])
@pytest.mark.parametrize("mode", MODES)
def test_sigterm_is_no_go_with_gate_json(suite: GateSuite, mode: list[str], launched: bool) -> None:
    if launched:
        suite.env(LAUNCHED)
    process = suite.start("-p", "no:randomly", *mode)
    wait_for(suite.path / "started", process=process)

    process.send_signal(signal.SIGTERM)
    run = suite.finish(process)

    assert run.ret == 11, run.output
    assert run.gate is not None, run.output
    assert run.gate["verdict"] == "NO-GO"
    assert "interrupted" in run.codes()
    assert "Traceback" not in run.stderr


def test_sigterm_to_the_whole_process_group_under_xdist_is_no_go_with_gate_json(suite: GateSuite) -> None:
    # a runner that cancels a job signals every process of it: the controller and its workers
    process = suite.start("-p", "no:randomly", "-n", "2", own_group=True)
    wait_for(suite.path / "started", process=process)

    os.killpg(process.pid, signal.SIGTERM)
    run = suite.finish(process)

    assert run.ret == 11, run.output
    assert run.gate is not None, run.output
    assert "interrupted" in run.codes()


def test_a_second_sigterm_during_shutdown_ends_the_run_quietly(suite: GateSuite) -> None:
    suite.add("conftest.py", SLOW_SHUTDOWN)
    process = suite.start("-p", "no:randomly")
    wait_for(suite.path / "started", process=process)
    process.send_signal(signal.SIGTERM)
    wait_for(suite.path / "shutting-down", process=process)

    process.send_signal(signal.SIGTERM)
    run = suite.finish(process, timeout_s=20)  # not the 60 s the shutdown would have taken

    assert run.ret == 11, run.output
    assert "gonogo: second SIGTERM during shutdown: stopping now (NO-GO, exit 11)" in run.stderr
    assert "Traceback" not in run.output
    assert "KeyboardInterrupt" not in run.stderr
