"""Shared pieces of the benchmarks: loopback servers in their own process groups, CPU of child processes,
and the tables they print. Benchmarks run locust in child processes, never in this one."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gonogo.processes import ChildDidNotStart, free_port, spawn, stop_group

REPO = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
LISTENING = re.compile(r"listening on (http://\S+)")


def machine() -> str:
    """`nproc`, the CPU model and the date, for the results table."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"load average {load:.1f} at start, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


@dataclass
class Server:
    process: subprocess.Popen[Any]
    url: str

    def stop(self) -> None:
        stop_group(self.process)


@contextlib.contextmanager
def nginx(workers: int = 1) -> Iterator[Server]:
    """nginx from Debian's package on a loopback port, answering every request with a 3-byte body."""
    if not Path(NGINX).exists():
        sys.exit(f"{NGINX} is missing: apt-get install -y nginx")
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-nginx-") as folder:
        port = free_port()
        config = Path(folder) / "nginx.conf"
        temp = "\n".join(
            f"  {kind}_temp_path {folder}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        config.write_text(
            f"""
worker_processes {workers};
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp}
  server {{ listen 127.0.0.1:{port}; location / {{ return 200 "ok\\n"; }} }}
}}
"""
        )
        process = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", folder],
            start_new_session=True,
            text=True,
            stdout=subprocess.PIPE,
        )
        server = Server(process, f"http://127.0.0.1:{port}")
        try:
            _wait_port(port)
            yield server
        finally:
            server.stop()


def start_python_server(*args: str, timeout_s: float = 20.0) -> Server:
    """``python bench/_servers.py ARGS``: waits (bounded) for its ``listening on URL`` line."""
    try:
        child = spawn(
            [sys.executable, str(REPO / "bench" / "_servers.py"), *args], ready=LISTENING, timeout_s=timeout_s
        )
    except ChildDidNotStart as exc:
        sys.exit(f"bench server {args} did not start: {exc}")
    return Server(child.process, child.match.group(1))


def _wait_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    sys.exit(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


@contextlib.contextmanager
def child_cpu() -> Iterator[list[float]]:
    """CPU seconds (user + system) of the child processes waited for inside the block, forks included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent: list[float] = []
    yield spent
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (it goes into docs/load.md as printed)."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(headers[index]), *(len(row[index]) for row in cells)) for index in range(len(headers))]
    lines = [
        "| " + " | ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)) + " |",
        "| " + " | ".join("-" * width for width in widths) + " |",
    ]
    lines += [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    return "\n".join(lines)
