"""POST gate.json to a webhook after the verdict. It reports its own failure and never changes the verdict.

The body is gate.json as written, byte for byte (``Content-Type: application/json``). Each attempt is
bounded as a whole by ``timeout_s``, from connecting to the last byte of the answer: httpx's timeouts
apply to each network operation (encode/httpx#1450), so a receiver that dribbles its answer a byte at a
time would otherwise hold an attempt open as long as it likes. Connection errors, timeouts and 5xx answers
are tried again (``attempts`` in all, pausing 0.5 s, 1 s, then 2 s at most); any other answer is final.
Nothing raises out of :func:`post_gate` (``attempts < 1`` is a caller's bug: ValueError); a DNS lookup that
hangs is the one wait it cannot cut short.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from gonogo.http import explain
from gonogo.reporting.gate_json import dumps

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_ATTEMPTS = 3
BACKOFF_S = 0.5
BACKOFF_CAP_S = 2.0


@dataclass(frozen=True)
class NotifyResult:
    ok: bool
    message: str
    #: requests sent (0: the URL or the document was unusable, nothing was sent)
    attempts: int


class _Watchdog:
    """Shuts down an attempt's socket when its deadline passes, which wakes a read blocked on it.

    The socket comes from httpx's ``trace`` request extension (the stream that ``connect_tcp`` and
    ``start_tls`` return). Keep-alive is off, so every attempt opens its own connection and is seen here.
    """

    def __init__(self, timeout_s: float) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(timeout_s, self._fire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    # shutdown, not close: closing a socket another thread is reading does not wake that read on Linux;
    # OSError: already closed by httpx, or the plain socket that TLS detached
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def post_gate(
    url: str,
    document: dict[str, Any],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    attempts: int = DEFAULT_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> NotifyResult:
    """Deliver ``document`` (gate.json) to ``url``; the whole delivery takes at most about
    ``attempts * timeout_s`` plus the pauses between attempts (1.5 s for 3 attempts)."""
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts!r}")
    failed = f"could not deliver gate.json to {url}"
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return NotifyResult(False, f"{failed}: not a valid URL ({exc})", 0)
    if target.scheme not in ("http", "https") or not target.host:
        return NotifyResult(False, f"{failed}: not an http:// or https:// URL", 0)
    try:
        body = dumps(document).encode("utf-8")
    except (TypeError, ValueError) as exc:
        return NotifyResult(False, f"{failed}: the document is not JSON ({exc})", 0)
    headers = {"Content-Type": "application/json", "User-Agent": "gonogo"}
    last = ""
    attempt = 0
    limits = httpx.Limits(max_keepalive_connections=0)  # a fresh connection per attempt: see _Watchdog
    with httpx.Client(
        timeout=httpx.Timeout(timeout_s), limits=limits, transport=transport, follow_redirects=False
    ) as client:
        for attempt in range(1, attempts + 1):
            response: httpx.Response | None = None
            error: httpx.HTTPError | None = None
            with _Watchdog(timeout_s) as watchdog:
                try:
                    response = client.post(
                        url, content=body, headers=headers, extensions={"trace": watchdog.trace}
                    )
                except httpx.HTTPError as exc:
                    error = exc
            if response is None:
                assert error is not None
                if watchdog.fired:
                    last = f"timed out: no complete answer within {timeout_s:g} s"
                else:
                    last = explain(error).rstrip(".")
            elif response.is_success:
                return NotifyResult(True, f"delivered to {url} (HTTP {response.status_code})", attempt)
            else:
                last = f"HTTP {response.status_code}"
                if response.status_code < 500:
                    break  # the receiver refused the document (or redirected): sending it again will not help
            if attempt < attempts:
                sleep(min(BACKOFF_S * 2 ** (attempt - 1), BACKOFF_CAP_S))
    return NotifyResult(False, f"{failed}: {last} after {attempt} attempt(s)", attempt)
