"""Helpers for the blue-green tests: two real demos on loopback, an environment file bound to them, and
what a suite run left behind (gate.json, the records under reports/<env>/bluegreen/)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the fixtures' types only
    from tests.conftest import DemoProcess, SuiteProject, SuiteRun

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


def watch_env(
    base_url: str, watch: str, *, launch: str = "", http: str = "retries = 0", more: str = ""
) -> str:
    """An environment for the watch: the candidate at ``base_url`` (``launch``: its [launch] table), one
    route, the ``[watch]`` table's body ``watch`` and ``more`` tables after it."""
    return f"""
base_url = "{base_url}"
expected_version = "1.4.2"
{launch}
[http]
{http}

[[routes]]
name = "list items"
path = "/api/items"

[watch]
{watch}
{more}
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


def ended(run: SuiteRun, returncode: int, verdict: str, env: str = "bg") -> dict[str, Any]:
    """The gate.json of a run that ended with this exit code and this verdict (both asserted)."""
    assert run.returncode == returncode, run.output
    gate = gate_of(run.project, env)
    assert gate["verdict"] == verdict
    return gate


def failed_shift(run: SuiteRun) -> dict[str, Any]:
    """The latency shift of a run that rolled back on it: failed, its estimate past a positive limit."""
    gate = ended(run, 12, "ROLLBACK")
    shift = findings_of(gate, "test_compare_with_baseline")["latency shift [list items]"]
    assert shift["verdict"] == "fail"
    assert shift["value"] > shift["limit"] > 0
    return shift


class Kit:
    """The helpers above, as a fixture (conftest modules are not imported by the tests themselves)."""

    baseline_flags = BASELINE_FLAGS
    candidate_flags = staticmethod(candidate_flags)
    env = staticmethod(bluegreen_env)
    watch_env = staticmethod(watch_env)
    gate = staticmethod(gate_of)
    findings = staticmethod(findings_of)
    check = staticmethod(check_of)
    ended = staticmethod(ended)
    failed_shift = staticmethod(failed_shift)


@pytest.fixture
def kit() -> Kit:
    return Kit()


#: what ``compared`` runs unless told otherwise: the comparison alone, in its postdeploy stage
COMPARISON = ("--stage", "postdeploy", "load/test_compare.py")


@pytest.fixture
def compared(demo: Callable[..., DemoProcess], suite_project: SuiteProject) -> Callable[..., SuiteRun]:
    """Factory: ``compared(baseline_flags, candidate_flags, *args, compare=, extra=, candidate_env=)``
    starts the two demos (the baseline first), binds environment ``bg`` to them (:func:`bluegreen_env`) and
    runs the suite on it with ``args`` (by default :data:`COMPARISON`)."""

    def run(
        baseline: Sequence[str] = (),
        candidate: Sequence[str] = (),
        *args: str,
        compare: str = "",
        extra: str = "",
        candidate_env: Mapping[str, str] | None = None,
    ) -> SuiteRun:
        baseline_demo, candidate_demo = demo(*baseline), demo(*candidate, env=candidate_env)
        env = bluegreen_env(candidate_demo.url, baseline_demo.url, compare=compare, extra=extra)
        suite_project.write_env("bg", env)
        return suite_project.run("--env", "bg", *(args or COMPARISON))

    return run


@pytest.fixture
def watched(suite_project: SuiteProject) -> Callable[..., SuiteRun]:
    """Factory: ``watched(env_text, *args, env=...)`` writes environment ``bg`` and runs the watch on it
    (load/test_watch.py in the postdeploy stage), with ``args`` (``--watch 30s``) and variables ``env``."""

    def run(env_text: str, *args: str, env: Mapping[str, str] | None = None) -> SuiteRun:
        suite_project.write_env("bg", env_text)
        return suite_project.run("--env", "bg", "--stage", "postdeploy", "load/test_watch.py", *args, env=env)

    return run
