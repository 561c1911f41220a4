"""A request succeeds only when its whole body arrived: real broken answers on loopback, real locust.

Each fault keeps a sound status line (200, the route's status): only reading the body tells them apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gonogo.loadgen.measurements import LoadMeasurements
from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.runner import run_locust

from .conftest import REPO, demo_env, gate_check
from .faults import BIG_BODY_BYTES, fault_server

LOCUSTFILE = REPO / "load" / "locustfile.py"
TIMEOUT_S = 0.5


def _load(url: str, folder: Path, **changes: Any) -> LoadMeasurements:
    plan = LoadPlan(
        environment="faults",
        base_url=url,
        routes=(RoutePlan("list items", "GET", "/api/items", 200, 1),),
        users=2,
        spawn_rate=2,
        duration_s=2.0,
        warmup_s=0.5,
        request_timeout_s=TIMEOUT_S,
        min_requests=1,
        **changes,
    )
    outcome = run_locust(plan, locustfile=LOCUSTFILE, folder=folder)
    assert outcome.results is not None, outcome.error
    return outcome.results


@pytest.mark.parametrize("mode", ["healthy", "gzip"])
def test_a_healthy_answer_read_whole_is_a_success(tmp_path: Path, mode: str) -> None:
    with fault_server(mode) as server:
        measured = _load(server.url, tmp_path)

    assert measured.requests > 20
    assert measured.total.errors == 0
    assert measured.errors == ()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("reset", "connection reset while reading the body"),
        ("stall", "body read timed out"),
        ("short", "body cut short: Incomplete response."),
        ("chunked-cut", "body cut short: Incomplete response."),
        ("gzip-cut", "gzip body ends before its compressed stream does"),
    ],
)
def test_an_answer_broken_mid_body_is_a_failed_request_with_its_reason(
    tmp_path: Path, mode: str, reason: str
) -> None:
    with fault_server(mode) as server:
        measured = _load(server.url, tmp_path)

    assert measured.requests > 0
    assert measured.total.errors == measured.requests
    (kind,) = measured.errors
    assert kind.route == "list items"
    assert kind.error.startswith(reason), kind.error
    if mode != "gzip-cut":  # that one is whole on the wire: what it announced was met
        assert ("chunked" if mode == "chunked-cut" else "Content-Length") in kind.error


def test_a_stalled_body_fails_at_the_read_timeout_not_when_the_server_gives_up(tmp_path: Path) -> None:
    with fault_server("stall", stall_s=10.0) as server:
        measured = _load(server.url, tmp_path)

    latency = measured.total.latency
    assert latency.p50_ms is not None
    assert latency.max_ms is not None
    # the body is part of the answer: the failure is timed at the timeout, not at the headers
    assert latency.p50_ms >= TIMEOUT_S * 1000 * 0.9
    assert latency.max_ms < 3 * TIMEOUT_S * 1000


def test_a_body_over_the_cap_is_a_failed_request_and_under_it_a_success(tmp_path: Path) -> None:
    with fault_server("big") as server:
        over = _load(server.url, tmp_path / "over", max_body_bytes=BIG_BODY_BYTES // 4)
        under = _load(server.url, tmp_path / "under", max_body_bytes=BIG_BODY_BYTES)

    assert over.requests > 0
    assert over.total.errors == over.requests
    (kind,) = over.errors
    assert kind.error == f"body larger than {BIG_BODY_BYTES // 4} bytes (max_body_bytes): not read further"
    assert under.requests > 0
    assert under.total.errors == 0


def test_the_postdeploy_gate_rolls_back_a_target_that_resets_mid_body(suite_project: Any) -> None:
    load = "users = 2\nspawn_rate = 2\nduration_s = 2\nwarmup_s = 0.5\nmin_requests = 5\n"
    with fault_server("reset") as server:
        suite_project.write_env("faulty", demo_env(load, base_url=server.url))
        run = suite_project.run(
            "--env", "faulty", "--stage", "postdeploy", env={"DEMO_API_TOKEN": "t0ken-abcdef"}
        )

    assert run.returncode != 0, run.output
    check = gate_check(run.project, "faulty")
    assert check["verdict"] == "ROLLBACK", run.output
    error_rate = check["by_name"]["error rate"]
    assert (error_rate["verdict"], error_rate["value"]) == ("fail", 1.0)
    assert "connection reset while reading the body" in run.output
