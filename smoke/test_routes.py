"""Smoke: each ``[[routes]]`` entry answers as described (status, content type, JSON Schema, latency).

One check per route, named after it: ``test_route[list items]``. Routes with ``destructive = true``
carry the ``destructive`` marker, so sensitive environments skip them unless ``--allow-destructive``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import httpx
import pytest

from gonogo import (
    FindingRecorder,
    LoadedEnvironment,
    RouteConfig,
    not_applicable,
    parametrize_from_env,
    shown,
)
from gonogo.probes.routes import check_route
from gonogo.probes.schema import Schema, SchemaFileError, load_schema


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_from_env(
        metafunc,
        "route",
        lambda env: [
            (route.name, route, [pytest.mark.destructive] if route.destructive else [])
            for route in env.routes
        ],
    )


def _schema(route: RouteConfig, loaded: LoadedEnvironment, fail: Callable[[str], NoReturn]) -> Schema | None:
    if route.schema_file is None:
        return None
    path = loaded.path.parent / route.schema_file
    try:
        return load_schema(path, shown=shown(path))
    except SchemaFileError as exc:
        fail(
            f"route {route.name!r}: {exc} (schema = {route.schema_file!r} in {shown(loaded.path)}, "
            f"relative to that file). Fix: correct the path or the file."
        )


def test_route(  # noqa: PLR0917 (pytest passes fixtures by position)
    route: RouteConfig | None,
    http: httpx.Client,
    loaded_environment: LoadedEnvironment,
    findings: FindingRecorder,
    request: pytest.FixtureRequest,
    fail: Callable[[str], NoReturn],
) -> None:
    if route is None:
        not_applicable(request, "no [[routes]] in the environment file")
    schema = _schema(route, loaded_environment, fail)
    try:
        result = check_route(http, route, schema=schema)
    except SchemaFileError as exc:
        fail(f"route {route.name!r}: {exc}")
    if result.fetched.response is not None:
        elapsed = result.fetched.elapsed_ms
        if route.max_latency_ms is None:
            findings.record("latency", round(elapsed, 1), unit="ms")
        else:
            findings.measure("latency", round(elapsed, 1), limit=route.max_latency_ms, unit="ms")
    if not result.ok:
        fail(result.message(f"route {route.name!r}"))
