"""Helpers for the smoke checks' tests: an environment file bound to a running demo, and its findings."""

from __future__ import annotations

import ast
import contextlib
import socket
import ssl
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from gonogo.names import FINDING_PROPERTY
from tests.support.servers import HoldingServer

SECURITY = (
    '["strict-transport-security", "x-content-type-options", "x-frame-options", "content-security-policy"]'
)


def _demo_env(
    url: str,
    *,
    max_latency_ms: float = 5000,
    http: str = "timeout_s = 5.0\nretries = 1",
    extra: str = "",
    sensitive: bool = False,
) -> str:
    """An environment for a demo already running at ``url`` (no ``[launch]``), the way a team writes one."""
    return f"""
description = "a demo started by the test"
base_url = "{url}"
expected_version = "1.4.2"
sensitive = {str(sensitive).lower()}

[http]
{http}

[health]
path = "/health"
status = 200
json = {{ status = "ok" }}

[version]
path = "/version"
field = "version"

[[routes]]
name = "list items"
path = "/api/items"
content_type = "application/json"
schema = "schemas/items.json"
max_latency_ms = {max_latency_ms}

[[routes]]
name = "get item"
path = "/api/items/1"
content_type = "application/json"
schema = "schemas/item.json"
max_latency_ms = {max_latency_ms}

[[routes]]
name = "create item"
method = "POST"
path = "/api/items"
json = {{ name = "gonogo probe", price = 1.0 }}
status = 201
content_type = "application/json"
schema = "schemas/item.json"
max_latency_ms = {max_latency_ms}
destructive = true

[security]
required_headers = {SECURITY}
forbidden_headers = ["x-powered-by", "server"]
{extra}
"""


def _findings(junit_xml: Path) -> dict[str, list[dict[str, Any]]]:
    """Findings per test name (``test_route[list items]``), read from pytest's own JUnit XML properties."""
    found: dict[str, list[dict[str, Any]]] = {}
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        for prop in case.iter("property"):
            if prop.get("name") == FINDING_PROPERTY:
                # junitxml writes a property value with str(): a Python dict literal
                found.setdefault(case.get("name", ""), []).append(ast.literal_eval(prop.get("value", "")))
    return found


@dataclass
class SmokeRun:
    returncode: int
    output: str
    #: findings by test name, e.g. ``findings["test_version"]``
    findings: dict[str, list[dict[str, Any]]]
    project: Path

    def lines(self, *patterns: str) -> None:
        """Assert each fnmatch pattern matches a line of the output, in order (pytester's fnmatch_lines)."""
        pytest.LineMatcher(self.output.splitlines()).fnmatch_lines(list(patterns))


@pytest.fixture
def demo_env() -> Callable[..., str]:
    """``demo_env(url, max_latency_ms=..., http=..., extra=..., sensitive=...)`` -> environment file text."""
    return _demo_env


@pytest.fixture
def run_smoke(suite_project: Any) -> Callable[..., SmokeRun]:
    """Write ``environments/target.toml`` into a copy of the suite and run its smoke stage on it."""

    def run(env_text: str, *args: str, env: Mapping[str, str] | None = None) -> SmokeRun:
        suite_project.write_env("target", env_text)
        junit = suite_project.path / "junit.xml"
        result = suite_project.run(
            "--env", "target", "--stage", "smoke", "-v", "-rA", f"--junitxml={junit}", *args, env=env
        )
        found = _findings(junit) if junit.is_file() else {}
        return SmokeRun(result.returncode, result.output, found, suite_project.path)

    return run


@pytest.fixture
def silent_server() -> Iterator[HoldingServer]:
    """Accepts connections and never answers: every request ends in a read timeout."""
    with _serving(lambda conn: None) as listener:
        yield listener


@pytest.fixture
def untrusted_tls_server(tmp_path: Path) -> Iterator[HoldingServer]:
    """Completes TLS handshakes with a certificate from a CA nobody trusts (made here with trustme)."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)

    def handshake(conn: socket.socket) -> None:
        conn.settimeout(5)
        with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True):
            pass

    with _serving(handshake, scheme="https") as listener:
        yield listener


@contextlib.contextmanager
def _serving(handle: Callable[[socket.socket], None], scheme: str = "http") -> Iterator[HoldingServer]:
    listener = HoldingServer(handle, scheme=scheme, accept_timeout_s=0.1)
    try:
        yield listener
    finally:
        listener.close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was bound, then released)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
