"""Child processes, done one way: start one in its own group, wait for a line with a real deadline, stop
the group. Used by the ``[launch]`` target, the load generator, gonogo's own tests and its benchmarks.

``wait_for_line`` reads with ``select`` and a deadline, never a bare ``readline()``: a child that
hangs silently, or prints half a line and stops, cannot block the caller past its timeout.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from gonogo.errors import GonogoError

_PR_SET_PDEATHSIG = 1
_READ_CHUNK = 65536


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """``preexec_fn``: the child gets SIGTERM when its parent dies (Linux), so nothing outlives a run."""
    # Runs in the child between fork and exec; only async-signal-safe work belongs here.
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_group(process: subprocess.Popen[Any], grace_s: float = 5.0) -> None:
    """SIGTERM a process group, then SIGKILL whatever is left after ``grace_s``.

    The SIGKILL goes to the group even when the leader exited in time: children it started (locust
    workers, workerd, a baseline demo) may still hold ports. Closes the leader's stdout pipe if any.
    """
    _signal_group(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    _signal_group(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    if process.stdout is not None:
        process.stdout.close()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@dataclass
class LineWait:
    """What :func:`wait_for_line` saw: the match (None on timeout or exit) and every line before it."""

    match: re.Match[str] | None
    lines: list[str] = field(default_factory=list)
    exited: bool = False

    @property
    def output(self) -> str:
        return "".join(self.lines)


def wait_for_line(stream: IO[str] | IO[bytes], pattern: re.Pattern[str], timeout_s: float) -> LineWait:
    """Read ``stream`` until a line matches ``pattern``, the stream ends, or ``timeout_s`` passes.

    The pipe's file descriptor is read directly (no Python buffering), so lines after the match are
    left in the pipe for whoever reads it next, up to the chunk that held the match.
    """
    deadline = time.monotonic() + timeout_s
    fd = stream.fileno()
    pending = b""
    seen = LineWait(None)
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not selector.select(timeout=left):
                continue
            chunk = os.read(fd, _READ_CHUNK)
            if not chunk:
                seen.exited = True
                if pending:
                    seen.lines.append(pending.decode("utf-8", "replace"))
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                line = raw.decode("utf-8", "replace") + "\n"
                seen.lines.append(line)
                match = pattern.search(line)
                if match:
                    seen.match = match
                    return seen
    return seen


@dataclass
class Child:
    """A child process in its own process group, and the line it announced itself with."""

    process: subprocess.Popen[bytes]
    match: re.Match[str]
    lines: list[str]

    def stop(self, grace_s: float = 5.0) -> None:
        stop_group(self.process, grace_s)


class ChildDidNotStart(GonogoError):
    """The child exited, or printed no matching line, before the deadline."""


def spawn(
    argv: Sequence[str],
    *,
    ready: re.Pattern[str],
    timeout_s: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Child:
    """Start ``argv`` in its own session (Ctrl-C does not reach it; it dies with this process) and wait,
    bounded, for a line of its output (stdout and stderr merged) that matches ``ready``."""
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=die_with_parent,  # noqa: PLW1509 - only a prctl call, no locks taken
    )
    assert process.stdout is not None
    seen = wait_for_line(process.stdout, ready, timeout_s)
    if seen.match is None:
        stop_group(process)
        how = (
            "exited" if seen.exited else f"printed no line matching {ready.pattern!r} within {timeout_s:g} s"
        )
        raise ChildDidNotStart(f"{' '.join(argv)} {how}; its output:\n{seen.output[-4000:]}")
    return Child(process, seen.match, seen.lines)
