"""Helpers for the Cloudflare Worker tests: the pinned runtime (``npm ci``), real Worker processes on
workerd, a copy of the suite that can reach ``examples/``, and a watch on every process we start.

Without Node/npm the tests skip with the reason, unless ``GONOGO_CI_REQUIRE_ALL=1`` (CI): then they fail.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, NoReturn

import psutil
import pytest

from tests.conftest import REPO, SuiteProject
from tests.support.factories import stopped_at_teardown
from tests.support.tools import npm_ci
from tests.support.tools import require as support_require

EXAMPLE = REPO / "examples" / "cloudflare-worker"
SERVE = EXAMPLE / "serve.mjs"
SEED = EXAMPLE / "kv-seed.json"
MIN_NODE = (20, 18, 1)  # undici 7, inside Miniflare 4
NPM_CI_TIMEOUT_S = 300.0
LISTENING = re.compile(r"listening on (http://\S+)")
LAUNCHED = re.compile(r"gonogo: base URL (\S+) \(launched, pid (\d+)\)")
#: variables that would change what a nested run or a Worker does behind the test's back
WORKER_VARS = ("WORKER_BLUE_URL", "WORKER_BLUE_VERSION", "COMPARE_STAGE", "GONOGO_WATCH", "DEPLOY_VERSION")


def require(message: str) -> NoReturn:
    """Skip for a missing tool; in CI (``GONOGO_CI_REQUIRE_ALL=1``) a missing tool is a failure."""
    support_require(message)


def _node_version(node: str) -> tuple[int, ...] | None:
    try:
        text = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.(\d+)\.(\d+)", text.strip())
    return tuple(int(part) for part in match.groups()) if match else None


@dataclass(frozen=True)
class Runtime:
    node: str
    #: seconds `npm ci` took in this session; None when node_modules was already there
    npm_ci_s: float | None


def _installed() -> bool:
    return (EXAMPLE / "node_modules" / "miniflare").is_dir() and (
        EXAMPLE / "node_modules" / "smol-toml"
    ).is_dir()


def _npm_ci(npm: str) -> float:
    # the one rule (tests/support/tools.py): npm ci of the project's own lock, once, under a file lock
    return npm_ci(EXAMPLE, EXAMPLE / "node_modules" / "smol-toml", timeout_s=NPM_CI_TIMEOUT_S) or 0.0


def _say(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        reporter.ensure_newline()
        reporter.write_line(line)


@pytest.fixture(scope="session")
def worker_runtime(request: pytest.FixtureRequest) -> Runtime:
    """Node 20.18.1+ and the pinned Miniflare/workerd in examples/cloudflare-worker/node_modules."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        require(
            "Node.js and npm are needed for the Cloudflare Worker tests (Debian: apt-get install nodejs npm)"
        )
    version = _node_version(node)
    if version is None or version < MIN_NODE:
        shown = ".".join(map(str, version)) if version else "unknown"
        require(f"Node {'.'.join(map(str, MIN_NODE))}+ is needed for Miniflare 4, found {shown} at {node}")
    npm_ci_s = None
    if not _installed():
        npm_ci_s = _npm_ci(npm)
        _say(request.config, f"gonogo worker tests: npm ci in {EXAMPLE} took {npm_ci_s:.1f} s")
    return Runtime(node=node, npm_ci_s=npm_ci_s)


# --- processes ----------------------------------------------------------------------------------


def _is_ours(process: psutil.Process) -> bool:
    """A live Node running serve.mjs, or a workerd from the example's node_modules."""
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        cmdline = process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    text = " ".join(cmdline)
    return (
        str(SERVE) in text
        or ("workerd" in text and str(EXAMPLE) in text)
        or ("serve.mjs" in text and "cloudflare-worker" in text)
    )


def worker_processes() -> set[int]:
    """PIDs of the Worker processes alive now (node serve.mjs and workerd)."""
    return {process.pid for process in psutil.process_iter() if _is_ours(process)}


def live_in_group(pgid: int) -> list[str]:
    """Processes of a process group that are still alive (zombies are dead, only not yet reaped)."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{process.pid} {' '.join(process.cmdline())[:160]}")
        except (ProcessLookupError, psutil.Error):
            continue
    return found


def wait_until_gone(
    check: Callable[[], list[str] | set[int]], timeout_s: float = 10.0
) -> list[str] | set[int]:
    """Poll until ``check`` finds nothing, bounded; return what is left."""
    deadline = time.monotonic() + timeout_s
    left = check()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = check()
    return left


class LineReader:
    """Reads a child's output on a thread, so the test can wait for a line with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        with contextlib.suppress(ValueError, OSError):  # the stream closed under us: the child is gone
            for line in stream:
                self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: re.Pattern[str], timeout_s: float) -> re.Match[str] | None:
        """The first new line matching ``pattern`` within ``timeout_s``; None at the end of output or time."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                self._queue.put(None)  # the end stays visible to the next call
                return None
            self.lines.append(line)
            match = pattern.search(line)
            if match:
                return match
        return None

    def rest(self, timeout_s: float) -> str:
        """Everything until the end of output (bounded), joined with what was read before."""
        self.wait_for(re.compile(r"(?!)"), timeout_s)
        return "".join(self.lines)


@dataclass
class WorkerProcess:
    """``node serve.mjs`` (and its workerd) in a process group of their own."""

    process: subprocess.Popen[str]
    output: LineReader
    url: str = ""

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        # workerd may outlive its parent for a moment: the group goes in any case
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def spawn_worker(*args: str, port: int = 0, env: Mapping[str, str] | None = None) -> WorkerProcess:
    """``node serve.mjs --port PORT ARGS`` in a process group of its own, without waiting for it."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_WORKER_")}
    child_env.update(env or {})
    process = subprocess.Popen(
        ["node", str(SERVE), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=child_env,
        cwd=REPO,
        start_new_session=True,
    )
    assert process.stdout is not None
    return WorkerProcess(process, LineReader(process.stdout))


def start_worker(*args: str, env: Mapping[str, str] | None = None, timeout_s: float = 60.0) -> WorkerProcess:
    """``node serve.mjs --port 0 ARGS`` and wait (bounded) for its listening line."""
    worker = spawn_worker(*args, env=env)
    match = worker.output.wait_for(LISTENING, timeout_s)
    if match is None:
        worker.stop()
        raise AssertionError(f"the Worker did not start within {timeout_s:g} s: {worker.output.rest(1.0)}")
    worker.url = match.group(1)
    return worker


@pytest.fixture
def worker(worker_runtime: Runtime) -> Iterator[Callable[..., WorkerProcess]]:
    """Factory: ``worker("--env", "production", "--var", "VERSION=1.4.2")`` -> a running Worker."""
    yield from stopped_at_teardown(start_worker, WorkerProcess.stop)


@pytest.fixture
def worker_project(
    suite_project: SuiteProject, worker_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> SuiteProject:
    """The suite copied to a temporary folder, with the Worker example in it as a user's repository holds
    it: its files copied (the precheck files must be inside the project), only ``node_modules`` linked."""
    source = REPO / "examples" / "cloudflare-worker"
    copy = suite_project.path / "examples" / "cloudflare-worker"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("node_modules"))
    (copy / "node_modules").symlink_to(source / "node_modules", target_is_directory=True)
    for name in list(os.environ):
        if name.startswith("GONOGO_WORKER_") or name in WORKER_VARS:
            monkeypatch.delenv(name)
    return suite_project


@pytest.fixture(autouse=True, scope="module")
def no_worker_left_behind() -> Iterator[None]:
    """Every Worker process the tests of this folder started is gone when they are done."""
    before = worker_processes()
    yield
    left = wait_until_gone(lambda: worker_processes() - before)
    assert not left, f"Worker processes left running after the tests: {sorted(left)}"
