"""Pre-deploy: the upstream test runs this deploy builds on are green (``[precheck].junit``)."""

from __future__ import annotations

import pytest

from gonogo import (
    FindingRecorder,
    FindingVerdict,
    LoadedEnvironment,
    loaded_environment_of,
    not_applicable,
    parametrize_from_env,
)
from gonogo import shown as shown_path
from gonogo.probes import junit
from gonogo.probes.files import Match, expand, project_root


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # One check per file each glob matches, named by the file; a glob matching nothing is a check
    # of its own, named by the glob, that fails.
    loaded = loaded_environment_of(metafunc.config)
    if loaded is None:
        parametrize_from_env(metafunc, "junit_report", lambda env: [])
        return
    root = project_root(loaded.path)
    parametrize_from_env(
        metafunc,
        "junit_report",
        lambda env: [(match.shown(root), match) for match in expand(env.precheck.junit, root)],
    )


def test_upstream_tests_passed(
    request: pytest.FixtureRequest,
    loaded_environment: LoadedEnvironment,
    findings: FindingRecorder,
    junit_report: Match | None,
) -> None:
    if junit_report is None:
        not_applicable(
            request,
            f"{shown_path(loaded_environment.path)} names no upstream test results ([precheck].junit)",
        )
    root = project_root(loaded_environment.path)
    if junit_report.path is None:
        pytest.fail(
            f"[precheck].junit glob {junit_report.pattern!r} matched no file under {root} "
            f"(globs are relative to the project root, the environments folder's parent). "
            "Fix: run the upstream job that writes it, "
            f"or correct the glob in {shown_path(loaded_environment.path)}",
            pytrace=False,
        )
    shown = junit_report.shown(root)
    try:
        summary = junit.read(junit_report.path)
    except junit.JUnitError as exc:
        # raised "from None": the failure shows the message alone, not a chained traceback
        raise pytest.fail.Exception(f"{shown} {exc}", pytrace=False) from None
    findings.record("upstream tests", summary.tests, unit="tests", detail=shown)
    findings.record(
        "failing upstream tests",
        summary.failing,
        limit=0,
        unit="tests",
        verdict=FindingVerdict.FAIL if summary.failing else FindingVerdict.PASS,
        detail=shown,
    )
    # one rule for every producer: a test whose final attempt passed counts as passed, and the
    # failed attempts before it are reported here (Surefire flakyFailure, gotestsum reruns, ...)
    flaky = junit.flaky_note(summary, shown)
    findings.record(
        "flaky upstream tests",
        len(summary.flaky),
        unit="tests",
        verdict=FindingVerdict.PASS,
        detail=flaky or shown,
    )
    message = junit.problem(summary, shown)
    if message:
        pytest.fail(message, pytrace=False)
