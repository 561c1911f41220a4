"""The smoke probes on their own: header rules, content types, bodies that are not what a check expects.

Real servers cover the normal paths (test_smoke_checks.py); httpx.MockTransport covers the edge cases a
healthy or faulty demo never produces.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gonogo.environment import Environment, HealthConfig, RouteConfig, VersionConfig
from gonogo.http import build_client
from gonogo.probes.body import field_mismatches, parse_json
from gonogo.probes.headers import carries_version, header_problems
from gonogo.probes.health import check_health, read_version
from gonogo.probes.routes import check_route, media_type_matches
from gonogo.probes.schema import load_schema
from gonogo.redaction import Redactor


def client(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    env = Environment.model_validate({"base_url": "http://target.test", "expected_version": "1.4.2"})
    return build_client(
        env, base_url=env.base_url, secrets={}, redactor=Redactor(), transport=httpx.MockTransport(answer)
    )


def answering(status: int, body: bytes | str = b"", **headers: str) -> httpx.Client:
    return client(lambda request: httpx.Response(status, content=body, headers=headers))


@pytest.mark.parametrize(
    ("value", "versioned"),
    [
        ("nginx/1.25.3", True),
        ("gonogo-demo/1.4.2", True),
        ("Apache/2.4.57 (Debian) OpenSSL/3.0.11", True),
        ("Microsoft-IIS/10.0", True),
        ("Apache/2", True),
        ("Jetty(9.4.z-SNAPSHOT)", True),
        ("nginx", False),
        ("cloudflare", False),
        ("AmazonS3", False),
        ("ECS (dcb/7F84)", False),
        ("uvicorn", False),
    ],
)
def test_a_server_header_carries_a_version_when_it_names_a_numeric_release(
    value: str, versioned: bool
) -> None:
    assert carries_version(value) is versioned


def test_required_headers_must_be_present_and_non_empty_whatever_their_case() -> None:
    headers = httpx.Headers({"X-Content-Type-Options": "nosniff", "x-frame-options": " "})
    assert header_problems(
        headers,
        required=["x-content-type-options", "X-Frame-Options", "strict-transport-security"],
        forbidden=[],
    ) == ["required header x-frame-options is empty", "missing required header strict-transport-security"]


def test_server_is_forbidden_only_with_a_version_unless_listed_otherwise() -> None:
    plain = httpx.Headers({"server": "nginx", "x-powered-by": "Express"})
    versioned = httpx.Headers({"server": "nginx/1.25.3"})
    forbidden = ["server", "x-powered-by"]
    assert header_problems(plain, required=[], forbidden=forbidden) == [
        "forbidden header x-powered-by: Express"
    ]
    assert header_problems(versioned, required=[], forbidden=forbidden) == [
        "forbidden header server: nginx/1.25.3 (it reveals a version)"
    ]
    assert header_problems(plain, required=[], forbidden=forbidden, versioned_only=[]) == [
        "forbidden header server: nginx",
        "forbidden header x-powered-by: Express",
    ]


@pytest.mark.parametrize(
    ("actual", "expected", "matches"),
    [
        ("application/json", "application/json", True),
        ("application/json; charset=utf-8", "application/json", True),
        ("Application/JSON;charset=UTF-8", "application/json; charset=utf-8", True),
        ("text/html; charset=utf-8", "text/", True),
        ("application/json-seq", "application/json", False),
        ("text/html", "application/json", False),
        (None, "application/json", False),
    ],
)
def test_content_type_matches_a_media_type_prefix_at_a_boundary(
    actual: str | None, expected: str, matches: bool
) -> None:
    assert media_type_matches(actual, expected) is matches


def route(**fields: Any) -> RouteConfig:
    return RouteConfig.model_validate({"name": "list items", "path": "/api/items", **fields})


def test_a_route_without_a_content_type_header_says_so() -> None:
    result = check_route(answering(200, b"{}"), route(content_type="application/json"))
    assert result.problems == ["expected content type application/json, got (none)"]


def test_a_route_with_a_schema_and_a_body_that_is_not_json_says_so(tmp_path: Any) -> None:
    schema_file = tmp_path / "s.json"
    schema_file.write_text('{"type": "object"}')
    schema = load_schema(schema_file, shown="schemas/s.json")
    result = check_route(answering(200, "<html>oops</html>"), route(), schema=schema)
    (problem,) = result.problems
    assert problem.startswith("the body cannot be checked against schemas/s.json: the body is not JSON (")
    assert problem.endswith("): <html>oops</html>")


def test_a_wrong_status_is_reported_alone_with_a_bounded_body_excerpt() -> None:
    result = check_route(
        answering(500, "x" * 5000, **{"content-type": "text/plain"}), route(content_type="application/json")
    )
    (problem,) = result.problems
    assert problem.startswith("expected HTTP 200, got 500 (body: xxx")
    assert problem.endswith("... (5000 characters))")


def test_a_route_sends_its_method_and_json_body() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": 4})

    result = check_route(
        client(answer), route(method="POST", status=201, json={"name": "probe", "price": 1.0})
    )
    assert result.ok
    assert seen[0].method == "POST"
    assert json.loads(seen[0].content) == {"name": "probe", "price": 1.0}


def test_health_with_a_body_that_is_not_json_names_the_expected_fields() -> None:
    result = check_health(answering(200, "OK"), HealthConfig.model_validate({"json": {"status": "ok"}}))
    assert result.problems == [
        "expected JSON fields {'status': 'ok'}, but the body is not JSON (Expecting value: line 1 column 1 "
        "(char 0)): OK"
    ]


def test_health_without_json_fields_only_checks_the_status() -> None:
    assert check_health(answering(204), HealthConfig.model_validate({"status": 204})).ok


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"build": {"version": "1.4.2"}}, None),
        ({"build": {}}, "field 'build.version' is missing (body: {\"build\": {}})"),
        (
            {"build": {"version": None}},
            'field \'build.version\' is not a version: None (body: {"build": {"version": null}})',
        ),
        ({"build": {"version": "1.4.1"}}, "expected version '1.4.2', got '1.4.1'"),
    ],
)
def test_version_is_read_by_dotted_path(body: Any, problem: str | None) -> None:
    reading = read_version(
        answering(200, json.dumps(body)), VersionConfig.model_validate({"field": "build.version"}), "1.4.2"
    )
    assert reading.problems == ([problem] if problem else [])


def test_version_from_an_error_page_says_the_status() -> None:
    reading = read_version(answering(404, '{"error": "not found"}'), VersionConfig(), "1.4.2")
    assert reading.problems == ['expected a 2xx answer, got HTTP 404 (body: {"error": "not found"})']
    assert reading.actual is None


def test_body_helpers() -> None:
    assert parse_json(b"")[1] == "the body is empty"
    assert field_mismatches({"a": {"b": 1}}, {"a.b": 1, "a.c": 2}) == ["field 'a.c': missing (expected 2)"]


def test_a_compressed_body_is_decoded_once() -> None:
    compressed = gzip.compress(b'{"status": "ok"}')
    answer = answering(200, compressed, **{"content-encoding": "gzip", "content-type": "application/json"})
    assert check_health(answer, HealthConfig.model_validate({"json": {"status": "ok"}})).ok
