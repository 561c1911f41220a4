"""Stages are gates: a critical precheck or smoke failure blocks the later stages of the run.

Serial runs block exactly. Under pytest-xdist a later stage's check that a worker starts after the
failure is known skips itself; the conftest below holds each later check's setup for a moment, as a
slower worker would, so that the controller has seen the failure. A postdeploy check that runs anyway
(``--keep-going``) on a target whose smoke stage failed is NO-GO, never ROLLBACK.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SuiteProject
from tests.plugin.gate_runs import MODES, GateSuite

#: a postdeploy check that leaves a trace when it runs (it must not, once smoke failed)
POSTDEPLOY = """
from pathlib import Path

def test_load():
    Path("load-ran").write_text("yes")
    assert False, "200 of 200 requests failed"
"""
#: under xdist: a later stage's check starts its setup a little later, as on a busy worker (the order of
#: the stages is kept; which worker gets what, and when, is xdist's business)
SLOW_WORKER = """
import time
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    later = {"smoke/": 1.5, "load/": 3.0}
    if hasattr(item.config, "workerinput"):
        time.sleep(next((s for folder, s in later.items() if item.nodeid.startswith(folder)), 0))
    yield
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> GateSuite:
    suite = GateSuite(pytester)
    suite.add("checks/test_pre.py", "def test_pre(): pass\n")
    suite.add("load/test_load.py", POSTDEPLOY)
    suite.add("conftest.py", SLOW_WORKER)
    return suite


@pytest.mark.parametrize("mode", MODES)
def test_a_critical_smoke_failure_blocks_postdeploy_and_is_no_go(suite: GateSuite, mode: list[str]) -> None:
    suite.add("smoke/test_health.py", "def test_health():\n    assert False, 'connection refused'\n")

    run = suite.run(*mode)

    assert (run.ret, run.gate and run.gate["verdict"]) == (11, "NO-GO"), run.output
    assert not (suite.path / "load-ran").exists()
    load = run.check("load/test_load.py::test_load")
    assert (load["outcome"], load["blocked_by"], load["policy_skip"]) == ("skipped", "smoke", False)
    assert (
        load["message"] == "blocked by smoke: critical smoke check smoke/test_health.py::test_health failed"
    )
    assert run.codes() == ["critical-failed", "stage-blocked", "score-below-warn"]
    blocked = run.gate["reasons"][1] if run.gate else {}
    assert (blocked["stage"], blocked["decision"]) == ("postdeploy", "NO-GO")
    assert "1 postdeploy check did not run: blocked by smoke" in run.stdout


@pytest.mark.parametrize("mode", MODES)
def test_a_critical_precheck_failure_blocks_smoke_and_postdeploy(suite: GateSuite, mode: list[str]) -> None:
    suite.add("checks/test_pins.py", "def test_pins():\n    assert False, 'requests is not pinned'\n")
    suite.add(
        "smoke/test_health.py",
        "from pathlib import Path\ndef test_health():\n    Path('smoke-ran').touch()\n",
    )

    run = suite.run(*mode)

    assert run.ret == 11, run.output
    assert not (suite.path / "smoke-ran").exists()
    assert not (suite.path / "load-ran").exists()
    assert run.check("smoke/test_health.py::test_health")["blocked_by"] == "precheck"
    assert run.check("load/test_load.py::test_load")["blocked_by"] == "precheck"
    stages = [r["stage"] for r in run.gate["reasons"] if r["code"] == "stage-blocked"] if run.gate else []
    assert stages == ["smoke", "postdeploy"]


@pytest.mark.parametrize("mode", MODES)
def test_keep_going_runs_every_stage_and_a_failed_smoke_stage_makes_postdeploy_no_go_not_rollback(
    suite: GateSuite, mode: list[str]
) -> None:
    suite.add("smoke/test_health.py", "def test_health():\n    assert False, 'connection refused'\n")

    run = suite.run("--keep-going", *mode)

    assert (run.ret, run.gate and run.gate["verdict"]) == (11, "NO-GO"), run.output
    assert (suite.path / "load-ran").exists()
    load = next(r for r in run.gate["reasons"] if r["stage"] == "postdeploy") if run.gate else {}
    assert (load["code"], load["decision"]) == ("critical-failed", "NO-GO")
    assert "the deployment was never shown to be serving" in load["message"]


@pytest.mark.parametrize("mode", MODES)
def test_non_critical_and_dry_run_smoke_failures_block_nothing(suite: GateSuite, mode: list[str]) -> None:
    suite.add(
        "smoke/test_soft.py",
        "import pytest\n"
        "def test_health(): pass\n"
        "@pytest.mark.gate(critical=False, weight=0.01)\n"
        "def test_docs():\n    assert False\n"
        "@pytest.mark.gate(dry_run=True)\n"
        "def test_new():\n    assert False\n",
    )

    run = suite.run(*mode)

    assert (suite.path / "load-ran").exists()  # it ran, and failed: smoke passed, so this is a rollback
    assert (run.ret, run.gate and run.gate["verdict"]) == (12, "ROLLBACK"), run.output


def down_environment(project: SuiteProject) -> None:
    """The demo environment without [launch], pointing at a port nothing listens on."""
    text = (project.path / "environments" / "demo.toml").read_text()
    text = text[: text.index("[launch]")] + text[text.index("[http]") :]
    text = text.replace('base_url = "http://127.0.0.1:{port}"', 'base_url = "http://127.0.0.1:9"')
    text = text.replace('bearer_secret = "DEMO_API_TOKEN"\n', "").replace(
        'required = ["DEMO_API_TOKEN"]', "required = []"
    )
    # the sample wrangler.toml knows the demo's environment only; the prechecks are not the point here
    text = "\n".join(line for line in text.splitlines() if not line.startswith("wrangler_toml"))
    project.write_env("down", text)


@pytest.mark.parametrize("mode", MODES)
def test_a_target_that_is_simply_down_is_no_go_and_is_never_loaded(
    suite_project: SuiteProject, mode: list[str]
) -> None:
    down_environment(suite_project)

    run = suite_project.run("--env=down", "-p", "no:randomly", *mode)

    assert run.returncode == 11, run.output
    assert "gonogo verdict: NO-GO" in run.output
    assert "ROLLBACK" not in run.output
    load_dir = Path(suite_project.path, "reports", "down", "load")
    if not mode:  # serial: the load check never started, so locust sent nothing
        assert "blocked by smoke" in run.output
        assert not load_dir.exists() or not any(load_dir.iterdir())
