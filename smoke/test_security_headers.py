"""Smoke: responses carry ``[security].required_headers`` and none of ``forbidden_headers``.

Scope: the health path and the path of every non-destructive GET route, each requested once (a path
listed twice is requested once). Destructive and non-GET routes are left out: calling them again just to
read headers would change state. ``server`` (``forbidden_only_with_version``) counts only when its value
carries a version number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import httpx
import pytest

from gonogo import Environment, not_applicable
from gonogo.probes.fetch import fetch
from gonogo.probes.headers import header_problems


def paths_to_check(environment: Environment) -> list[str]:
    paths = [environment.health.path]
    paths += [route.path for route in environment.routes if route.method == "GET" and not route.destructive]
    return list(dict.fromkeys(paths))


def test_security_headers(
    http: httpx.Client,
    environment: Environment,
    request: pytest.FixtureRequest,
    fail: Callable[[str], NoReturn],
) -> None:
    security = environment.security
    if not security.required_headers and not security.forbidden_headers:
        not_applicable(request, "no required_headers or forbidden_headers in [security]")
    problems: list[str] = []
    for path in paths_to_check(environment):
        fetched = fetch(http, "GET", path)
        if fetched.response is None:
            problems.append(fetched.describe())
            continue
        found = header_problems(
            fetched.response.headers,
            required=security.required_headers,
            forbidden=security.forbidden_headers,
            versioned_only=security.forbidden_only_with_version,
        )
        problems += [f"GET {fetched.url}: {problem}" for problem in found]
    if problems:
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        details = "".join(f"\n  - {problem}" for problem in problems) if len(problems) > 1 else ""
        fix = (
            "\nFix: set the required headers in the service or the proxy in front of it, and remove the "
            "forbidden ones (or the version in them)"
        )
        fail(f"security headers: {problems[0]}{more}{details}{fix}")
