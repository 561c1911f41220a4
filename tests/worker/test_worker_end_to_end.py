"""The example Cloudflare Worker (examples/cloudflare-worker/) verified end to end on workerd, locally.

Each run is a real ``pytest --env worker-*`` in a copy of the suite: gonogo launches the Worker through
serve.mjs (Miniflare 4, workerd), runs the checks and stops the process group. Faults are the Worker's
own knobs: the VERSION var, a KV key left out of the seed, the KV kill switch flipped during the watch.
Every test checks that no Worker process it caused is left running.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gonogo.processes import free_port
from tests.conftest import SuiteProject, SuiteRun
from tests.worker.conftest import (
    LAUNCHED,
    SEED,
    LineReader,
    Runtime,
    WorkerProcess,
    live_in_group,
    spawn_worker,
    wait_until_gone,
)

pytestmark = pytest.mark.worker

BLUE_VERSION = "1.4.2"
GREEN_VERSION = "1.5.0"  # [env.production].vars.VERSION in wrangler.toml
EXIT = {"GO": 0, "HOLD": 10, "NO-GO": 11, "ROLLBACK": 12}
RUN_TIMEOUT_S = 240.0


def gate_of(project: Path, env: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "reports" / env / "gate.json").read_text())
    return data


def outcome_of(gate: dict[str, Any], check: str) -> str:
    for result in gate["checks"]:
        if check in result["nodeid"]:
            return str(result["outcome"])
    raise AssertionError(f"no check {check!r} in gate.json: {[r['nodeid'] for r in gate['checks']]}")


def launched_group(run_output: str) -> int:
    match = LAUNCHED.search(run_output)
    assert match, f"no launched target in the header:\n{run_output[:3000]}"
    return int(match.group(2))


def assert_target_stopped(run_output: str) -> None:
    """The launched Worker's process group (node serve.mjs, workerd) is gone after the run."""
    pgid = launched_group(run_output)
    left = wait_until_gone(lambda: live_in_group(pgid))
    assert not left, f"the launched Worker (process group {pgid}) left processes running: {left}"


def run_suite(project: SuiteProject, *args: str, env: dict[str, str] | None = None) -> SuiteRun:
    run = project.run(*args, env=env, timeout_s=RUN_TIMEOUT_S)
    assert_target_stopped(run.output)
    return run


def test_a_healthy_worker_on_workerd_gets_go(worker_project: SuiteProject) -> None:
    run = run_suite(worker_project, "--env", "worker-staging")

    assert run.returncode == EXIT["GO"], run.output
    assert "gonogo verdict: GO" in run.output
    gate = gate_of(worker_project.path, "worker-staging")
    assert gate["verdict"] == "GO"
    # the precheck read the Worker's wrangler.toml for [env.staging]; smoke and load hit workerd
    for check in (
        "checks/test_workers_config.py::test_wrangler_config",
        "checks/test_workers_config.py::test_wrangler_bindings_in_env",
        "checks/test_workers_config.py::test_wrangler_vars_in_env",
        "checks/test_dependency_pins.py",
        "smoke/test_health.py",
        "smoke/test_version.py",
        "smoke/test_routes.py::test_route[config from KV]",
        "smoke/test_security_headers.py",
        "load/test_latency.py",
    ):
        assert outcome_of(gate, check) == "passed", check
    assert re.search(r"PASS: p95 [\d.]+ ms \(at most [\d.]+ ms at 95%\) <= 500 ms", run.output)


def test_a_wrong_version_var_is_no_go(worker_project: SuiteProject) -> None:
    run = run_suite(
        worker_project, "--env", "worker-staging", "--stage", "smoke", env={"GONOGO_WORKER_VERSION": "9.9.9"}
    )

    assert run.returncode == EXIT["NO-GO"], run.output
    assert "gonogo verdict: NO-GO" in run.output
    assert re.search(
        r"version mismatch at http://127\.0\.0\.1:\d+/version: expected '1\.5\.0', got '9\.9\.9'", run.output
    )
    assert outcome_of(gate_of(worker_project.path, "worker-staging"), "smoke/test_version.py") == "failed"


def test_the_kv_route_fails_naming_the_missing_key(worker_project: SuiteProject) -> None:
    run = run_suite(
        worker_project,
        "--env",
        "worker-staging",
        "--stage",
        "smoke",
        env={"GONOGO_WORKER_KV_OMIT": "CONFIG:config"},
    )

    assert run.returncode == EXIT["NO-GO"], run.output
    gate = gate_of(worker_project.path, "worker-staging")
    assert outcome_of(gate, "smoke/test_routes.py::test_route[config from KV]") == "failed"
    # the message the route check prints quotes the Worker's body, which names the key and the binding
    message = re.search(
        r"route 'config from KV': GET http://127\.0\.0\.1:\d+/api/config -> HTTP 500.*", run.output
    )
    assert message, run.output
    assert "expected HTTP 200, got 500" in message.group(0)
    assert "KV key 'config' is missing from the KV namespace bound as CONFIG" in message.group(0)
    # health and version do not depend on that key
    assert outcome_of(gate, "smoke/test_health.py") == "passed"
    assert outcome_of(gate, "smoke/test_version.py") == "passed"


def test_without_node_modules_the_launch_says_to_run_npm_ci(worker_project: SuiteProject) -> None:
    # the project's copy of the example, without its node_modules (the fixture links them)
    (worker_project.path / "examples" / "cloudflare-worker" / "node_modules").unlink()

    run = worker_project.run("--env", "worker-staging", "--stage", "smoke", timeout_s=RUN_TIMEOUT_S)

    assert run.returncode == EXIT["NO-GO"], run.output
    assert "[launch] in environments/worker-staging.toml: the target exited with code 3" in run.output
    assert "blocked by launch" in run.output
    assert "the Workers runtime is not installed" in run.output
    assert "Fix: npm ci --prefix examples/cloudflare-worker" in run.output


def test_the_seed_is_in_kv_when_health_first_answers(worker_runtime: Runtime) -> None:
    # a launcher counts the Worker up at its first 2xx on /health; the seeded key must be readable then,
    # not a moment later (it was missing for the first requests of a full run: 500 from /api/config)
    port = free_port()
    process = spawn_worker("--env", "staging", "--seed", str(SEED), port=port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2.0) as client:
            deadline = time.monotonic() + 60.0
            first: httpx.Response | None = None
            while first is None and time.monotonic() < deadline and process.process.poll() is None:
                with contextlib.suppress(httpx.TransportError):
                    answer = client.get("/health")
                    if answer.status_code == 200:
                        first = client.get("/api/config")
                time.sleep(0.005)
    finally:
        process.stop()

    assert first is not None, f"/health never answered 200: {process.output.rest(1.0)}"
    assert first.status_code == 200, first.text
    assert first.json()["value"]["greeting"] == "hello from the edge"


def test_fault_after_turns_the_kv_route_to_errors(worker: Callable[..., WorkerProcess]) -> None:
    # generous: the first request must come before the fault; the switch is read from the Worker's log
    delay_s = 5.0
    process = worker(
        "--env", "staging", "--seed", str(SEED), "--fault", "errors", "--fault-after", str(delay_s)
    )
    with httpx.Client(base_url=process.url, timeout=5.0) as client:
        before = client.get("/api/config")
    injected = process.output.wait_for(re.compile(r"fault errors injected at ([\d.]+) s"), delay_s + 30)
    # a new connection: one kept idle across the wait may be closed by workerd just as it is reused
    # ("Server disconnected without sending a response", seen once in a full run)
    with httpx.Client(base_url=process.url, timeout=5.0) as client:
        after = client.get("/api/config")
        health = client.get("/health")

    assert before.status_code == 200, before.text
    assert injected, process.output.rest(1.0)
    assert float(injected.group(1)) >= delay_s - 0.05
    assert after.status_code == 500
    assert after.json()["error"] == "injected fault (FAULT = errors)"
    assert health.status_code == 200  # the "errors" fault breaks the API, not the health check


def test_blue_green_verifies_green_then_the_watch_catches_a_fault_and_rolls_back_to_blue(
    worker_project: SuiteProject, worker: Callable[..., WorkerProcess]
) -> None:
    blue = worker("--env", "production", "--seed", str(SEED), "--var", f"VERSION={BLUE_VERSION}")
    env = {"WORKER_BLUE_URL": blue.url, "WORKER_BLUE_VERSION": BLUE_VERSION}

    # 1. before the switch: idle green against live blue (precheck + smoke, the comparison as smoke)
    before = run_suite(
        worker_project,
        "--env",
        "worker-green",
        "--stage",
        "precheck",
        "--stage",
        "smoke",
        env={**env, "COMPARE_STAGE": "smoke"},
    )
    assert before.returncode == EXIT["GO"], before.output
    gate = gate_of(worker_project.path, "worker-green")
    assert outcome_of(gate, "checks/test_rollback.py") == "passed"  # blue is up, on the previous version
    assert outcome_of(gate, "load/test_compare.py::test_compare_with_baseline[smoke]") == "passed"
    assert outcome_of(gate, "smoke/test_parity.py") == "passed"
    assert f"baseline {blue.url} vs candidate" in before.output
    assert f"gonogo: expected version {GREEN_VERSION}" in before.output

    # 2. the switch: green is live (locally, the postdeploy run treats it so; blue stays up, idle)
    # 3. after it: load, comparison and the watch; the fault is switched on once the watch is measuring
    after = _run_with_fault_during_watch(
        worker_project, env, "--env", "worker-green", "--stage", "postdeploy", "--watch", "40s"
    )

    assert after.returncode == EXIT["ROLLBACK"], after.output
    assert "gonogo verdict: ROLLBACK" in after.output
    failed = r"gonogo watch: #\d+ at [\d.]+ s FAILED \(errors [1-9]\d*/\d+"
    assert re.search(failed, after.output), after.output
    assert re.search(r"gonogo watch: FAILED after [\d.]+ s \(stopped early, 40 s planned\)", after.output)
    gate = gate_of(worker_project.path, "worker-green")
    assert gate["verdict"] == "ROLLBACK"
    assert outcome_of(gate, "load/test_compare.py::test_compare_with_baseline[postdeploy]") == "passed"
    assert outcome_of(gate, "load/test_latency.py") == "passed"
    assert outcome_of(gate, "load/test_watch.py") == "failed"
    report = (worker_project.path / "reports" / "worker-green" / "deployment-report.md").read_text()
    assert "VERDICT: **ROLLBACK**" in report
    assert f"Roll back now: route traffic back to the baseline {blue.url}" in report
    # blue, the rollback target, is still serving the previous version
    version = httpx.get(f"{blue.url}/version", timeout=5.0).json()
    assert version["version"] == BLUE_VERSION


def _run_with_fault_during_watch(project: SuiteProject, env: dict[str, str], *args: str) -> SuiteRun:
    """Run the suite; after the watch's first measurement, SIGUSR2 the launched Worker (fault on)."""
    child_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GONOGO_DEMO_", "GONOGO_WORKER_")) and k not in ("GONOGO_ENV", "DEPLOY_VERSION")
    }
    child_env.update(env, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=project.path,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = LineReader(process.stdout)
    try:
        launched = output.wait_for(LAUNCHED, RUN_TIMEOUT_S)
        assert launched, output.rest(5.0)
        first = output.wait_for(re.compile(r"gonogo watch: #0 at .* SUCCESSFUL"), RUN_TIMEOUT_S)
        assert first, output.rest(5.0)
        # serve.mjs writes the KV kill switch (CONFIG/fault = errors), as `wrangler kv key put` would
        os.kill(int(launched.group(2)), signal.SIGUSR2)
        text = output.rest(RUN_TIMEOUT_S)
        returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()
    assert_target_stopped(text)
    return SuiteRun(returncode, text, "", project.path)


def test_the_worker_ignores_an_unknown_fault_value(worker: Callable[..., WorkerProcess]) -> None:
    # a typo in the kill switch must not take the Worker down: it is logged and ignored
    process = worker("--env", "staging", "--seed", str(SEED), "--kv", "CONFIG:fault=erors")
    response = httpx.get(f"{process.url}/api/config", timeout=5.0)
    assert response.status_code == 200, response.text
    assert response.json()["value"]["greeting"] == "hello from the edge"
