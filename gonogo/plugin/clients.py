"""The one way the pytest wing builds an HTTP client: the ``http`` and ``baseline_http`` fixtures and the
blue-green checks all come here, so headers, timeouts, TLS, the bearer secret and recording agree."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pytest
from pydantic import SecretStr

from gonogo.environment import Environment, LoadedEnvironment
from gonogo.http import build_client, tls_verify
from gonogo.plugin.context import RunContext, run_environment


def client_for(
    env: Environment,
    loaded: LoadedEnvironment,
    context: RunContext,
    secrets: Mapping[str, SecretStr],
    *,
    base_url: str,
    record: bool,
    retries: int | None = None,
) -> httpx.Client:
    """A client with the file's headers, timeouts, TLS and token; ``retries=0`` for measuring (a retried
    request's time is not a latency, and a probe error must count as one)."""
    model = env
    if retries is not None:
        model = env.model_copy(update={"http": env.http.model_copy(update={"retries": retries})})
    return build_client(
        model,
        base_url=base_url,
        secrets=secrets,
        redactor=context.redactor,
        record=context.exchanges.append if record else None,
        verify=tls_verify(env, loaded.path.parent),
    )


def measuring_client(request: pytest.FixtureRequest, base_url: str) -> httpx.Client:
    """A client of the run's environment for the blue-green measures: nothing recorded, no retries."""
    context, loaded = run_environment(request)
    secrets: Mapping[str, SecretStr] = request.getfixturevalue("secrets")
    return client_for(loaded.model, loaded, context, secrets, base_url=base_url, record=False, retries=0)
