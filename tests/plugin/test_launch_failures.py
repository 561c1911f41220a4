"""A ``[launch]`` target that never becomes ready: said once and truly, the file-only prechecks still run,
everything that needs the target is blocked, and the run is NO-GO (exit 11) in both gate modes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.plugin.gate_runs import ENV, MODES, GateSuite
from tests.support.servers import http_server

FILE_ONLY = "def test_config(environment):\n    assert environment.expected_version == '1.0.0'\n"
NEEDS_TARGET = "def test_dns(base_url):\n    assert base_url\n"


@pytest.fixture
def suite(pytester: pytest.Pytester) -> GateSuite:
    suite = GateSuite(pytester)
    suite.add("checks/test_config.py", FILE_ONLY)
    suite.add("checks/test_network.py", NEEDS_TARGET)
    suite.add("smoke/test_health.py", "def test_health(http):\n    assert http.get('/health').is_success\n")
    suite.add("load/test_load.py", "def test_load(base_url): pass\n")
    return suite


@pytest.fixture
def unhealthy() -> Iterator[str]:
    """A real server on loopback that answers every request 503 with a JSON body, from the start."""
    with http_server(lambda _: (503, b'{"status": "degraded", "db": "down"}')) as server:
        yield server.url


@pytest.mark.parametrize("mode", MODES)
def test_a_target_that_exits_is_no_go_said_once_without_interrupted_and_file_prechecks_still_run(
    suite: GateSuite, mode: list[str]
) -> None:
    suite.env(ENV + '[launch]\ncommand = ["false"]\ntimeout_s = 5\n')

    run = suite.run(*mode)

    assert (run.ret, run.gate and run.gate["verdict"]) == (11, "NO-GO"), run.output
    assert "interrupted" not in run.codes()
    assert run.codes()[0] == "launch-failed"
    assert run.output.count("the target exited with code 1 before") == 1
    assert "_pytest.outcomes.Exit" not in run.output
    assert "Exit:" not in run.output
    assert run.check("checks/test_config.py::test_config")["outcome"] == "passed"
    for nodeid in ("checks/test_network.py::test_dns", "smoke/test_health.py::test_health"):
        assert (run.check(nodeid)["outcome"], run.check(nodeid)["blocked_by"]) == ("skipped", "launch")
    assert run.gate is not None
    assert run.gate["summary"]["counted"] == 1


def test_a_target_that_answers_503_from_its_first_poll_is_said_to_be_up_and_unhealthy(
    suite: GateSuite, unhealthy: str
) -> None:
    # the process runs, and the URL it is polled on answers 503 at once: more time will not help
    suite.env(
        f'base_url = "{unhealthy}"\nexpected_version = "1.0.0"\n'
        '[launch]\ncommand = ["sleep", "30"]\ntimeout_s = 1\n'
    )

    run = suite.run()

    assert run.ret == 11, run.output
    assert "the target is up but unhealthy" in run.stdout
    assert "answered HTTP 503 from its first poll" in run.stdout
    assert 'its body: {"status": "degraded", "db": "down"}' in run.stdout
    assert "raise [launch].timeout_s" not in run.stdout
    assert "more time will not help" in run.stdout


def test_a_target_that_never_answers_is_told_to_take_more_time(suite: GateSuite) -> None:
    suite.env(ENV + '[launch]\ncommand = ["sleep", "30"]\ntimeout_s = 1\n')

    run = suite.run()

    assert run.ret == 11, run.output
    assert "the target did not become ready within 1 s: http://127.0.0.1:9/health last gave" in run.stdout
    assert "Fix: raise [launch].timeout_s if it starts slowly" in run.stdout
