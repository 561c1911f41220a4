"""Smoke: each GET route answers the same status and JSON shape on the baseline and the candidate.

One check per route (``test_parity[list items]``), non-critical: a difference is shown (and attached as
a JSON diff) for a person to judge; it holds the gate only when the score drops below the pass score.
``[baseline.parity]`` sets what is compared and which fields are volatile. See docs/bluegreen.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import httpx
import pytest

from gonogo.bluegreen import checks as bluegreen
from gonogo.environment import LoadedEnvironment, RouteConfig, shown
from gonogo.evidence import Evidence, FindingRecorder
from gonogo.suite import not_applicable, parametrize_from_env

pytestmark = pytest.mark.gate(critical=False)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_from_env(metafunc, "parity_route", bluegreen.parity_routes)


def test_parity(  # noqa: PLR0917 (pytest passes fixtures by position)
    parity_route: RouteConfig | None,
    baseline_http: httpx.Client,
    http: httpx.Client,
    loaded_environment: LoadedEnvironment,
    findings: FindingRecorder,
    evidence: Evidence,
    request: pytest.FixtureRequest,
    fail: Callable[[str], NoReturn],
) -> None:
    if parity_route is None:
        not_applicable(request, "no GET route that changes nothing in [[routes]]: nothing to compare")
    assert loaded_environment.model.baseline is not None  # baseline_http is not applicable without it
    if not loaded_environment.model.baseline.parity.enabled:
        not_applicable(request, f"[baseline.parity].enabled = false in {shown(loaded_environment.path)}")
    problem = bluegreen.check_parity(
        parity_route,
        baseline=baseline_http,
        candidate=http,
        loaded=loaded_environment,
        findings=findings,
        evidence=evidence,
    )
    if problem is not None:
        fail(problem)
