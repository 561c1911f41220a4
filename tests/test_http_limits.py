"""Every body a check reads is capped, and every request has a total deadline: against real servers on
loopback that send a huge body, or trickle one a byte at a time forever."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pydantic
import pytest

from gonogo.environment import Environment
from gonogo.http import ResponseDeadline, ResponseTooLarge, build_client
from gonogo.probes.fetch import fetch
from gonogo.redaction import Redactor
from tests.support.factories import stopped_at_teardown
from tests.support.servers import RawServer

MIB = 1024 * 1024


class Responder(RawServer):
    """A TCP server on loopback that answers every connection with ``respond(conn)``."""

    def __init__(self, respond: Any) -> None:
        self.sent = 0
        self._respond = respond
        super().__init__()

    def handle(self, connection: socket.socket) -> None:
        threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        # the client hangs up (an OSError here): that is the point of these tests
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            self._respond(self, conn)


def huge(server: Responder, conn: socket.socket) -> None:
    """150 MB of JSON-ish bytes, made as they are sent (the server holds none of it)."""
    total = 150 * 1000 * 1000
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nContent-Type: text/plain\r\n\r\n".encode())
    block = b"x" * 65536
    while server.sent < total:
        conn.sendall(block)
        server.sent += len(block)


def trickle(server: Responder, conn: socket.socket) -> None:
    """Headers at once, then one byte every 50 ms: each read is quick, the body never ends."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(100000):
        conn.sendall(b"x")
        server.sent += 1
        time.sleep(0.05)


@pytest.fixture
def serve() -> Iterator[Callable[[Any], Responder]]:
    yield from stopped_at_teardown(Responder, Responder.close)


def client(url: str, **http: Any) -> httpx.Client:
    env = Environment.model_validate({"base_url": url, "expected_version": "1.0.0", "http": http})
    return build_client(env, base_url=url, secrets={}, redactor=Redactor())


def test_a_huge_body_fails_the_request_at_the_cap_without_filling_memory(serve: Any) -> None:
    server = serve(huge)
    tracemalloc.start()
    try:
        with (
            client(server.url, max_body_bytes=4 * MIB, retries=2) as http,
            pytest.raises(ResponseTooLarge) as caught,
        ):
            http.get("/items")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert f"GET {server.url}/items: response not read: the body is larger than 4194304 bytes" in str(
        caught.value
    )
    assert "([http].max_body_bytes): not read further; 1 attempt(s)" in str(caught.value)  # never retried
    assert peak < 24 * MIB, f"peak {peak / MIB:.0f} MiB while reading a 150 MB body"


def test_the_default_cap_is_a_few_mib(serve: Any) -> None:
    server = serve(huge)

    with client(server.url) as http, pytest.raises(ResponseTooLarge, match="larger than 4194304 bytes"):
        http.get("/")


def test_a_trickling_server_is_cut_at_the_total_deadline(serve: Any) -> None:
    server = serve(trickle)
    started = time.monotonic()

    with client(server.url, timeout_s=0.5, retries=1) as http, pytest.raises(ResponseDeadline) as caught:
        http.get("/health")
    elapsed = time.monotonic() - started

    assert elapsed < 3.0, f"took {elapsed:.1f} s for a 1 s deadline"
    assert "the body did not arrive within the request's total deadline of 1 s" in str(caught.value)
    assert server.sent < 100  # a byte every 50 ms for about a second


def test_a_check_reading_through_fetch_gets_the_reason_not_a_hang(serve: Any) -> None:
    server = serve(trickle)

    with client(server.url, timeout_s=0.5, retries=0) as http:
        fetched = fetch(http, "GET", "/version")

    assert fetched.response is None
    assert fetched.error is not None
    assert "response not read: the body did not arrive within the request's total deadline" in fetched.error


def test_a_cap_below_one_kib_is_refused_by_the_file() -> None:
    with pytest.raises(pydantic.ValidationError, match="max_body_bytes"):
        Environment.model_validate(
            {"base_url": "http://x", "expected_version": "1", "http": {"max_body_bytes": 10}}
        )
