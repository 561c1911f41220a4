"""Pre-deploy: the environment file is valid and what it names exists."""

from __future__ import annotations

import os

import pytest

from gonogo import (
    FindingRecorder,
    FindingVerdict,
    LoadedEnvironment,
    not_applicable,
    parametrize_from_env,
    shown,
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_from_env(metafunc, "secret_name", lambda env: [(name, name) for name in env.secret_names()])


def test_environment_file_is_valid(loaded_environment: LoadedEnvironment, findings: FindingRecorder) -> None:
    # Loading already validated the file (an invalid one stops pytest with exit 4): this check
    # verifies the files it points to, which validation alone cannot see.
    base = loaded_environment.path.parent
    env = loaded_environment.model
    referenced = [(f"routes[{route.name}].schema", route.schema_file) for route in env.routes]
    referenced.append(("http.ca_bundle", env.http.ca_bundle))
    missing = [
        f"{key} = {path!r} ({base / path} does not exist)"
        for key, path in referenced
        if path and not (base / path).is_file()
    ]
    # the deployment report shows this as "Config VALID / INVALID"
    findings.record(
        "config",
        "INVALID" if missing else "VALID",
        verdict=FindingVerdict.FAIL if missing else FindingVerdict.PASS,
        detail=str(loaded_environment.path),
    )
    assert not missing, f"{shown(loaded_environment.path)}: referenced files are missing: " + "; ".join(
        missing
    )


def test_secret_is_set(
    request: pytest.FixtureRequest, loaded_environment: LoadedEnvironment, secret_name: str | None
) -> None:
    if secret_name is None:
        not_applicable(
            request, f"{shown(loaded_environment.path)} requires no secrets ([secrets].required is empty)"
        )
    value = os.environ.get(secret_name, "")
    assert value.strip(), (
        f"secret {secret_name} is not set or empty in the process environment "
        f"(required by {shown(loaded_environment.path)}). "
        f"Fix: export {secret_name} from your CI secret store."
    )
