"""Helpers for the blue-green tests: two real demos on loopback, an environment file bound to them, and
what a suite run left behind (gate.json, the records under reports/<env>/bluegreen/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

#: a realistic spread (lognormal) with little noise, so effects well clear of the limits read the same
#: every run; the seeds fix each demo's latency draws
BASELINE_FLAGS = (
    "--latency-ms",
    "20",
    "--latency-dist",
    "lognormal",
    "--latency-sigma",
    "0.2",
    "--seed",
    "1",
)


def candidate_flags(latency_ms: int = 20, *extra: str) -> tuple[str, ...]:
    return ("--latency-ms", str(latency_ms), "--latency-dist", "lognormal", "--latency-sigma", "0.2", *extra)


def bluegreen_env(candidate: str, baseline: str, *, compare: str = "", extra: str = "") -> str:
    """An environment for a candidate and a baseline already running (no [launch])."""
    return f"""
description = "two demos started by the test"
base_url = "{candidate}"
expected_version = "1.4.2"

[http]
timeout_s = 5.0
retries = 0

[[routes]]
name = "list items"
path = "/api/items"
status = 200

[baseline]
base_url = "{baseline}"

[baseline.compare]
seed = 1
{compare}
{extra}
"""


def gate_of(project: Path, env: str = "bg") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "reports" / env / "gate.json").read_text())
    return data


def findings_of(gate: dict[str, Any], check: str) -> dict[str, dict[str, Any]]:
    """The findings of the first check whose node id contains ``check``, by name."""
    for result in gate["checks"]:
        if check in result["nodeid"]:
            return {finding["name"]: finding for finding in result["findings"]}
    raise AssertionError(f"no check {check!r} in gate.json: {[r['nodeid'] for r in gate['checks']]}")


def check_of(gate: dict[str, Any], check: str) -> dict[str, Any]:
    for result in gate["checks"]:
        if check in result["nodeid"]:
            return dict(result)
    raise AssertionError(f"no check {check!r} in gate.json: {[r['nodeid'] for r in gate['checks']]}")


class Kit:
    """The helpers above, as a fixture (conftest modules are not imported by the tests themselves)."""

    baseline_flags = BASELINE_FLAGS
    candidate_flags = staticmethod(candidate_flags)
    env = staticmethod(bluegreen_env)
    gate = staticmethod(gate_of)
    findings = staticmethod(findings_of)
    check = staticmethod(check_of)


@pytest.fixture
def kit() -> Kit:
    return Kit()
