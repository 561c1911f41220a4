"""The checks' HTTP client: bounded retries, reasons a person can act on, every exchange recorded, redacted.

The time bounds are correctness bounds, not performance targets: an unreachable target must fail within
``timeout_s x (retries + 1)`` (plus a generous margin for a loaded machine), never after minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from gonogo.environment import Environment
from gonogo.http import Exchange, build_client, total_budget_s
from gonogo.redaction import Redactor

MARGIN_S = 2.0


def environment(url: str, **http: Any) -> Environment:
    return Environment.model_validate({"base_url": url, "expected_version": "1.0.0", "http": http})


def client_for(
    env: Environment, recorded: list[Exchange], secrets: dict[str, SecretStr] | None = None, **kw: Any
) -> httpx.Client:
    secrets = secrets or {}
    redactor = Redactor(value.get_secret_value() for value in secrets.values())
    return build_client(
        env, base_url=env.base_url, secrets=secrets, redactor=redactor, record=recorded.append, **kw
    )


def fails_within_budget(
    env: Environment, send: Callable[[httpx.Client], object]
) -> tuple[httpx.TransportError, float, list[Exchange]]:
    recorded: list[Exchange] = []
    started = time.monotonic()
    with client_for(env, recorded) as client, pytest.raises(httpx.TransportError) as caught:
        send(client)
    elapsed = time.monotonic() - started
    assert elapsed < total_budget_s(env) + MARGIN_S, f"took {elapsed:.1f} s, over the bound"
    return caught.value, elapsed, recorded


def test_a_refused_connection_is_retried_and_fails_within_the_bound_naming_url_and_reason(
    closed_port_url: str,
) -> None:
    env = environment(closed_port_url, timeout_s=1.0, retries=2)
    error, _, recorded = fails_within_budget(env, lambda client: client.get("/health"))
    assert isinstance(error, httpx.ConnectError)
    assert str(error).startswith(f"GET {closed_port_url}/health: no response: connection refused")
    assert "3 attempt(s)" in str(error)
    assert len(recorded) == 1, "one request, one exchange, whatever the attempts"


def test_a_target_that_never_answers_times_out_within_the_bound(silent_server: Any) -> None:
    env = environment(silent_server.url, timeout_s=0.5, retries=2)
    error, elapsed, _ = fails_within_budget(env, lambda client: client.get("/health"))
    assert isinstance(error, httpx.ReadTimeout)
    assert "timed out waiting for the response" in str(error)
    assert "3 attempt(s)" in str(error)
    assert silent_server.accepted == 3
    assert elapsed >= 0.5, "the read timeout cannot fire before timeout_s"


def test_a_request_that_may_have_reached_the_server_is_not_sent_again_unless_safe(silent_server: Any) -> None:
    env = environment(silent_server.url, timeout_s=0.5, retries=2)
    error, _, _ = fails_within_budget(env, lambda client: client.post("/api/items", json={"name": "x"}))
    assert "1 attempt(s)" in str(error)
    assert silent_server.accepted == 1


def test_a_host_that_does_not_resolve_fails_at_once_saying_dns() -> None:
    env = environment("http://gonogo-smoke-test.invalid", timeout_s=1.0, retries=2)
    error, _, _ = fails_within_budget(env, lambda client: client.get("/health"))
    assert "gonogo-smoke-test.invalid/health: no response: DNS lookup failed" in str(error)
    assert "1 attempt(s)" in str(error), "a name that does not exist will not exist on the next attempt"


def test_an_untrusted_certificate_fails_at_once_saying_tls(untrusted_tls_server: Any) -> None:
    env = environment(untrusted_tls_server.url, timeout_s=1.0, retries=2)
    error, _, _ = fails_within_budget(env, lambda client: client.get("/health"))
    assert f"GET {untrusted_tls_server.url}/health: no response: TLS certificate rejected" in str(error)
    assert "1 attempt(s)" in str(error)


def test_the_total_time_stays_bounded_when_retries_are_many(silent_server: Any) -> None:
    # httpcore's own retries back off 0.5, 1, 2, 4 ... s: ten of them would take minutes
    env = environment(silent_server.url, timeout_s=0.2, retries=10)
    fails_within_budget(env, lambda client: client.get("/health"))


def test_a_failed_request_is_recorded_with_the_reason_and_redacted(closed_port_url: str) -> None:
    env = environment(closed_port_url, timeout_s=1.0, retries=0, bearer_secret="TOKEN")
    recorded: list[Exchange] = []
    secret = SecretStr("s3cret-token-value")
    with client_for(env, recorded, {"TOKEN": secret}) as client, pytest.raises(httpx.ConnectError):
        client.post("/api/items", json={"name": "s3cret-token-value"})
    (exchange,) = recorded
    assert exchange.status is None
    assert exchange.error is not None
    assert exchange.error.startswith("connection refused (nothing listens on that port); 1 attempt(s)")
    text = exchange.to_text()
    assert f"POST {closed_port_url}/api/items" in text
    assert "authorization: ***" in text.lower()
    assert "-> no response after" in text
    assert '{"name":"***"}' in text, "the request body is shown, its secrets scrubbed"
    assert "s3cret-token-value" not in text


def test_recorded_exchanges_mask_authorization_and_cookies_and_scrub_secrets(demo: Any) -> None:
    token = "demo-token-0123456789"
    target = demo("--token-env", "SMOKE_TOKEN", env={"SMOKE_TOKEN": token})
    env = environment(target.url, bearer_secret="SMOKE_TOKEN", headers={"Cookie": "session=abc123xyz"})
    recorded: list[Exchange] = []
    with client_for(env, recorded, {"SMOKE_TOKEN": SecretStr(token)}) as client:
        response = client.get("/api/items", params={"echo": token})
    assert response.status_code == 200, "the bearer token reached the demo"
    (exchange,) = recorded
    text = exchange.to_text()
    assert exchange.status == 200
    assert "authorization: ***" in text.lower()
    assert "cookie: ***" in text.lower()
    assert "abc123xyz" not in text
    assert token not in text
    assert "echo=***" in text


def test_a_body_that_fails_mid_read_is_explained_and_recorded() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        def stream() -> Any:
            yield b'{"items": ['
            raise httpx.ReadError("connection reset by peer", request=request)

        return httpx.Response(200, stream=_Stream(stream()))

    env = environment("http://target.test", timeout_s=1.0, retries=1)
    recorded: list[Exchange] = []
    with (
        client_for(env, recorded, transport=httpx.MockTransport(broken)) as client,
        pytest.raises(httpx.ReadError) as caught,
    ):
        client.get("/api/items")
    assert "GET http://target.test/api/items: no response: the connection broke" in str(caught.value)
    assert "2 attempt(s)" in str(caught.value)
    assert recorded[0].error is not None


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: Any) -> None:
        self._chunks = chunks

    def __iter__(self) -> Any:
        return self._chunks


def test_the_bearer_goes_to_the_base_urls_origin_only() -> None:
    seen: dict[str, str | None] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen[str(request.url)] = request.headers.get("authorization")
        return httpx.Response(200)

    env = environment("http://127.0.0.1:8080", bearer_secret="API_TOKEN", retries=0)
    secrets = {"API_TOKEN": SecretStr("origin-bound-token-5e1f")}
    with client_for(env, [], secrets, transport=httpx.MockTransport(answer)) as client:
        for url in (
            "/health",
            "http://127.0.0.1:8080/version",
            "http://other.invalid/health",
            "https://127.0.0.1:8080/health",
            "http://127.0.0.1:8081/health",
        ):
            client.get(url)
    assert seen == {
        "http://127.0.0.1:8080/health": "Bearer origin-bound-token-5e1f",
        "http://127.0.0.1:8080/version": "Bearer origin-bound-token-5e1f",
        "http://other.invalid/health": None,
        "https://127.0.0.1:8080/health": None,
        "http://127.0.0.1:8081/health": None,
    }
