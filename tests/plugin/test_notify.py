"""The notify webhook: gate.json POSTed after the verdict, against real HTTP receivers on loopback.

A receiver that records, hangs, dribbles, answers 500 or 400, or is not there at all: the run always ends,
reports what happened to the delivery, and keeps its verdict and exit code. The backoff between attempts
is tested on :func:`post_gate` with ``httpx.MockTransport`` and a fake ``sleep``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from gonogo.reporting.notify import NotifyResult, post_gate
from tests.support.factories import stopped_at_teardown
from tests.support.servers import Answer, HoldingServer, LoopbackHTTP

ENV = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n'
#: bounds every nested run: a delivery that hangs fails the test instead of hanging it
RUN_TIMEOUT_S = 90


# --- receivers --------------------------------------------------------------------------------


class Receiver:
    """A real HTTP server on loopback that answers every POST with ``status`` and records it."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.http = LoopbackHTTP(self._record(status))

    def _record(self, status: int) -> Answer:
        def answer(request: BaseHTTPRequestHandler) -> tuple[int, bytes]:
            self.bodies.append(request.rfile.read(int(request.headers.get("Content-Length", "0"))))
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            self.paths.append(request.path)
            return status, b""

        return answer

    @property
    def url(self) -> str:
        return f"{self.http.url}/hook"

    @property
    def documents(self) -> list[Any]:
        return [json.loads(body) for body in self.bodies]

    def close(self) -> None:
        self.http.close()


class SilentReceiver(HoldingServer):
    """Accepts connections and never answers (``dribble``: sends a status line, then a byte now and then).

    Every connection is kept open until :meth:`close`; ``accepted`` counts the delivery attempts.
    """

    def __init__(self, *, dribble: bool = False) -> None:
        self._dribbling: list[threading.Thread] = []
        super().__init__(self._start_dribbling if dribble else lambda connection: None, accept_timeout_s=0.05)

    @property
    def url(self) -> str:
        return f"{super().url}/hook"

    def _start_dribbling(self, connection: socket.socket) -> None:
        thread = threading.Thread(target=self._dribble, args=(connection,))
        self._dribbling.append(thread)
        thread.start()

    def _dribble(self, connection: socket.socket) -> None:
        # a header that never ends, one byte every 0.1 s: each read succeeds, so no read timeout fires;
        # bounded so that a client without a deadline fails the test instead of hanging it
        try:
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(600):
                if self.stopping.wait(0.1):
                    return
                connection.sendall(b"a")
        except OSError:
            return  # the client gave up and closed the connection: what we want

    def close(self) -> None:
        self.stopping.set()  # the dribbling threads end first, then the connections are closed
        for thread in self._dribbling:
            thread.join(timeout=5)
        super().close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from stopped_at_teardown(Receiver, Receiver.close)


@pytest.fixture
def silent_receiver() -> Iterator[Callable[..., SilentReceiver]]:
    yield from stopped_at_teardown(SilentReceiver, SilentReceiver.close)


@pytest.fixture
def refused_url() -> Iterator[str]:
    # a port bound but not listening: connecting is refused, and no other process can take the port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    sock.close()


# --- a tiny suite, run for real ---------------------------------------------------------------


class Suite:
    """One passing check per stage in a pytester folder; ``run`` returns the result and gate.json's text."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.env(ENV)
        pytester.makeini("[pytest]\naddopts = --import-mode=importlib -p no:cacheprovider\n")
        self.add("checks/test_pre.py", "def test_pre(): pass\n")
        self.add("smoke/test_smoke.py", "def test_smoke(): pass\n")
        self.add("load/test_post.py", "def test_post(): pass\n")

    def env(self, text: str) -> None:
        self.add("environments/staging.toml", text)

    def add(self, path: str, source: str) -> None:
        target = self.pytester.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)

    def run(self, *args: str) -> tuple[pytest.RunResult, str]:
        result = self.pytester.runpytest_subprocess("--env", "staging", *args, timeout=RUN_TIMEOUT_S)
        gate_path = self.pytester.path / "reports" / "staging" / "gate.json"
        assert gate_path.is_file(), (
            f"no gate.json after the run:\n{result.stdout.str()}\n{result.stderr.str()}"
        )
        return result, gate_path.read_text()


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Suite:
    return Suite(pytester)


def verdict_of(gate_text: str) -> tuple[str, int]:
    gate = json.loads(gate_text)
    return gate["verdict"], gate["exit_code"]


# --- delivery ---------------------------------------------------------------------------------


def test_the_receiver_gets_the_written_gate_json_via_the_notify_option(
    suite: Suite, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver()
    result, gate_text = suite.run("--notify", hook.url)
    assert (verdict_of(gate_text), result.ret) == (("GO", 0), 0)
    assert hook.documents == [json.loads(gate_text)]
    assert hook.bodies == [gate_text.encode()]  # the file, byte for byte
    assert hook.paths == ["/hook"]
    assert hook.headers[0]["content-type"] == "application/json"
    assert hook.headers[0]["user-agent"] == "gonogo"
    result.stdout.fnmatch_lines(["*gonogo verdict: GO*", f"notify: delivered to {hook.url} (HTTP 200)"])


def test_the_receiver_gets_the_written_gate_json_via_the_environment_file(
    suite: Suite, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver(204)
    suite.env(ENV + f'[gate]\nnotify_url = "{hook.url}"\n')
    result, gate_text = suite.run()
    assert hook.documents == [json.loads(gate_text)]
    result.stdout.fnmatch_lines([f"notify: delivered to {hook.url} (HTTP 204)"])


def test_the_notify_option_overrides_the_environment_file(
    suite: Suite, receiver: Callable[..., Receiver]
) -> None:
    in_file, on_command_line = receiver(), receiver()
    suite.env(ENV + f'[gate]\nnotify_url = "{in_file.url}"\n')
    _, gate_text = suite.run("--notify", on_command_line.url)
    assert (len(in_file.bodies), on_command_line.documents) == (0, [json.loads(gate_text)])


def test_under_xdist_only_the_controller_posts_once(suite: Suite, receiver: Callable[..., Receiver]) -> None:
    hook = receiver()
    _, gate_text = suite.run("-n", "2", "--notify", hook.url)
    assert hook.documents == [json.loads(gate_text)]
    assert verdict_of(gate_text) == ("GO", 0)


def test_the_webhook_gets_the_redacted_document_never_a_secret(
    suite: Suite, receiver: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cret-webhook-test-token"
    monkeypatch.setenv("API_TOKEN", secret)
    suite.env(ENV + '[secrets]\nrequired = ["API_TOKEN"]\n')
    # a finding named after the URL it measured, API key included: gonogo must scrub it everywhere
    suite.add(
        "smoke/test_keyed.py",
        "import os\n"
        "def test_keyed(findings):\n"
        "    url = '/api/items?key=' + os.environ['API_TOKEN']\n"
        "    findings.measure('latency of ' + url, 12, limit=300, unit='ms')\n",
    )
    hook = receiver()
    _, gate_text = suite.run("--notify", hook.url)
    assert verdict_of(gate_text) == ("GO", 0)
    assert secret not in gate_text
    assert secret.encode() not in hook.bodies[0]
    assert hook.documents == [json.loads(gate_text)]
    keyed = next(c for c in hook.documents[0]["checks"] if c["nodeid"].endswith("test_keyed"))
    assert keyed["findings"][0]["name"] == "latency of /api/items?key=***"


def test_a_secret_in_the_notify_url_is_masked_in_the_terminal(
    suite: Suite, receiver: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "hook-path-token-7f3a"
    monkeypatch.setenv("GATE_TOKEN", secret)
    hook = receiver()
    suite.env(
        ENV
        + '[secrets]\nrequired = ["GATE_TOKEN"]\n'
        + f'[gate]\nnotify_url = "{hook.url}/${{GATE_TOKEN}}"\n'
    )
    result, _ = suite.run()
    assert hook.paths == [f"/hook/{secret}"]
    result.stdout.fnmatch_lines([f"notify: delivered to {hook.url}/*** (HTTP 200)"])
    assert secret not in result.stdout.str()


# --- failed deliveries never change the verdict -----------------------------------------------


@pytest.mark.parametrize(
    ("dribble", "said"),
    [
        pytest.param(False, "timed out* after 3 attempt(s)", id="a_hanging_receiver"),
        # each byte arrives within the read timeout, so only a deadline on the whole attempt ends it
        pytest.param(
            True, "timed out: no complete answer within 0.5 s*", id="a_receiver_dribbling_its_answer"
        ),
    ],
)
def test_a_receiver_that_never_answers_is_given_up_after_three_bounded_attempts(
    suite: Suite, silent_receiver: Callable[..., SilentReceiver], dribble: bool, said: str
) -> None:
    hook = silent_receiver(dribble=dribble)
    result, gate_text = suite.run("--notify", hook.url, "--notify-timeout", "0.5")
    assert (verdict_of(gate_text), result.ret) == (("GO", 0), 0)
    assert hook.accepted == 3
    result.stdout.fnmatch_lines([f"notify: could not deliver gate.json to {hook.url}: {said}"])


def test_a_receiver_answering_500_is_tried_three_times_and_reported(
    suite: Suite, receiver: Callable[..., Receiver]
) -> None:
    suite.add("smoke/test_broken.py", "def test_broken():\n    assert False, 'version mismatch'\n")
    hook = receiver(500)
    result, gate_text = suite.run("--notify", hook.url)
    assert (verdict_of(gate_text), result.ret) == (("NO-GO", 11), 11)
    assert hook.documents == [json.loads(gate_text)] * 3
    result.stdout.fnmatch_lines(
        [f"notify: could not deliver gate.json to {hook.url}: HTTP 500 after 3 attempt(s)"]
    )


def test_a_receiver_answering_400_is_not_tried_again(suite: Suite, receiver: Callable[..., Receiver]) -> None:
    suite.add(
        "smoke/test_soft.py",
        "import pytest\n@pytest.mark.gate(critical=False)\ndef test_soft():\n    assert False\n",
    )
    hook = receiver(400)
    result, gate_text = suite.run("--notify", hook.url)
    assert (verdict_of(gate_text), result.ret) == (("HOLD", 10), 10)
    assert len(hook.bodies) == 1
    result.stdout.fnmatch_lines(
        [f"notify: could not deliver gate.json to {hook.url}: HTTP 400 after 1 attempt(s)"]
    )


def test_nothing_listening_is_reported_as_refused(suite: Suite, refused_url: str) -> None:
    result, gate_text = suite.run("--notify", refused_url, "--notify-timeout", "0.5")
    assert (verdict_of(gate_text), result.ret) == (("GO", 0), 0)
    result.stdout.fnmatch_lines(
        [
            f"notify: could not deliver gate.json to {refused_url}: "
            "connection refused (nothing listens on that port) after 3 attempt(s)"
        ]
    )


def test_an_unusable_notify_url_is_reported_and_the_verdict_stands(suite: Suite) -> None:
    result, gate_text = suite.run("--notify", "http://[::1")
    assert (verdict_of(gate_text), result.ret) == (("GO", 0), 0)
    result.stdout.fnmatch_lines(["notify: could not deliver gate.json to http://[::1: not a valid URL*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_in_report_mode_a_failed_delivery_keeps_pytests_exit_code(suite: Suite, refused_url: str) -> None:
    suite.add("smoke/test_broken.py", "def test_broken():\n    assert False\n")
    result, gate_text = suite.run("--gate-mode", "report", "--notify", refused_url, "--notify-timeout", "0.5")
    assert (verdict_of(gate_text), result.ret) == (("NO-GO", 1), 1)
    result.stdout.fnmatch_lines(
        [f"notify: could not deliver gate.json to {refused_url}: connection refused*"]
    )


# --- post_gate: retries and backoff, through httpx.MockTransport -------------------------------

DOCUMENT: dict[str, Any] = {"schema_version": 1, "verdict": "GO", "reasons": []}
URL = "http://receiver.test/hook"


def deliver(
    answers: list[int | Exception], document: dict[str, Any] = DOCUMENT, **kwargs: Any
) -> tuple[NotifyResult, list[float], list[httpx.Request]]:
    """post_gate against a transport answering ``answers`` in turn (an exception is raised, not answered)."""
    sleeps: list[float] = []
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        answer = answers[min(len(requests), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)

    result = post_gate(URL, document, sleep=sleeps.append, transport=httpx.MockTransport(handler), **kwargs)
    return result, sleeps, requests


def test_post_gate_sends_the_document_once_when_the_receiver_accepts_it() -> None:
    result, sleeps, requests = deliver([200])
    assert result == NotifyResult(True, f"delivered to {URL} (HTTP 200)", 1)
    assert sleeps == []
    assert [json.loads(r.content) for r in requests] == [DOCUMENT]
    assert requests[0].method == "POST"
    assert requests[0].headers["content-type"] == "application/json"


def test_post_gate_backs_off_between_attempts_after_5xx() -> None:
    result, sleeps, requests = deliver([503])
    assert (result.ok, result.attempts, len(requests)) == (False, 3, 3)
    assert sleeps == [0.5, 1.0]  # none after the last attempt
    assert result.message == f"could not deliver gate.json to {URL}: HTTP 503 after 3 attempt(s)"


def test_post_gate_backoff_doubles_up_to_two_seconds() -> None:
    _, sleeps, _ = deliver([500], attempts=6)
    assert sleeps == [0.5, 1.0, 2.0, 2.0, 2.0]


def test_post_gate_succeeds_when_a_later_attempt_is_accepted() -> None:
    result, sleeps, requests = deliver([502, 500, 202])
    assert (result.ok, result.attempts, sleeps) == (True, 3, [0.5, 1.0])
    assert all(r.content == requests[0].content for r in requests)


@pytest.mark.parametrize("status", [400, 401, 404, 422, 302])
def test_post_gate_does_not_retry_a_refusal_or_a_redirect(status: int) -> None:
    result, sleeps, requests = deliver([status])
    assert (result.ok, result.attempts, len(requests), sleeps) == (False, 1, 1, [])
    assert result.message.endswith(f": HTTP {status} after 1 attempt(s)")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            "connection refused (nothing listens on that port)",
        ),
        (httpx.ReadTimeout("timed out"), "timed out waiting for the response"),
        (httpx.RemoteProtocolError("Server disconnected"), "the server broke the HTTP exchange"),
    ],
)
def test_post_gate_retries_network_errors_and_explains_the_last(error: Exception, reason: str) -> None:
    result, sleeps, requests = deliver([error])
    assert (result.ok, result.attempts, len(requests), sleeps) == (False, 3, 3, [0.5, 1.0])
    assert result.message.startswith(f"could not deliver gate.json to {URL}: {reason}")
    assert result.message.endswith(" after 3 attempt(s)")


def test_post_gate_recovers_from_a_network_error() -> None:
    result, sleeps, _ = deliver([httpx.ConnectError("[Errno 111] Connection refused"), 200])
    assert (result.ok, result.attempts, sleeps) == (True, 2, [0.5])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "not a valid URL"),
        ("ftp://receiver.test/hook", "not an http:// or https:// URL"),
        ("receiver.test/hook", "not an http:// or https:// URL"),
    ],
)
def test_post_gate_reports_an_unusable_url_without_sending(url: str, reason: str) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))
    result = post_gate(url, DOCUMENT, sleep=lambda _: None, transport=transport)
    assert (result.ok, result.attempts, sent) == (False, 0, [])
    assert result.message.startswith(f"could not deliver gate.json to {url}: {reason}")


def test_post_gate_sends_a_non_finite_number_as_the_file_holds_it() -> None:
    # gate.json is strict JSON (a NaN becomes null, as in the file); httpx's json= would raise instead
    result, _, requests = deliver([200], document={"value": float("nan")})
    assert result.ok
    assert requests[0].content == b'{\n  "value": null\n}\n'


def test_post_gate_refuses_zero_attempts() -> None:
    with pytest.raises(ValueError, match="attempts must be >= 1, got 0"):
        post_gate(URL, DOCUMENT, attempts=0)
