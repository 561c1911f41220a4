"""Post-deploy: watch the promoted candidate for a while (``--watch DURATION`` or ``[watch]``).

At each interval: health, version and a sample of requests (and Prometheus, with ``[watch.prometheus]``).
Ends early, failed (ROLLBACK), as soon as failed measurements exceed ``failure_limit`` or measurements
without an answer in a row exceed ``consecutive_error_limit``; inconclusive (HOLD) past
``inconclusive_limit``; passes at the end of its duration otherwise. The time to the verdict is printed.
Not applicable without ``--watch`` and without ``[watch]``. See docs/bluegreen.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gonogo.bluegreen import checks as bluegreen
from gonogo.bluegreen.watch import End
from gonogo.evidence import Evidence, FindingRecorder


@pytest.fixture
def watch_plan(request: pytest.FixtureRequest) -> Iterator[bluegreen.WatchPlan]:
    with bluegreen.watch_plan(request) as plan:
        yield plan


def test_watch(
    watch_plan: bluegreen.WatchPlan,
    request: pytest.FixtureRequest,
    findings: FindingRecorder,
    evidence: Evidence,
) -> None:
    result = bluegreen.run_watch(request, watch_plan, findings, evidence)
    if result.end in (End.FAILED, End.ERRORED):
        pytest.fail(bluegreen.watch_failure(result, watch_plan), pytrace=False)
