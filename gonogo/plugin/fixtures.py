"""Session fixtures that hand the environment to checks. Override any of them in a conftest.py.

Each worker process (pytest-xdist) builds its own, from the same validated file and the base URL of
the target the controller launched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import NoReturn

import httpx
import pytest
from pydantic import SecretStr

from gonogo import environment as envfile
from gonogo.environment import Environment, LoadedEnvironment
from gonogo.plugin.api import not_applicable
from gonogo.plugin.clients import client_for
from gonogo.plugin.context import CONTEXT_KEY, NO_ENV_MESSAGE, RunContext
from gonogo.plugin.evidence import Evidence, FindingRecorder
from gonogo.redaction import Redactor


def _require(request: pytest.FixtureRequest) -> tuple[RunContext, LoadedEnvironment]:
    context = request.config.stash.get(CONTEXT_KEY, None)
    if context is None or context.loaded is None:
        env_dir = context.settings.env_dir if context else "environments/"
        names = envfile.available(context.settings.env_dir) if context else []
        pytest.fail(NO_ENV_MESSAGE.format(env_dir=env_dir, names=", ".join(names) or "none"), pytrace=False)
    return context, context.loaded


@pytest.fixture(scope="session")
def gonogo_context(request: pytest.FixtureRequest) -> RunContext:
    """The run's state: settings, the loaded environment, the launched target, the redactor."""
    return _require(request)[0]


@pytest.fixture(scope="session")
def loaded_environment(request: pytest.FixtureRequest) -> LoadedEnvironment:
    """The environment with its name and file path."""
    return _require(request)[1]


@pytest.fixture(scope="session")
def environment(loaded_environment: LoadedEnvironment) -> Environment:
    """The validated environment file (``gonogo.environment.Environment``)."""
    return loaded_environment.model


@pytest.fixture(scope="session")
def base_url(gonogo_context: RunContext) -> str:
    """URL of the target: the file's ``base_url``, or the launched target's."""
    if not gonogo_context.base_url:
        pytest.fail("gonogo: the target's base URL is unknown (was [launch] skipped?)", pytrace=False)
    return gonogo_context.base_url


@pytest.fixture(scope="session")
def expected_version(environment: Environment) -> str:
    """The version the target must report."""
    return environment.expected_version


@pytest.fixture(scope="session")
def secrets(loaded_environment: LoadedEnvironment) -> Mapping[str, SecretStr]:
    """The environment's secrets that are set, by name, as ``SecretStr`` (never printed)."""
    return loaded_environment.secret_values()


@pytest.fixture(scope="session")
def http(
    gonogo_context: RunContext,
    loaded_environment: LoadedEnvironment,
    base_url: str,
    secrets: Mapping[str, SecretStr],
) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` bound to the target, with the file's timeouts, headers, TLS and bearer secret."""
    env = loaded_environment.model
    client = client_for(env, loaded_environment, gonogo_context, secrets, base_url=base_url, record=True)
    with client:
        yield client


@pytest.fixture
def findings(request: pytest.FixtureRequest) -> FindingRecorder:
    """Record measurements (value, limit, unit, verdict) for the gate and the report."""
    context = request.config.stash.get(CONTEXT_KEY, None)
    redactor = context.redactor if context else Redactor()
    return FindingRecorder(request.node, redactor)


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Attach text, JSON and files to the report, with secrets scrubbed."""
    context = request.config.stash.get(CONTEXT_KEY, None)
    return Evidence(context.redactor if context else Redactor())


@pytest.fixture
def baseline_http(
    request: pytest.FixtureRequest,
    gonogo_context: RunContext,
    loaded_environment: LoadedEnvironment,
    secrets: Mapping[str, SecretStr],
) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` bound to ``[baseline].base_url`` (the live colour), set up like ``http``.

    A check that uses it is not applicable (not counted) when the environment has no ``[baseline]``.
    """
    env = loaded_environment.model
    if env.baseline is None:
        not_applicable(
            request,
            f"{envfile.shown(loaded_environment.path)} has no [baseline]: "
            "no live deployment to compare with or roll back to",
        )
    client = client_for(
        env, loaded_environment, gonogo_context, secrets, base_url=env.baseline.base_url, record=True
    )
    with client:
        yield client


@pytest.fixture
def fail(gonogo_context: RunContext) -> Callable[[str], NoReturn]:
    """``fail(message)``: fail the check with the message alone (no traceback), secrets scrubbed.

    Check messages quote response bodies; a target that echoes a token must not print it in the log.
    """

    def fail_check(message: str) -> NoReturn:
        __tracebackhide__ = True
        pytest.fail(gonogo_context.redactor.text(message), pytrace=False)

    return fail_check
