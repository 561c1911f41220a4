"""The httpx client checks use: bound to the environment, bounded in time, recording what it saw.

* timeouts, headers, TLS verification and the bearer secret come from ``[http]``;
* connection errors are retried ``retries`` times (httpx's transport retries connect errors only, with
  a short backoff), so an unreachable target fails in about ``timeout_s x (retries + 1)``;
* a transport error is re-raised with the method, the URL, the reason in words and the time spent;
* every exchange is recorded, redacted, for the report.
"""

from __future__ import annotations

import errno
import ssl
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from gonogo.environment import Environment
from gonogo.redact import Redactor

BODY_EXCERPT_BYTES = 2048
USER_AGENT = "gonogo"


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (or why nothing did), already redacted."""

    method: str
    url: str
    status: int | None
    elapsed_ms: float
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body_excerpt: str = ""
    error: str | None = None

    def to_text(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.request_headers]
        lines.append("")
        if self.error:
            lines.append(f"-> no response after {self.elapsed_ms:.0f} ms: {self.error}")
            return "\n".join(lines)
        lines.append(f"-> HTTP {self.status} in {self.elapsed_ms:.1f} ms")
        lines += [f"{name}: {value}" for name, value in self.response_headers]
        if self.body_excerpt:
            lines += ["", self.body_excerpt]
        return "\n".join(lines)


class _Bearer(httpx.Auth):
    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "Bearer(***)"


def explain(exc: BaseException) -> str:
    """Why a request got no response, in the words an on-call engineer searches for."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate rejected ({cause.verify_message or cause.reason})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed ({cause.reason or cause})"
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return "connection refused (nothing listens on that port)"
        if "Name or service not known" in str(cause) or "nodename nor servname" in str(cause):
            return "DNS lookup failed (the host name does not resolve)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, httpx.ReadTimeout):
        return "timed out waiting for the response"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return f"TLS certificate rejected ({text})"
    if "Connection refused" in text:
        return "connection refused (nothing listens on that port)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _ExplainingTransport(httpx.BaseTransport):
    """Turns transport errors into messages with the URL, the reason and the time spent."""

    def __init__(self, inner: httpx.BaseTransport, retries: int) -> None:
        self._inner = inner
        self._retries = retries

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        try:
            return self._inner.handle_request(request)
        except httpx.TransportError as exc:
            spent = time.monotonic() - started
            message = (
                f"{request.method} {request.url}: {explain(exc)} "
                f"(after {self._retries + 1} attempt(s), {spent:.1f} s)"
            )
            raise type(exc)(message, request=request) from exc

    def close(self) -> None:
        self._inner.close()


def tls_verify(env: Environment, env_dir: Any = None) -> ssl.SSLContext | bool:
    if not env.http.verify_tls:
        return False
    if env.http.ca_bundle:
        path = env.http.ca_bundle if env_dir is None else str(env_dir / env.http.ca_bundle)
        return ssl.create_default_context(cafile=path)
    return True


def build_client(
    env: Environment,
    *,
    base_url: str,
    secrets: Mapping[str, SecretStr],
    redactor: Redactor,
    record: Callable[[Exchange], None] | None = None,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    config = env.http
    auth: httpx.Auth | None = None
    if config.bearer_secret and config.bearer_secret in secrets:
        auth = _Bearer(secrets[config.bearer_secret])
    transport = _ExplainingTransport(httpx.HTTPTransport(retries=config.retries, verify=verify), config.retries)
    started: dict[int, float] = {}

    def on_request(request: httpx.Request) -> None:
        started[id(request)] = time.perf_counter()

    def on_response(response: httpx.Response) -> None:
        if record is None:
            return
        response.read()
        began = started.pop(id(response.request), None)
        elapsed = (time.perf_counter() - began) * 1000 if began is not None else 0.0
        record(
            Exchange(
                method=response.request.method,
                url=redactor.text(str(response.request.url)),
                status=response.status_code,
                elapsed_ms=elapsed,
                request_headers=redactor.headers(response.request.headers.multi_items()),
                response_headers=redactor.headers(response.headers.multi_items()),
                body_excerpt=redactor.text(response.content[:BODY_EXCERPT_BYTES].decode("utf-8", "replace")),
            )
        )

    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(config.timeout_s),
        headers={"User-Agent": USER_AGENT, **config.headers},
        auth=auth,
        transport=transport,
        event_hooks={"request": [on_request], "response": [on_response]},
        follow_redirects=False,
    )
