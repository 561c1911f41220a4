"""Baseline vs candidate: the same requests to both colours, interleaved, judged route by route.

Runs when ``[baseline]`` is set (``[baseline.compare]`` tunes it). Postdeploy by default (the candidate
is live: a failure is ROLLBACK); with ``[baseline.compare].stage = "smoke"`` it is a smoke check, for a
run against the idle colour before the switch (a failure is NO-GO). A marginal or too small comparison
is inconclusive (HOLD). See docs/bluegreen.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gonogo.bluegreen import checks as bluegreen
from gonogo.evidence import Evidence, FindingRecorder


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "compare_stage" not in metafunc.fixturenames:
        return
    # the stage comes from the environment file: a smoke marker on the parameter overrides the folder
    stage = bluegreen.compare_stage(metafunc.config)
    marks = [pytest.mark.smoke] if stage == "smoke" else []
    metafunc.parametrize("compare_stage", [pytest.param(stage, id=stage, marks=marks)])


@pytest.fixture
def comparison_plan(request: pytest.FixtureRequest) -> Iterator[bluegreen.ComparePlan]:
    with bluegreen.compare_plan(request) as plan:
        yield plan


def test_compare_with_baseline(
    compare_stage: str,
    comparison_plan: bluegreen.ComparePlan,
    request: pytest.FixtureRequest,
    findings: FindingRecorder,
    evidence: Evidence,
) -> None:
    report = bluegreen.run_comparison(request, comparison_plan, findings, evidence)
    if bluegreen.classification_failed(report):
        pytest.fail(bluegreen.comparison_failure(report, comparison_plan), pytrace=False)
