"""Rollback readiness against real demo processes standing in for the live baseline."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from gonogo.environment import HealthConfig, VersionConfig
from gonogo.probes import rollback

if TYPE_CHECKING:
    from tests.conftest import DemoProcess

Demo = Callable[..., "DemoProcess"]
HEALTH = HealthConfig.model_validate({"path": "/health", "status": 200, "json": {"status": "ok"}})
VERSION = VersionConfig(path="/version", field="version")


def check(
    url: str, expected_version: str = "1.4.2", baseline_version: str | None = None
) -> rollback.Readiness:
    with httpx.Client(base_url=url, timeout=5) as client:
        return rollback.check(
            client,
            health=HEALTH,
            version=VERSION,
            expected_version=expected_version,
            baseline_version=baseline_version,
        )


def test_a_healthy_baseline_on_the_previous_version_is_ready(demo: Demo) -> None:
    baseline = demo("--report-version", "1.4.1")
    readiness = check(baseline.url, baseline_version="1.4.1")
    assert (readiness.answer, readiness.version, readiness.reasons) == ("YES", "1.4.1", [])


def test_a_baseline_already_on_the_candidate_version_is_not_ready(demo: Demo) -> None:
    readiness = check(demo("--report-version", "1.4.2").url)
    assert readiness.answer == "NO"
    assert readiness.reasons == [
        "the baseline already reports version '1.4.2', the candidate's expected_version: "
        "there is no previous version left to roll back to"
    ]


def test_an_unhealthy_baseline_is_not_ready(demo: Demo) -> None:
    baseline = demo("--report-version", "1.4.1", "--health", "degraded")
    readiness = check(baseline.url)
    assert readiness.answer == "NO"
    assert len(readiness.reasons) == 1
    assert readiness.reasons[0].startswith(f"GET {baseline.url}/health -> HTTP 503 in ")
    assert "expected HTTP 200, got 503" in readiness.reasons[0]


def test_a_baseline_on_another_version_than_configured_is_not_ready(demo: Demo) -> None:
    readiness = check(demo("--report-version", "1.3.0").url, baseline_version="1.4.1")
    assert readiness.reasons == ["the baseline reports version '1.3.0', but [baseline].version says '1.4.1'"]


def test_a_baseline_that_is_down_is_not_ready_with_the_url_and_reason() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"
    readiness = check(url)
    assert readiness.answer == "NO"
    assert readiness.baseline_url == url
    assert len(readiness.reasons) == 1
    assert readiness.reasons[0].startswith(f"GET {url}/health: ")
    assert "onnection refused" in readiness.reasons[0]
