"""The demo as `pytest --env demo` runs it: a child process on a loopback port, over real sockets."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, NoReturn

import httpx
import pytest
import trustme

import gonogo.demo
from gonogo.demo.settings import SECURITY_HEADERS

# The child must import the same gonogo as this process, installed or not.
SOURCE_ROOT = Path(gonogo.demo.__file__).resolve().parents[2]
LISTENING = re.compile(r"gonogo demo (?P<version>\S+) listening on (?P<url>https?://127\.0\.0\.1:\d+)\n")
WAIT_S = 10
TOKEN = "s3cret-t0ken-value"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("GONOGO_DEMO_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


@contextlib.contextmanager
def demo(*args: str, port: int = 0, env: Mapping[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """Start the demo (on a free port by default); whatever happens, its process group is gone afterwards."""
    with subprocess.Popen(
        [sys.executable, "-m", "gonogo.demo", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(env),
        start_new_session=True,
    ) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            # Popen.__exit__ then closes the pipes and reaps the child


def read_line(process: subprocess.Popen[str], stream: IO[str]) -> str:
    ready, _, _ = select.select([stream], [], [], WAIT_S)
    if not ready:
        fail_with_output(process, f"no line within {WAIT_S} s")
    return stream.readline()


def listening_url(process: subprocess.Popen[str]) -> tuple[str, str]:
    assert process.stdout is not None
    line = read_line(process, process.stdout)
    match = LISTENING.fullmatch(line)
    if match is None:
        fail_with_output(process, f"expected the listening line, got {line!r}")
    return match["url"], match["version"]


def fail_with_output(process: subprocess.Popen[str], why: str) -> NoReturn:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=WAIT_S)
    pytest.fail(f"{why}\nexit code: {process.returncode}\nstdout: {out!r}\nstderr: {err!r}")


def stop(process: subprocess.Popen[str]) -> tuple[float, str, str]:
    """SIGTERM, then how long the exit took and what the process still printed."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=WAIT_S)
    return time.monotonic() - began, out, err


def client(verify: ssl.SSLContext | bool = True) -> httpx.Client:
    # trust_env=False: a proxy set in the environment must not see loopback traffic
    return httpx.Client(timeout=5, trust_env=False, verify=verify)


def test_a_healthy_demo_prints_one_line_and_answers_quietly() -> None:
    with demo() as process, client() as http:
        url, version = listening_url(process)

        health = http.get(f"{url}/health")
        items = http.get(f"{url}/api/items")
        reported = http.get(f"{url}/version").json()

        _, out, err = stop(process)

    assert version == "1.4.2"
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert items.json()["count"] == 3
    assert reported == {"version": "1.4.2", "commit": "demo", "service": "gonogo-demo"}
    for name, value in SECURITY_HEADERS.items():
        assert health.headers[name] == value
    assert "server" not in health.headers
    assert "x-powered-by" not in health.headers
    # one stdout line in all; no access log, no uvicorn banner
    assert (out, err) == ("", "")
    assert process.returncode == 0


def test_report_version_shows_in_the_line_and_in_version() -> None:
    with demo("--report-version", "9.9.9") as process, client() as http:
        url, version = listening_url(process)

        assert version == "9.9.9"
        assert http.get(f"{url}/version").json()["version"] == "9.9.9"


def test_it_serves_https_with_the_given_certificate(tmp_path: Path) -> None:
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(certfile))
    for blob in issued.cert_chain_pems[1:]:
        blob.write_to_path(str(certfile), append=True)
    issued.private_key_pem.write_to_path(str(keyfile))
    trust = ssl.create_default_context()
    ca.configure_trust(trust)

    with (
        demo("--certfile", str(certfile), "--keyfile", str(keyfile)) as process,
        client(verify=trust) as http,
    ):
        url, _ = listening_url(process)
        response = http.get(f"{url}/health")

    assert url.startswith("https://")
    assert response.status_code == 200
    assert response.headers["strict-transport-security"] == SECURITY_HEADERS["strict-transport-security"]


def test_sigterm_stops_it_promptly_even_with_a_connection_open() -> None:
    with demo() as process, client() as http:
        url, _ = listening_url(process)
        http.get(f"{url}/health")  # leaves a keep-alive connection open

        elapsed, _, _ = stop(process)

    assert process.returncode == 0
    assert elapsed < 2


def test_sigterm_lets_a_request_delayed_by_the_latency_fault_answer_at_once() -> None:
    with demo("--latency-ms", "5000") as process, client() as http, ThreadPoolExecutor(1) as pool:
        url, _ = listening_url(process)
        pending = pool.submit(http.get, f"{url}/version")
        time.sleep(0.5)  # the request is in flight, waiting out its 5 s

        elapsed, _, err = stop(process)
        response = pending.result(timeout=WAIT_S)

    assert process.returncode == 0
    assert elapsed < 2
    assert response.status_code == 200
    assert err == ""


def test_sigterm_during_the_start_delay_stops_it_promptly() -> None:
    with demo("--start-delay", "30") as process:
        assert process.stderr is not None
        notice = read_line(process, process.stderr)

        elapsed, out, _ = stop(process)

    assert notice == "gonogo.demo: waiting 30 s before binding the port\n"
    assert process.returncode == 0
    assert elapsed < 2
    assert out == ""


def test_an_invalid_knob_exits_2_with_one_line_naming_it() -> None:
    with demo(env={"GONOGO_DEMO_ERROR_RATE": "1.5"}) as process:
        out, err = process.communicate(timeout=WAIT_S)

    assert process.returncode == 2
    assert out == ""
    assert err == "gonogo.demo: GONOGO_DEMO_ERROR_RATE must be a number from 0 to 1, given: '1.5'\n"


def test_a_port_in_use_exits_3_with_uvicorns_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with demo(port=taken.getsockname()[1]) as process:
            out, err = process.communicate(timeout=WAIT_S)

    assert process.returncode == 3
    assert out == ""
    assert "address already in use" in err.lower()


def test_the_token_guards_the_api_and_is_never_printed() -> None:
    with demo("--token-env", "DEMO_TOKEN", env={"DEMO_TOKEN": TOKEN}) as process, client() as http:
        url, _ = listening_url(process)

        refused = http.get(f"{url}/api/items", headers={"authorization": "Bearer nope"})
        allowed = http.get(f"{url}/api/items", headers={"authorization": f"Bearer {TOKEN}"})
        _, out, err = stop(process)

    assert (refused.status_code, allowed.status_code) == (401, 200)
    assert TOKEN not in out + err + refused.text


def test_a_token_variable_left_empty_is_reported_by_name() -> None:
    with demo("--token-env", "DEMO_TOKEN", env={"DEMO_TOKEN": ""}) as process, client() as http:
        url, _ = listening_url(process)
        status = http.get(f"{url}/api/items").status_code
        _, _, err = stop(process)

    assert status == 200
    assert err == "gonogo.demo: warning: DEMO_TOKEN is unset or empty, /api/* needs no token\n"
