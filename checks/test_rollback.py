"""Pre-deploy: the live deployment is still there to roll back to (``[baseline].base_url``)."""

from __future__ import annotations

import httpx
import pytest

from gonogo import FINDING_ROLLBACK_READY, FindingRecorder, FindingVerdict, LoadedEnvironment
from gonogo.probes import rollback


def test_rollback_ready(
    baseline_http: httpx.Client, loaded_environment: LoadedEnvironment, findings: FindingRecorder
) -> None:
    env = loaded_environment.model
    assert env.baseline is not None
    readiness = rollback.check(
        baseline_http,
        health=env.health,
        version=env.version,
        expected_version=env.expected_version,
        baseline_version=env.baseline.version,
    )
    findings.record(
        FINDING_ROLLBACK_READY,
        readiness.answer,
        verdict=FindingVerdict.PASS if readiness.ready else FindingVerdict.FAIL,
        detail=f"baseline {readiness.baseline_url} reports {readiness.version or 'no version'}",
    )
    if not readiness.ready:
        pytest.fail(
            f"rollback not ready: baseline {readiness.baseline_url}: "
            + "; ".join(readiness.reasons)
            + ". Fix: keep the previous deployment running until the candidate is promoted",
            pytrace=False,
        )
