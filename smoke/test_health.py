"""Smoke: the target says it is healthy (``[health]``: path, status, JSON fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import httpx

from gonogo import Environment
from gonogo.probes.health import check_health


def test_health(http: httpx.Client, environment: Environment, fail: Callable[[str], NoReturn]) -> None:
    result = check_health(http, environment.health)
    if not result.ok:
        fail(result.message("health"))
