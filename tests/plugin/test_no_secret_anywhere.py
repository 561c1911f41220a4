"""No secret byte anywhere (issue 14): the acceptance test.

Random secrets in every place an environment file can put one at once (URL userinfo, a query, a path, a
header, a route's JSON body, the bearer token, a required secret, a generated one), against a real
loopback service that echoes method, URL, headers and body back, with checks that fail and checks that
pass, serial and ``-n 2``, ``-vv -l --tb=long -rA --junitxml=...``, the load check included, a webhook
and a step summary, then ``gonogo report`` and ``gonogo validate``. Then the terminal output, junit.xml,
the step summary, the notify payload and every file under reports/ (the rendered HTML included, embedded
base64 decoded) are scanned for each secret in every form :func:`gonogo.redaction.forms.encoded_forms`
knows, and for any 10 characters of one in a row. Zero hits, and the end-of-run sweep must have had
nothing to clean (a sweep that cleans hides a writer's bug). The positive controls plant each secret in
each form and prove the same scan finds it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gonogo.redaction import encoded_forms
from gonogo.redaction.scan import DEFAULT_FRAGMENT, Hit, Scanner
from tests.conftest import REPO, SuiteProject, copy_suite
from tests.support.tools import npm_ci, system_tool

GENERATOR = REPO / "node_modules" / "allure-commandline" / "dist" / "bin" / "allure"
ECHO = Path(__file__).with_name("echo_target.py")


def _secret(prefix: str, awkward: str) -> str:
    # random every run; the awkward characters make the encoded forms differ from the plain one
    return f"{prefix}{secrets.token_urlsafe(9)}{awkward}{secrets.token_hex(3)}"


def make_secrets() -> dict[str, str]:
    return {
        "API_PASS": _secret("pw", "=~"),  # URL userinfo: httpx re-encodes "=" as %3D
        "API_KEY": _secret("key", "=+/"),  # a route's query
        "PATH_TOKEN": _secret("path", "=~"),  # a route's path
        "HEADER_TOKEN": _secret("hdr", "+/="),  # an [http].headers value
        "BODY_TOKEN": _secret("body", '/"é'),  # a route's JSON body: JSON-escaped on the wire
        "API_TOKEN": _secret("bearer", "+/="),  # [http].bearer_secret
        "DB_PASSWORD": _secret("db", "!*'"),  # [secrets].required, used by no route
    }


ENVIRONMENT = """
description = "an echoing target with a secret in every place"
base_url = "http://ci:${API_PASS}@127.0.0.1:{port}"
expected_version = "3.1.4"

[launch]
command = [
    "{python}", "{env_dir}/../echo_target.py",
    "--port", "{port}", "--secret-file", "{env_dir}/../generated.txt",
]
ready_path = "/health"
timeout_s = 20
generate_secrets = ["LAUNCH_TOKEN"]

[http]
timeout_s = 5.0
retries = 0
headers = { "X-Api-Token" = "${HEADER_TOKEN}" }
bearer_secret = "API_TOKEN"

[secrets]
required = ["API_TOKEN", "DB_PASSWORD"]

[health]
path = "/health"
json = { status = "ok" }

[version]
path = "/version"
field = "version"

[[routes]]
name = "keyed query"
path = "/api/echo?key=${API_KEY}"
weight = 2

[[routes]]
name = "secret path"
path = "/api/echo/${PATH_TOKEN}"

[[routes]]
name = "posted body"
method = "POST"
path = "/api/echo/post"
json = { token = "${BODY_TOKEN}", note = "gonogo" }
status = 201  # the echo answers 200: this check fails, quoting the echoed body

[security]
required_headers = []
forbidden_headers = []
forbidden_only_with_version = []

[load]
users = 2
spawn_rate = 2
duration_s = 3
warmup_s = 0.5
rate_per_s = 30
p95_ms = 2000
max_error_rate = 0.5
min_requests = 10
"""

#: a user's checks that handle the secrets carelessly: printed, logged, attached, asserted, skipped on
USER_CHECKS = """
import logging
import os

import pytest


def test_the_echo_answers(http):
    response = http.get("/api/echo/ok", params={"key": os.environ["API_KEY"]})
    print("the passing check saw:", response.text)
    assert response.status_code == 200


def test_the_echo_holds_no_secret(http, evidence):
    payload = {"token": os.environ["BODY_TOKEN"], "db": os.environ["DB_PASSWORD"]}
    response = http.post("/api/echo/check", json=payload, headers={"X-Path": os.environ["PATH_TOKEN"]})
    echoed = response.json()
    print("stdout:", echoed)
    logging.getLogger("echo").warning("log: %s", response.text)
    evidence.text("what the echo sent back", response.text)
    assert echoed["headers"] == {}, f"the service echoed {echoed}"


def test_skipped_for_a_reason_that_names_secrets():
    pytest.skip(f"not today: {os.environ['API_KEY']} {os.environ['DB_PASSWORD']}")
"""


@dataclass
class EchoRun:
    project: SuiteProject
    values: dict[str, str]
    output: str
    returncode: int
    #: what the webhook received (the notify payload)
    posted: list[bytes] = field(default_factory=list)

    @property
    def reports(self) -> Path:
        return self.project.path / "reports"

    def gate(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads((self.reports / "echo" / "gate.json").read_text("utf-8"))
        return document

    def scanner(self) -> Scanner:
        return Scanner(self.values, fragment=DEFAULT_FRAGMENT)


def _command(project: SuiteProject, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonogo", *args],
        cwd=project.path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


class _Hook(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:
        self.received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback webhook receiver: the URL to post to, and every body it received."""
    received: list[bytes] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=["serial", "-n 2"])
def echo_run(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    webhook: tuple[str, list[bytes]],
) -> EchoRun:
    # gonogo report needs Java (a system tool) and the pinned generator (the project's own npm lock)
    system_tool("java", what="the Allure generator behind gonogo report")
    npm_ci(REPO, GENERATOR)
    project = copy_suite(tmp_path_factory.mktemp("echo") / "project")
    shutil.copy(ECHO, project.path / "echo_target.py")
    project.write_env("echo", ENVIRONMENT)
    (project.path / "smoke" / "test_echo_user.py").write_text(USER_CHECKS, encoding="utf-8")
    values = make_secrets()
    workers = ["-n", "2"] if request.param == "-n 2" else []
    hook_url, received = webhook
    received.clear()
    summary = project.path / "step-summary.md"
    run = project.run(
        f"--notify={hook_url}",
        "--env=echo",
        "--keep-going",  # the load check runs after the failing smoke checks
        "-vv",
        "-l",
        "--tb=long",
        "-rA",
        "--junitxml=junit.xml",
        *workers,
        env={**values, "GITHUB_STEP_SUMMARY": str(summary)},
        timeout_s=240,
    )
    posted = list(received)
    report = _command(
        project, "report", "--env", "echo", "--reports-dir", "reports", env={"GONOGO_ALLURE": str(GENERATOR)}
    )
    validate = _command(project, "validate", "echo", env=values)
    generated = (project.path / "generated.txt").read_text(encoding="utf-8")
    assert len(generated) >= 16, "the launched target never received the generated secret"
    output = "\n".join([run.output, report.stdout, report.stderr, validate.stdout, validate.stderr])
    echo = EchoRun(project, {**values, "LAUNCH_TOKEN": generated}, output, run.returncode, posted)
    assert report.returncode == 0, report.stdout + report.stderr
    assert validate.returncode == 0, validate.stderr
    return echo


def _shown(hits: list[Hit], root: Path) -> str:
    return "\n".join(hit.describe(root) for hit in hits)


def test_the_run_exercised_every_place_a_secret_can_go(echo_run: EchoRun) -> None:
    # the scan below is only worth something if the run did what it must: the echo answered, a check
    # failed and one passed, the load check ran and wrote its files, the HTML was rendered
    assert echo_run.returncode == 11, echo_run.output[-4000:]
    checks = {str(check["nodeid"]): check["outcome"] for check in echo_run.gate()["checks"]}
    assert checks["smoke/test_echo_user.py::test_the_echo_answers"] == "passed", checks
    assert checks["smoke/test_echo_user.py::test_the_echo_holds_no_secret"] == "failed", checks
    assert "failed" in {checks[nodeid] for nodeid in checks if nodeid.endswith("[posted body]")}, checks
    assert "passed" in {checks[nodeid] for nodeid in checks if "test_latency" in nodeid}, checks
    load = echo_run.reports / "echo" / "load"
    assert {"plan.json", "results.json"} <= {path.name for path in load.iterdir()}, sorted(load.iterdir())
    rendered = [path for path in (echo_run.reports / "echo").rglob("*.html") if "load" not in path.parts]
    assert rendered != [], "gonogo report rendered the HTML"
    assert (echo_run.project.path / "junit.xml").is_file()


def test_the_terminal_output_holds_no_secret(echo_run: EchoRun) -> None:
    hits = echo_run.scanner().scan_bytes(echo_run.output.encode("utf-8"), Path("terminal"))
    assert hits == [], _shown(hits, Path("."))


def test_the_step_summary_and_the_notify_payload_hold_no_secret(echo_run: EchoRun) -> None:
    summary = echo_run.project.path / "step-summary.md"
    assert b"NO-GO" in summary.read_bytes(), "the run wrote its step summary"
    assert len(echo_run.posted) == 1, "the webhook received the gate document once"
    assert json.loads(echo_run.posted[0])["verdict"] == "NO-GO"
    scanner = echo_run.scanner()
    hits = scanner.scan_bytes(summary.read_bytes(), summary)
    hits += scanner.scan_bytes(echo_run.posted[0], Path("notify payload"))
    assert hits == [], _shown(hits, echo_run.project.path)


def test_junit_xml_holds_no_secret(echo_run: EchoRun) -> None:
    junit = echo_run.project.path / "junit.xml"
    assert b"not today" in junit.read_bytes(), "the skip reason is in junit.xml, scrubbed"
    hits = echo_run.scanner().scan_bytes(junit.read_bytes(), junit)
    assert hits == [], _shown(hits, echo_run.project.path)


def test_no_file_under_reports_holds_a_secret(echo_run: EchoRun) -> None:
    hits, files = echo_run.scanner().scan_paths([echo_run.reports])
    assert files > 20, "the run wrote its reports (gate, allure-results, load, HTML)"
    assert hits == [], _shown(hits, echo_run.reports)


def test_the_sweep_had_nothing_to_clean(echo_run: EchoRun) -> None:
    # the sweep cleans what slipped through and fails the run: every writer must have redacted itself
    reasons = [str(reason["message"]) for reason in echo_run.gate()["reasons"]]
    found = [message for message in reasons if "was found in" in message]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("planted", ["plain", "percent-encoded (httpx query)", "base64 (offset 1 mod 3)"])
def test_the_scan_finds_a_planted_secret_in_the_runs_own_files(
    echo_run: EchoRun, planted: str, tmp_path: Path
) -> None:
    # the positive control: the same scan, on copies of what the run wrote with one secret put back
    report = echo_run.reports / "echo" / "deployment-report.md"
    page = next(path for path in (echo_run.reports / "echo").rglob("*.html") if "load" not in path.parts)
    for source in (report, page):
        shutil.copy(source, tmp_path / source.name)
    value = echo_run.values["API_KEY"]
    target = tmp_path / report.name
    target.write_text(
        target.read_text(encoding="utf-8") + f"\nleaked: {encoded_forms(value)[planted]}\n", "utf-8"
    )
    embedded = tmp_path / page.name
    blob = base64.b64encode(json.dumps({"url": f"/items?key={value}"}).encode()).decode()
    embedded.write_text(
        embedded.read_text("utf-8") + f'<a href="data:application/json;base64,{blob}">', "utf-8"
    )
    hits, files = echo_run.scanner().scan_paths([tmp_path])
    assert files == 2
    assert {(hit.path, hit.name) for hit in hits} == {(target, "API_KEY"), (embedded, "API_KEY")}
    assert "embedded base64" in {hit.layer for hit in hits if hit.path == embedded}


def test_the_scan_finds_every_form_of_every_secret_when_planted(echo_run: EchoRun) -> None:
    scanner = echo_run.scanner()
    for name, value in echo_run.values.items():
        for form, text in encoded_forms(value).items():
            hits = scanner.scan_bytes(f"... {text} ...".encode())
            assert name in {hit.name for hit in hits}, f"{name} as {form}"
