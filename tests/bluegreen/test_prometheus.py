"""Prometheus as the watch's metric source, against a real server (Debian's /usr/bin/prometheus) that
scrapes a real demo's /metrics every second, on loopback, with its storage in a temporary folder.

Skipped when the binary is missing, unless GONOGO_CI_REQUIRE_ALL=1 (CI), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import httpx
import pytest

from gonogo.bluegreen import prometheus as prom
from gonogo.processes import free_port
from tests.support.factories import stopped_at_teardown
from tests.support.tools import system_tool

if TYPE_CHECKING:  # the fixtures' types only; conftest modules are not imported at run time
    from tests.bluegreen.conftest import Kit
    from tests.conftest import DemoProcess, SuiteRun

pytestmark = pytest.mark.prometheus

BINARY = os.environ.get("GONOGO_PROMETHEUS", "/usr/bin/prometheus")
ERROR_RATE = (
    '(sum(rate(gonogo_demo_requests_total{ {{labels}}, route=~"/api/.*", status=~"5.." }[{{window}}])) '
    "or vector(0)) / "
    'sum(rate(gonogo_demo_requests_total{ {{labels}}, route=~"/api/.*" }[{{window}}]))'
)
P95_MS = (
    "1000 * histogram_quantile(0.95, sum by (le) "
    '(rate(gonogo_demo_request_duration_seconds_bucket{ {{labels}}, route=~"/api/.*" }[{{window}}])))'
)


@dataclass
class PrometheusServer:
    url: str
    process: subprocess.Popen[bytes]


class Scraped(NamedTuple):
    """A running demo and a Prometheus scraping it as job ``candidate``."""

    target: DemoProcess
    server: PrometheusServer


def _stop(server: PrometheusServer) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=5)


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[[str], PrometheusServer]]:
    """Factory: ``prometheus("127.0.0.1:PORT")`` -> a server scraping that target as job ``candidate``."""
    system_tool("prometheus", BINARY, what="the watch's metric source")  # skips (fails in CI) without it

    def start(target: str) -> PrometheusServer:
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
            f'scrape_configs:\n  - job_name: candidate\n    static_configs:\n      - targets: ["{target}"]\n'
        )
        port = free_port()
        with (tmp_path / "prometheus.log").open("wb") as log:  # the child keeps its own descriptor
            process = subprocess.Popen(
                [
                    BINARY,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = PrometheusServer(f"http://127.0.0.1:{port}", process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{server.url}/-/ready", timeout=1).status_code == 200:
                    return server
            if process.poll() is not None:
                break
            time.sleep(0.1)
        _stop(server)  # not handed to the test: stopped here
        raise AssertionError(f"prometheus did not become ready: {(tmp_path / 'prometheus.log').read_text()}")

    yield from stopped_at_teardown(start, _stop)


@contextlib.contextmanager
def user_traffic(url: str, every_s: float = 0.05) -> Iterator[None]:
    """Requests from "users" in the background while the test runs: what Prometheus gets to see."""
    stop = threading.Event()

    def send() -> None:
        with httpx.Client(base_url=url, timeout=2) as client:
            while not stop.is_set():
                with contextlib.suppress(httpx.TransportError):
                    client.get("/api/items")
                stop.wait(every_s)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def wait_for_number(server: PrometheusServer, query: str, timeout_s: float = 30) -> float:
    """Until the query has data (the first scrape comes a few seconds after start), bounded."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            value = prom.query_value(client, server.url, query, timeout_s=2)
            if value is not None:
                return value
            time.sleep(0.3)
    raise AssertionError(f"no data for {query} after {timeout_s} s")


@pytest.fixture
def scraped(
    demo: Callable[..., DemoProcess], prometheus: Callable[[str], PrometheusServer]
) -> Callable[..., Scraped]:
    """Factory: ``scraped(*demo_flags)`` -> a demo started with those flags, and a Prometheus scraping it."""

    def start(*flags: str) -> Scraped:
        target = demo(*flags)
        return Scraped(target, prometheus(target.url.removeprefix("http://")))

    return start


def watch_env(kit: Kit, candidate: str, server: PrometheusServer, *, job: str, watch: str) -> str:
    prometheus = f"""
[watch.prometheus]
url = "{server.url}"
labels = {{ job = "{job}" }}
window = "5s"
error_rate_query = '{ERROR_RATE}'
p95_ms_query = '{P95_MS}'
"""
    return kit.watch_env(candidate, watch, more=prometheus)


def test_queries_read_one_number_and_say_why_when_they_cannot(scraped: Callable[..., Scraped]) -> None:
    target, server = scraped()
    labels = {"job": "candidate"}
    error_rate = prom.render(ERROR_RATE, labels=labels, window="5s")
    assert 'gonogo_demo_requests_total{ job="candidate", route=~"/api/.*", status=~"5.." }[5s]' in error_rate
    with user_traffic(target.url):
        assert wait_for_number(server, error_rate) == 0.0
        p95 = wait_for_number(server, prom.render(P95_MS, labels=labels, window="5s"))
        assert 0 < p95 < 1000
    with httpx.Client() as client:
        nobody = prom.render(ERROR_RATE, labels={"job": "nobody"}, window="5s")
        assert prom.query_value(client, server.url, nobody, timeout_s=2) is None
        with pytest.raises(prom.QueryRejected, match=r"was rejected \(bad_data: .*parse error"):
            prom.query_value(client, server.url, "sum(rate(x{[5s]))", timeout_s=2)
        with pytest.raises(prom.QueryRejected, match=r"returned \d+ series .* Fix: aggregate it"):
            prom.query_value(
                client,
                server.url,
                'gonogo_demo_request_duration_seconds_bucket{job="candidate"}',
                timeout_s=2,
            )
        with pytest.raises(prom.PrometheusError, match=r"no response: connection refused"):
            prom.query_value(client, f"http://127.0.0.1:{free_port()}", "up", timeout_s=2)


def test_a_watch_reading_prometheus_rolls_back_when_the_error_rate_rises(
    scraped: Callable[..., Scraped], watched: Callable[..., SuiteRun], kit: Kit
) -> None:
    # the demo turns bad 14 s after it starts; Prometheus has scraped it well before the watch begins
    target, server = scraped("--fault-after", "14", "--error-rate", "0.5", "--seed", "3")
    # sample_requests = 0: the watch sends no API request of its own, Prometheus alone sees the errors
    watch = "interval_s = 1\nsample_requests = 0\ninconclusive_limit = 3\nmax_error_rate = 0.05"
    with user_traffic(target.url):
        wait_for_number(server, prom.render(ERROR_RATE, labels={"job": "candidate"}, window="5s"))
        run = watched(watch_env(kit, target.url, server, job="candidate", watch=watch), "--watch", "60s")
    assert run.returncode == 12, run.output
    assert "gonogo watch: FAILED after" in run.stdout
    assert "(stopped early, 60 s planned), time to verdict" in run.stdout
    failed = [
        line for line in run.stdout.splitlines() if line.startswith("gonogo watch: #") and " FAILED " in line
    ]
    assert len(failed) == 1
    assert "prometheus error rate " in failed[0]
    assert "> 5.0%" in failed[0]
    measurements = kit.gate(run.project)["checks"][0]["findings"]
    assert any(f["name"] == "watch failed measurements" and f["verdict"] == "fail" for f in measurements)


def test_a_watch_whose_query_finds_no_data_ends_inconclusive(
    scraped: Callable[..., Scraped], watched: Callable[..., SuiteRun], kit: Kit
) -> None:
    target, server = scraped()
    watch = "interval_s = 0.5\nsample_requests = 2\ninconclusive_limit = 1"
    run = watched(watch_env(kit, target.url, server, job="nobody", watch=watch), "--watch", "30s")
    check = kit.check(kit.gate(run.project), "test_watch")
    assert check["outcome"] == "inconclusive", run.output
    assert "2 inconclusive measurement(s) > inconclusive_limit 1 -> inconclusive: HOLD" in run.stdout
    assert "prometheus error_rate: no data for" in run.stdout


def test_a_query_prometheus_rejects_stops_the_watch_before_it_starts(
    scraped: Callable[..., Scraped], watched: Callable[..., SuiteRun], kit: Kit
) -> None:
    target, server = scraped()
    env = watch_env(kit, target.url, server, job="candidate", watch="interval_s = 1")
    run = watched(env.replace("[{{window}}]))'\np95", "[{{window}}])'\np95"), "--watch", "10s")
    assert run.returncode == 11, run.output  # NO-GO: the run could not verify, the deployment is not judged
    check = kit.check(kit.gate(run.project), "test_watch")
    assert check["outcome"] == "error"
    assert "[watch.prometheus] in environments/bg.toml: Prometheus http://127.0.0.1:" in check["message"]
    assert "was rejected (bad_data:" in check["message"]
    assert "gonogo watch: #" not in run.stdout
