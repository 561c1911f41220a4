"""Child processes seen from a test: whether a pid still runs, a pytest child read while it runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie waiting for its parent to reap it is gone for a test's purposes."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # /proc tells a zombie (state Z) from a running process
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").split()[2]
    except OSError:
        return False
    return state != "Z"


def start_pytest(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """``python -m pytest -p no:cacheprovider ARGS`` in ``cwd``, running: its output (stderr folded into
    stdout) is read through ``stdout`` while it runs, for a test that signals or watches it midway."""
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
