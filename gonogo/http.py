"""The httpx client checks use: bound to the environment, bounded in time, recording what it saw.

* timeouts, headers, TLS verification and the bearer secret come from ``[http]``;
* transient network errors are retried (see :func:`transient`) ``retries`` times within a total budget of
  ``timeout_s x (retries + 1)``: each attempt's timeouts are clipped to what is left of it, so an
  unreachable target fails within that budget plus a little bookkeeping;
* a transport error is re-raised (same httpx class) with the method, the URL, the reason in words
  (refused, timed out, DNS, TLS), the attempts and the time spent;
* every exchange is recorded, redacted, for the report: responses and the requests that got none; bodies
  are redacted before they are cut to an excerpt, so a secret across the cut loses its head too.

The response body is read inside the transport, so an error while reading it is explained, retried and
recorded like any other; streamed requests are therefore buffered (checks read whole bodies anyway).

Every body is read to at most ``[http].max_body_bytes`` (4 MiB unless the file says otherwise): a larger
one fails the request (:class:`ResponseTooLarge`, never retried) instead of filling memory. The same
budget is also the request's total deadline while the body arrives: httpx's read timeout bounds each
read, so a server trickling a byte now and then would otherwise hold a check forever
(:class:`ResponseDeadline`). The cap counts the bytes on the wire; a compressed body is decoded by httpx
afterwards, without a second cap. The bound does not cover a DNS lookup that hangs (``getaddrinfo`` has
no timeout in the standard library).
"""

from __future__ import annotations

import errno
import socket
import ssl
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from gonogo.environment import Environment
from gonogo.errors import GonogoError
from gonogo.redaction import Redactor

BODY_EXCERPT_BYTES = 2048
#: the largest body a check reads, unless ``[http].max_body_bytes`` says otherwise
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
USER_AGENT = "gonogo"
#: methods safe to send again after the request may have reached the server (RFC 9110 9.2.1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: pause before retry n (0-based) is min(BACKOFF_S * 2**n, BACKOFF_CAP_S), never past the budget
BACKOFF_S = 0.1
BACKOFF_CAP_S = 1.0
#: an attempt with less time than this left is not started: it could only time out
_MIN_ATTEMPT_S = 0.05
_DNS_PERMANENT = {getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)}


class ResponseTooLarge(GonogoError, httpx.TransportError):
    """The response body is larger than ``[http].max_body_bytes``: it was not read further."""


class ResponseDeadline(GonogoError, httpx.ReadTimeout):
    """The response did not arrive whole within the request's total deadline (a trickling server)."""


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
    request_body_excerpt: str = ""

    def to_text(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.request_headers]
        if self.request_body_excerpt:
            lines += ["", self.request_body_excerpt]
        lines.append("")
        if self.error:
            lines.append(f"-> no response after {self.elapsed_ms:.0f} ms: {self.error}")
            return "\n".join(lines)
        lines.append(f"-> HTTP {self.status} in {self.elapsed_ms:.1f} ms")
        lines += [f"{name}: {value}" for name, value in self.response_headers]
        if self.body_excerpt:
            lines += ["", self.body_excerpt]
        return "\n".join(lines)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


class _Bearer(httpx.Auth):
    """The bearer token, sent to ``base_url``'s origin only: a request a check makes to another origin
    (an absolute URL) goes without it. The environment file already refuses paths that leave the origin;
    this holds for what a check builds itself."""

    def __init__(self, token: SecretStr, base_url: str) -> None:
        self._token = token
        self._origin = _origin(httpx.URL(base_url))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) == self._origin:
            request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "Bearer(***)"


@dataclass(frozen=True)
class _Diagnosis:
    reason: str
    #: worth another attempt: the next one may well succeed (refused during a restart, a timeout)
    transient: bool
    #: the server may have seen the request, so only safe methods are sent again
    maybe_sent: bool = False


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and all(cause is not other for other in seen):
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    return seen


def _diagnose(exc: BaseException) -> _Diagnosis:
    if isinstance(exc, ResponseTooLarge | ResponseDeadline):
        # the server answered: asking again would read the same too-large or too-slow body
        return _Diagnosis(str(exc), False)
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            # a wrong or untrusted certificate stays wrong on the next attempt
            return _Diagnosis(f"TLS certificate rejected ({cause.verify_message or cause.reason})", False)
        if isinstance(cause, ssl.SSLError):
            return _Diagnosis(f"TLS handshake failed ({cause.reason or cause})", False)
        if isinstance(cause, socket.gaierror):
            if cause.errno in _DNS_PERMANENT:
                return _Diagnosis("DNS lookup failed (the host name does not resolve)", False)
            return _Diagnosis(f"DNS lookup failed ({cause.strerror or cause})", True)
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return _Diagnosis("connection refused (nothing listens on that port)", True)
        text = str(cause)
        if "Name or service not known" in text or "nodename nor servname" in text:
            return _Diagnosis("DNS lookup failed (the host name does not resolve)", False)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return _Diagnosis(f"TLS certificate rejected ({text})", False)
    if isinstance(exc, httpx.ConnectTimeout):
        return _Diagnosis("connect timed out", True)
    if isinstance(exc, httpx.ReadTimeout):
        return _Diagnosis("timed out waiting for the response", True, maybe_sent=True)
    if isinstance(exc, httpx.WriteTimeout):
        return _Diagnosis("timed out sending the request", True, maybe_sent=True)
    if isinstance(exc, httpx.PoolTimeout):
        return _Diagnosis("timed out waiting for a free connection", True)
    if isinstance(exc, httpx.RemoteProtocolError):
        return _Diagnosis(f"the server broke the HTTP exchange ({exc})", True, maybe_sent=True)
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return _Diagnosis(f"the connection broke ({exc or type(exc).__name__})", True, maybe_sent=True)
    text = str(exc)
    if "Connection refused" in text:
        return _Diagnosis("connection refused (nothing listens on that port)", True)
    if isinstance(exc, httpx.ConnectError):
        return _Diagnosis(f"cannot connect ({text or type(exc).__name__})", True)
    return _Diagnosis(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, False)


def explain(exc: BaseException) -> str:
    """Why a request got no response, in the words an on-call engineer searches for."""
    return _diagnose(exc).reason


def transient(exc: BaseException, method: str) -> bool:
    """Whether a request that failed with ``exc`` is sent again.

    Connection failures (refused, connect timeout, a temporary DNS failure) are retried for every
    method: nothing reached the server. Errors after the request may have reached it (read timeout,
    broken connection) are retried for GET, HEAD and OPTIONS only. A host that does not resolve and a
    TLS failure are permanent: retrying only delays the answer.
    """
    diagnosis = _diagnose(exc)
    return diagnosis.transient and (not diagnosis.maybe_sent or method.upper() in SAFE_METHODS)


FailureRecorder = Callable[[httpx.Request, str, float], None]


class _RetryingTransport(httpx.BaseTransport):
    """Retries transient errors within a total time budget and explains the final failure."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        retries: int,
        budget_s: float,
        redactor: Redactor | None = None,
        on_failure: FailureRecorder | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._inner = inner
        self._retries = retries
        self._budget_s = budget_s
        self._max_body_bytes = max_body_bytes
        self._redactor = redactor or Redactor()
        self._on_failure = on_failure
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        deadline = started + self._budget_s
        configured = dict(request.extensions.get("timeout", {}))
        attempts = 0
        while True:
            attempts += 1
            left = deadline - time.monotonic()
            request.extensions = {**request.extensions, "timeout": _clip(configured, left)}
            try:
                return self._attempt(request, started=started, deadline=deadline)
            except httpx.TransportError as exc:
                error = exc
            pause = min(BACKOFF_S * 2 ** (attempts - 1), BACKOFF_CAP_S)
            left = deadline - time.monotonic()
            if (
                attempts > self._retries
                or not transient(error, request.method)
                or left < pause + _MIN_ATTEMPT_S
            ):
                break
            self._sleep(pause)
        spent = time.monotonic() - started
        reason = f"{explain(error)}; {attempts} attempt(s) in {spent:.1f} s"
        if self._on_failure is not None:
            self._on_failure(request, reason, spent * 1000)
        what = (
            "response not read" if isinstance(error, ResponseTooLarge | ResponseDeadline) else "no response"
        )
        message = self._redactor.text(f"{request.method} {request.url}: {what}: {reason}")
        raise type(error)(message, request=request) from error

    def _attempt(self, request: httpx.Request, *, started: float, deadline: float) -> httpx.Response:
        response = self._inner.handle_request(request)
        stream = response.stream
        if not isinstance(stream, httpx.SyncByteStream):
            raise TypeError(f"{type(self._inner).__name__} returned an async stream to a sync client")
        try:
            # read here, so an error while reading the body is explained and retried like any other;
            # raw bytes: the client still decodes gzip & co
            body = self._read_body(stream, request, started=started, deadline=deadline)
        finally:
            response.close()
        extensions = {key: value for key, value in response.extensions.items() if key != "network_stream"}
        # stream=, not content=: a content body counts as read at once and httpx would never time it
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(body),
            extensions=extensions,
            request=request,
        )

    def _read_body(
        self, stream: httpx.SyncByteStream, request: httpx.Request, *, started: float, deadline: float
    ) -> bytes:
        """The whole body, or an error once it passes the size cap or the total deadline."""
        chunks: list[bytes] = []
        size = 0
        for chunk in stream:
            size += len(chunk)
            if size > self._max_body_bytes:
                raise ResponseTooLarge(
                    f"the body is larger than {self._max_body_bytes} bytes ([http].max_body_bytes): "
                    "not read further",
                    request=request,
                )
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise ResponseDeadline(
                    f"the body did not arrive within the request's total deadline of {self._budget_s:g} s "
                    f"({size} bytes in {time.monotonic() - started:.1f} s; "
                    "[http].timeout_s x (retries + 1))",
                    request=request,
                )
        return b"".join(chunks)

    def close(self) -> None:
        self._inner.close()


def _clip(timeouts: Mapping[str, Any], left: float) -> dict[str, Any]:
    # each phase gets its configured timeout, or what is left of the budget when that is less
    left = max(left, _MIN_ATTEMPT_S)
    return {phase: left if value is None else min(value, left) for phase, value in timeouts.items()}


def tls_verify(env: Environment, env_dir: Any = None) -> ssl.SSLContext | bool:
    if not env.http.verify_tls:
        return False
    if env.http.ca_bundle:
        path = env.http.ca_bundle if env_dir is None else str(env_dir / env.http.ca_bundle)
        return ssl.create_default_context(cafile=path)
    return True


def total_budget_s(env: Environment) -> float:
    """The longest a request may take before it fails: ``timeout_s x (retries + 1)``."""
    return env.http.timeout_s * (env.http.retries + 1)


def _request_body(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:
        return b""


def build_client(
    env: Environment,
    *,
    base_url: str,
    secrets: Mapping[str, SecretStr],
    redactor: Redactor,
    record: Callable[[Exchange], None] | None = None,
    verify: ssl.SSLContext | bool = True,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` for the target; ``transport`` replaces the network (tests, edge cases)."""
    config = env.http
    auth: httpx.Auth | None = None
    if config.bearer_secret and config.bearer_secret in secrets:
        auth = _Bearer(secrets[config.bearer_secret], base_url)
    started: dict[int, float] = {}

    def on_failure(request: httpx.Request, reason: str, elapsed_ms: float) -> None:
        started.pop(id(request), None)
        if record is None:
            return
        record(
            Exchange(
                method=request.method,
                url=redactor.text(str(request.url)),
                status=None,
                elapsed_ms=elapsed_ms,
                request_headers=redactor.headers(request.headers.multi_items()),
                request_body_excerpt=redactor.excerpt(_request_body(request), BODY_EXCERPT_BYTES),
                error=redactor.text(reason),
            )
        )

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
                body_excerpt=redactor.excerpt(response.content, BODY_EXCERPT_BYTES),
                request_body_excerpt=redactor.excerpt(_request_body(response.request), BODY_EXCERPT_BYTES),
            )
        )

    inner = transport or httpx.HTTPTransport(retries=0, verify=verify)
    retrying = _RetryingTransport(
        inner,
        retries=config.retries,
        budget_s=total_budget_s(env),
        redactor=redactor,
        on_failure=on_failure,
        max_body_bytes=config.max_body_bytes,
    )
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(config.timeout_s),
        headers={"User-Agent": USER_AGENT, **config.headers},
        auth=auth,
        transport=retrying,
        event_hooks={"request": [on_request], "response": [on_response]},
        follow_redirects=False,
    )
