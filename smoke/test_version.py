"""Smoke: the target runs the version this deployment is about."""

from __future__ import annotations

import httpx

from gonogo.environment import Environment
from gonogo.probes.body import MISSING, dig


def test_version(http: httpx.Client, environment: Environment, expected_version: str) -> None:
    config = environment.version
    response = http.get(config.path)
    assert response.status_code == 200, f"GET {response.url}: expected HTTP 200, got {response.status_code}"
    actual = dig(response.json(), config.field)
    assert actual is not MISSING, f"GET {response.url}: no field {config.field!r} in {response.text[:200]}"
    assert str(actual) == expected_version, (
        f"version mismatch at {response.url}: expected {expected_version!r}, got {str(actual)!r}"
    )
