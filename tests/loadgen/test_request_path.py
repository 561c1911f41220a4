"""The route user's lean request path sends and reports exactly what locust's public one does.

``RouteUser._send`` calls locust's ``_send_request_safe_mode`` and fires the request event itself (it
costs less per request than ``client.request(catch_response=True, stream=True)``); a locust without that
method gets the public path. Both run here against one recording server on loopback, through real
locust: the bytes each puts on the wire (method, path, headers, body) and each request's outcome must be
the same, for answers that pass, a status the route does not expect, a redirect (not followed), a body
cut short, and a port where nothing listens.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gonogo.loadgen.measurements import LoadMeasurements
from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.runner import run_locust

from .conftest import REPO

LEAN = REPO / "load" / "locustfile.py"
PUBLIC = Path(__file__).with_name("public_path_locustfile.py")
TOKEN = "lean-path-token-0123456789"
ROUTES = (
    RoutePlan("list", "GET", "/items?page=2", 200, 1),
    RoutePlan("create", "POST", "/items", 201, 1, json_body={"name": "widget", "tags": ["a", "b"]}),
    RoutePlan("wrong status", "GET", "/wrong", 204, 1),
    RoutePlan("moved", "GET", "/moved", 200, 1),
    RoutePlan("cut", "GET", "/cut", 200, 1),
)
#: the request headers both paths must send alike (the rest are geventhttpclient's own)
COMPARED = ("accept-encoding", "authorization", "content-type", "accept", "x-run")


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real target
    seen: list[tuple[str, str, tuple[tuple[str, str], ...], str]]
    #: the Cookie headers received (which requests carry one depends on the order of the routes)
    cookies: list[str]

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        headers = tuple((name, self.headers[name]) for name in COMPARED if name in self.headers)
        self.seen.append((self.command, self.path, headers, body))
        if "cookie" in self.headers:
            self.cookies.append(self.headers["cookie"])
        if self.path == "/moved":
            self._send(302, b"", [("Location", "/elsewhere")])
        elif self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b'{"partial": ')
            self.close_connection = True
        elif self.command == "POST":
            self._send(201, body.encode(), [("Set-Cookie", "session=s1; Path=/")])
        else:
            self._send(200, b'{"items": []}', [])

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in [("Content-Type", "application/json"), *headers]:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _recording_server() -> Iterator[tuple[str, list[Any], list[str]]]:
    seen: list[Any] = []
    cookies: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": seen, "cookies": cookies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen, cookies
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _run(locustfile: Path, url: str, folder: Path) -> LoadMeasurements:
    plan = LoadPlan(
        environment="lean",
        base_url=url,
        routes=ROUTES,
        users=2,
        spawn_rate=2,
        duration_s=1.5,
        warmup_s=0.0,
        rate_per_s=40.0,
        request_timeout_s=2.0,
        min_requests=1,
        headers={"X-Run": "r1"},
        bearer_secret="LEAN_TOKEN",
    )
    outcome = run_locust(
        plan, locustfile=locustfile, folder=folder, environ={**os.environ, "LEAN_TOKEN": TOKEN}
    )
    assert outcome.results is not None, outcome.error
    return outcome.results


def _outcomes(measured: LoadMeasurements) -> dict[str, Any]:
    """Per route: whether it ever succeeded, and the reasons it failed (the counts vary by timing)."""
    reasons: dict[str, set[str]] = {}
    for kind in measured.errors:
        reasons.setdefault(kind.route, set()).add(kind.error)
    return {
        route.name: (route.requests > route.errors, sorted(reasons.get(route.name, ())))
        for route in measured.routes
    }


def test_the_lean_and_the_public_path_send_the_same_requests_and_report_the_same_outcomes(
    tmp_path: Path,
) -> None:
    runs: dict[Path, tuple[LoadMeasurements, set[Any], set[str]]] = {}
    for locustfile in (LEAN, PUBLIC):
        with _recording_server() as (url, seen, cookies):
            measured = _run(locustfile, url, tmp_path / locustfile.stem)
        runs[locustfile] = (measured, set(seen), set(cookies))

    (lean, lean_wire, lean_cookies), (public, public_wire, public_cookies) = runs[LEAN], runs[PUBLIC]
    assert lean_wire == public_wire
    bearer = ("authorization", f"Bearer {TOKEN}")
    encoding = ("accept-encoding", "gzip, deflate, br")
    body = json.dumps({"name": "widget", "tags": ["a", "b"]})
    created = ("POST", "/items", (encoding, bearer, ("content-type", "application/json"),
                                  ("accept", "application/json"), ("x-run", "r1")), body)  # fmt: skip
    assert created in lean_wire
    assert ("GET", "/items?page=2", (encoding, bearer, ("x-run", "r1")), "") in lean_wire
    # the cookie the POST set goes back on later requests (locust's cookie jar, on both paths)
    assert lean_cookies == public_cookies == {"session=s1"}
    assert not any(path == "/elsewhere" for _, path, _, _ in lean_wire), "a redirect was followed"

    assert _outcomes(lean) == _outcomes(public)
    outcomes = _outcomes(lean)
    assert outcomes["list"] == (True, [])
    assert outcomes["create"] == (True, [])
    assert outcomes["wrong status"] == (False, ["HTTP 200 (expected 204)"])
    assert outcomes["moved"] == (False, ["HTTP 302 (expected 200)"])
    ok, (reason,) = outcomes["cut"]
    assert not ok
    assert reason.startswith("body cut short"), reason
    for measured in (lean, public):
        # locust's own statistics saw every request under the route's name, as gonogo did
        assert measured.locust is not None
        assert measured.locust.requests == measured.total.requests
        assert measured.locust.failures == measured.total.errors


@pytest.mark.parametrize("locustfile", [LEAN, PUBLIC], ids=["lean", "public"])
def test_a_port_where_nothing_listens_is_a_failed_request_on_either_path(
    tmp_path: Path, locustfile: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"  # bound, not listening: refused
        measured = _run(locustfile, url, tmp_path)

    assert measured.requests > 0
    assert measured.total.errors == measured.requests
    reasons = {kind.error for kind in measured.errors}
    assert all(reason.startswith("no response (") for reason in reasons), reasons
    assert any("Connection refused" in reason or "ConnectionRefused" in reason for reason in reasons)
