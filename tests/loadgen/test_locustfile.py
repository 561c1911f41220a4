"""The suite's profile on its own: the plain locust CLI, master and workers on loopback, the open model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gonogo.loadgen.measurements import LoadMeasurements

from .conftest import REPO, demo_env

LOCUSTFILE = REPO / "load" / "locustfile.py"
TOKEN = "load-test-token-0123456789"


def _locust(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO, timeout: float = 90) -> Any:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("GONOGO_", "LOCUST_"))}
    child_env.update({"DEMO_API_TOKEN": TOKEN, **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *args],
        cwd=cwd,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _demo(demo: Callable[..., Any], *args: str) -> Any:
    return demo("--token-env", "DEMO_API_TOKEN", *args, env={"DEMO_API_TOKEN": TOKEN})


def test_plain_locust_headless_runs_the_environments_profile_against_the_demo(
    demo: Callable[..., Any],
) -> None:
    target = _demo(demo)

    done = _locust("--headless", "-H", target.url, "--only-summary", env={"GONOGO_ENV": "demo"})

    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert (
        f"gonogo load: closed model, 5 users, paced to 200 req/s, 1 process against {target.url}: "
        in "\n".join(lines)
    )
    assert any(line.split()[:1] == ["total"] for line in lines)
    assert any(line.startswith("  PASS: p95 ") for line in lines), done.stderr
    assert "Aggregated" in done.stdout + done.stderr  # locust's own summary is still there for locust people
    assert TOKEN not in done.stdout + done.stderr


def test_the_profile_refuses_a_host_that_is_not_the_environments_base_url() -> None:
    done = _locust("--headless", "-H", "http://localhost:8089", env={"GONOGO_ENV": "demo"}, timeout=60)

    assert done.returncode == 2
    assert (
        "gonogo load: -H http://localhost:8089 is not demo.toml's base_url http://127.0.0.1:{port}: "
        "load goes only to the environment's base URL." in done.stderr
    )


def test_a_master_with_two_workers_on_loopback_gives_results_the_check_judges(
    demo: Callable[..., Any], suite_project: Any, tmp_path: Path
) -> None:
    target = _demo(demo)
    load = (
        "users = 4\nspawn_rate = 4\nrate_per_s = 120\nduration_s = 4\nwarmup_s = 1\nmin_requests = 30\n"
        "max_error_rate = 0.05\n"  # shown by 59 clean requests; 1% would need 299 (test_judge.py)
    )
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "remote.toml").write_text(demo_env(load, base_url=target.url), encoding="utf-8")
    results_file = tmp_path / "results.json"
    port = _free_port()
    master_env = {k: v for k, v in os.environ.items() if not k.startswith(("GONOGO_", "LOCUST_"))}
    master = subprocess.Popen(
        [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--master", "--headless",
            "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port), "--expect-workers", "2",
            "--gonogo-env", "remote", "--gonogo-env-dir", str(envs), "--gonogo-results", str(results_file),
            "--only-summary",
        ],
        env=master_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # the workers have no environment file: they run the plan their master sends
    workers = [_worker(port, env={**master_env, "DEMO_API_TOKEN": TOKEN}, cwd=tmp_path) for _ in range(2)]
    try:
        _, master_err = master.communicate(timeout=90)
        for worker in workers:
            worker.wait(timeout=30)
    finally:
        for process in (master, *workers):
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    assert master.returncode == 0, master_err
    results = LoadMeasurements.read(results_file)
    assert results.complete, results.problems
    assert results.processes == 2
    assert len(json.loads(results_file.read_text())["measured_s_by_process"]) == 2
    assert results.requests >= 30
    assert "closed model, 4 users, paced to 120 req/s, 2 processes" in master_err

    suite_project.write_env("remote", demo_env(load, base_url=target.url))
    # one token: pytest takes a separate path argument into account when it looks for the rootdir
    run = suite_project.run("--env", "remote", "--stage", "postdeploy", f"--load-results={results_file}")

    assert run.returncode == 0, run.output
    assert (
        f"gonogo load: judging results from {results_file} (--load-results); no load is sent by this run"
        in (run.stdout)
    )
    assert "gonogo load: closed model, 4 users, paced to 120 req/s, 2 processes against" in run.stdout


def test_the_open_model_times_from_the_schedule_and_reports_a_schedule_it_could_not_keep(
    demo: Callable[..., Any], tmp_path: Path
) -> None:
    # 2 users cannot keep 100 req/s against 50 ms answers (40 req/s at most): requests wait for a user
    target = _demo(demo, "--latency-ms", "50")
    envs = tmp_path / "envs"
    envs.mkdir()
    load = 'mode = "open"\nrate_per_s = 100\nusers = 2\nspawn_rate = 2\nduration_s = 3\nwarmup_s = 0.5\n'
    (envs / "open.toml").write_text(demo_env(load + "p95_ms = 100\nmin_requests = 10\n", base_url=target.url))
    results_file = tmp_path / "results.json"

    done = _locust(
        "--headless", "--gonogo-env", "open", "--gonogo-env-dir", str(envs),
        "--gonogo-results", str(results_file),
    )  # fmt: skip

    assert done.returncode == 3, done.stderr  # inconclusive
    results = LoadMeasurements.read(results_file)
    assert results.open is not None
    assert results.open.late > 0
    assert results.achieved_rate_per_s < 60
    gonogo_p95 = results.total.latency.p95_ms
    assert results.locust is not None
    assert results.locust.p95_ms is not None
    assert gonogo_p95 is not None
    assert gonogo_p95 > 4 * results.locust.p95_ms  # locust times from the late send and hides the wait
    assert results.service is not None
    assert results.service.latency.p95_ms is not None
    assert results.service.latency.p95_ms < 100
    assert "INCONCLUSIVE: achieved " in done.stderr
    assert "short of the planned 100 req/s" in done.stderr


def _worker(port: int, *, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker", "--master-host", "127.0.0.1",
         "--master-port", str(port)],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
