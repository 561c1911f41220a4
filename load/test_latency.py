"""Post-deploy: latency and error rate under load, measured by locust in a child process.

The profile is ``load/locustfile.py`` (the environment's routes, weighted); ``[load]`` in the environment
file sets users, duration, warm-up and the limits. Fails (ROLLBACK in the gate) when p95 or the error
rate is over its limit; records an inconclusive finding, not a pass, when the run cannot decide (too few
requests, a saturated load generator, an open-model schedule not kept). See docs/load.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.evidence import Evidence, FindingRecorder
from gonogo.load import check as load_check

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def test_latency_under_load(
    request: pytest.FixtureRequest, findings: FindingRecorder, evidence: Evidence
) -> None:
    run = load_check.run(request, locustfile=LOCUSTFILE)
    judgement = load_check.report(run, findings, evidence, write=load_check.terminal_writer(request.config))
    within_limits = not judgement.failures
    assert within_limits, load_check.failure_message(judgement)
