"""Pre-deploy: the live deployment is still there to roll back to (``[baseline].base_url``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import httpx
import pytest
from pydantic import SecretStr

from gonogo.context import RunContext
from gonogo.environment import LoadedEnvironment
from gonogo.evidence import FindingRecorder
from gonogo.http import build_client, tls_verify
from gonogo.probes import rollback
from gonogo.results import FindingVerdict
from gonogo.suite import not_applicable


@pytest.fixture
def baseline_http(
    request: pytest.FixtureRequest,
    gonogo_context: RunContext,
    loaded_environment: LoadedEnvironment,
    secrets: Mapping[str, SecretStr],
) -> Iterator[httpx.Client]:
    """A client bound to the baseline, with the same headers, timeouts and TLS settings as ``http``."""
    env = loaded_environment.model
    if env.baseline is None:
        not_applicable(request, f"{loaded_environment.path} has no [baseline]: no rollback target to check")
    client = build_client(
        env,
        base_url=env.baseline.base_url,
        secrets=secrets,
        redactor=gonogo_context.redactor,
        record=gonogo_context.exchanges.append,
        verify=tls_verify(env, loaded_environment.path.parent),
    )
    with client:
        yield client


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
        "rollback ready",
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
