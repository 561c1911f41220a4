"""One ``[[routes]]`` entry against the target: status, content type, JSON Schema and latency."""

from __future__ import annotations

import httpx

from gonogo.environment import RouteConfig
from gonogo.probes.body import MISSING
from gonogo.probes.fetch import ProbeResult, fetch, status_problem
from gonogo.probes.schema import Schema, mismatch


def media_type_matches(actual: str | None, expected: str) -> bool:
    """Whether a Content-Type starts with ``expected`` at a boundary, ignoring case and spaces.

    ``application/json`` matches ``application/json; charset=utf-8`` but not ``application/json-seq``;
    ``text/`` matches every text type; ``text/plain; charset=utf-8`` requires that parameter too.
    """
    if actual is None:
        return False
    have = "".join(actual.lower().split())
    want = "".join(expected.lower().split())
    if not have.startswith(want):
        return False
    return len(have) == len(want) or want.endswith(("/", ";")) or have[len(want)] == ";"


def check_route(client: httpx.Client, route: RouteConfig, *, schema: Schema | None = None) -> ProbeResult:
    """Call the route once and list what differs from its entry.

    With a wrong status the body is not checked: an error page held against the success schema only
    adds noise. The latency is checked whatever the status.
    """
    fetched = fetch(client, route.method, route.path, json_body=route.json_body)
    response = fetched.response
    if response is None:
        return ProbeResult(fetched, [fetched.describe()])
    problems: list[str] = []
    wrong_status = status_problem(fetched, route.status)
    if wrong_status:
        problems.append(wrong_status)
    else:
        content_type = response.headers.get("content-type")
        if route.content_type and not media_type_matches(content_type, route.content_type):
            problems.append(f"expected content type {route.content_type}, got {content_type or '(none)'}")
        if schema is not None:
            body, why = fetched.json()
            if body is MISSING:
                problems.append(f"the body cannot be checked against {schema.shown}: {why}")
            else:
                errors = schema.validate(body)
                if errors:
                    problems.append(mismatch(schema, errors))
    if route.max_latency_ms is not None and fetched.elapsed_ms > route.max_latency_ms:
        problems.append(f"took {fetched.elapsed_ms:.0f} ms, over max_latency_ms = {route.max_latency_ms:g}")
    return ProbeResult(fetched, problems)
