"""A Prometheus server as a metric source: instant queries over the HTTP API (``GET /api/v1/query``).

Exceptions::

    PrometheusError           no usable answer: unreachable, timed out, HTTP 5xx, not the API's JSON
    └── QueryRejected         Prometheus refused the query (HTTP 400 ``bad_data``: a PromQL error), or
                              it returned several series where one number was asked for: a mistake in
                              the environment file, not a sign about the deployment

A query that returns no series, or NaN (``0/0`` when no request came in the window), is *no data*:
``None``. Queries are written with ``{{labels}}`` and ``{{window}}`` placeholders (as Argo Rollouts'
``{{args.x}}``), replaced by the environment's label matchers and the rate window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import httpx

from gonogo.errors import GonogoError
from gonogo.http import explain

QUERY_PATH = "/api/v1/query"


class PrometheusError(GonogoError):
    """No usable answer from Prometheus; the message names the URL and the query."""


class QueryRejected(PrometheusError):
    """Prometheus refused the query, or its answer is not one number: fix the environment file."""


def matchers(labels: Mapping[str, str]) -> str:
    """``{"job": "shop"}`` -> ``job="shop"`` (PromQL string escapes applied), comma-separated."""
    return ",".join(f'{name}="{_escape(value)}"' for name, value in sorted(labels.items()))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(query: str, *, labels: Mapping[str, str], window: str) -> str:
    """Replace ``{{labels}}`` and ``{{window}}``; nothing else is touched (PromQL has braces of its own)."""
    return query.replace("{{labels}}", matchers(labels)).replace("{{window}}", window)


def query_value(client: httpx.Client, base_url: str, promql: str, *, timeout_s: float) -> float | None:
    """One number from an instant query (a scalar, or a vector of one series); None for no data."""
    url = f"{base_url.rstrip('/')}{QUERY_PATH}"
    where = f"Prometheus {url} query {promql!r}"
    try:
        response = client.get(url, params={"query": promql}, timeout=timeout_s)
    except httpx.TransportError as exc:
        raise PrometheusError(f"{where}: no response: {explain(exc)}") from exc
    try:
        body: Any = response.json()
    except ValueError:
        raise PrometheusError(
            f"{where}: HTTP {response.status_code}, not the Prometheus API's JSON: {response.text[:200]!r}"
        ) from None
    if not isinstance(body, dict):
        raise PrometheusError(f"{where}: HTTP {response.status_code}, unexpected JSON: {str(body)[:200]}")
    if body.get("status") != "success":
        error = f"{body.get('errorType', 'error')}: {body.get('error', 'no message')}"
        if response.status_code == 400 or body.get("errorType") == "bad_data":
            raise QueryRejected(f"{where} was rejected ({error}). Fix the query in the environment file.")
        raise PrometheusError(f"{where}: HTTP {response.status_code}: {error}")
    return _one_number(body.get("data"), where)


def _one_number(data: Any, where: str) -> float | None:
    if not isinstance(data, dict):
        raise PrometheusError(f"{where}: the answer has no data")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return _number(result[1], where)
    if kind == "vector" and isinstance(result, list):
        if not result:
            return None
        if len(result) > 1:
            labels = [series.get("metric", {}) for series in result[:3] if isinstance(series, dict)]
            raise QueryRejected(
                f"{where} returned {len(result)} series (e.g. {labels}), where one number is needed. "
                "Fix: aggregate it, e.g. sum(...) or max(...), or narrow the labels."
            )
        value = result[0].get("value") if isinstance(result[0], dict) else None
        if isinstance(value, list) and len(value) == 2:
            return _number(value[1], where)
    raise QueryRejected(
        f"{where} returned a {kind}, where an instant vector of one series or a scalar is needed"
    )


def _number(text: Any, where: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise PrometheusError(f"{where}: {text!r} is not a number") from None
    # NaN: 0/0, no request in the window. +Inf stays: histogram_quantile's "beyond the last bucket".
    return None if math.isnan(value) else value
