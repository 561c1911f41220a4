"""The deployed version is compared as the text the service sent, against a real server on loopback that
answers with the exact bytes each test gives it: ``{"version": 1.10}`` is not ``"1.1"``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from gonogo.environment import VersionConfig
from gonogo.probes.health import read_version


@pytest.fixture
def answering() -> Iterator[Callable[[bytes], httpx.Client]]:
    """``answering(b'{"version": 1.10}')``: a client bound to a server that sends exactly those bytes."""
    servers: list[ThreadingHTTPServer] = []
    clients: list[httpx.Client] = []

    def start(body: bytes) -> httpx.Client:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        client = httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=5)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_json_number_is_compared_as_the_digits_sent_so_1_10_is_not_1_1(answering: Any) -> None:
    reading = read_version(answering(b'{"version": 1.10}'), VersionConfig(), "1.1")

    assert not reading.ok
    assert reading.actual == "1.10"
    assert reading.problems == [
        "expected version '1.1', got 1.10 (a JSON number, not a string: compared as the digits sent)"
    ]
    assert "got 1.10 (a JSON number, not a string" in reading.message("version")


def test_a_json_number_that_matches_passes_and_says_it_is_not_a_string(answering: Any) -> None:
    reading = read_version(
        answering(b'{"build": {"version": 1.10}}'), VersionConfig(field="build.version"), "1.10"
    )

    assert reading.ok
    assert reading.actual == "1.10"
    assert reading.note == "a JSON number, not a string: compared as the digits sent"


def test_an_integer_version_keeps_its_digits(answering: Any) -> None:
    reading = read_version(answering(b'{"version": 7}'), VersionConfig(), "7")

    assert reading.ok
    assert reading.note.startswith("a JSON number")


def test_a_string_version_is_compared_as_is_without_a_note(answering: Any) -> None:
    reading = read_version(answering(b'{"version": "1.10"}'), VersionConfig(), "1.1")

    assert not reading.ok
    assert reading.problems == ["expected version '1.1', got '1.10'"]
    assert reading.note == ""


@pytest.mark.parametrize(("body", "shown"), [(b'{"version": true}', "True"), (b'{"version": null}', "None")])
def test_a_boolean_or_null_is_not_a_version(answering: Any, body: bytes, shown: str) -> None:
    reading = read_version(answering(body), VersionConfig(), "1.0")

    assert not reading.ok
    assert reading.actual is None
    assert reading.problems[0].startswith(f"field 'version' is not a version: {shown}")
