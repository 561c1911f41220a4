"""Smoke: the target says it is healthy."""

from __future__ import annotations

import httpx

from gonogo.environment import Environment
from gonogo.probes.body import MISSING, dig


def test_health(http: httpx.Client, environment: Environment) -> None:
    health = environment.health
    response = http.get(health.path)
    assert response.status_code == health.status, (
        f"GET {response.url}: expected HTTP {health.status}, got {response.status_code}: {response.text[:200]}"
    )
    if not health.json_fields:
        return
    body = response.json()
    wrong = []
    for path, expected in health.json_fields.items():
        actual = dig(body, path)
        if actual is MISSING:
            wrong.append(f"{path}: missing (expected {expected!r})")
        elif actual != expected:
            wrong.append(f"{path}: expected {expected!r}, got {actual!r}")
    assert not wrong, f"GET {response.url}: unhealthy: " + "; ".join(wrong)
