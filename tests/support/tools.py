"""One rule for what gonogo's own tests need from the machine, used by every test folder.

- A **system tool** that is absent (chromium, prometheus, java, node): the test skips, naming the tool
  and the command that installs it. ``.ci/run`` installs them all and sets ``GONOGO_CI_REQUIRE_ALL=1``,
  which turns those skips into failures: CI never passes green on a test that did not run.
- **npm packages** that one of the project's own lock files pins (the Allure generator at the root, the
  Workers runtime in examples/cloudflare-worker): the tests install them themselves with ``npm ci``, once
  per checkout and under a file lock (two pytest processes or xdist workers may get there together). Only
  Node itself can be missing, and that is a system tool.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ALL = "GONOGO_CI_REQUIRE_ALL"
NPM_CI_TIMEOUT_S = 600.0

#: name -> the Debian command that installs it (the machines gonogo is tested on run Debian)
INSTALL = {
    "chromium": "apt-get install chromium",
    "prometheus": "apt-get install prometheus",
    "java": "apt-get install openjdk-17-jre-headless",
    "node": "apt-get install nodejs npm",
    "npm": "apt-get install nodejs npm",
    "cmake": "apt-get install cmake",
    "ctest": "apt-get install cmake",
}


def require(message: str) -> NoReturn:
    """Skip with ``message``; where ``GONOGO_CI_REQUIRE_ALL=1`` (CI) a missing tool is a failure."""
    if os.environ.get(REQUIRE_ALL) == "1":
        pytest.fail(f"{message}; {REQUIRE_ALL}=1 requires it", pytrace=False)
    pytest.skip(message)


def system_tool(name: str, path: str | os.PathLike[str] | None = None, *, what: str = "") -> str:
    """The tool's path (``path`` if given, else ``name`` on PATH), or a skip naming it and its install."""
    candidate = str(path) if path is not None else name
    found = shutil.which(candidate)
    if found is None:
        purpose = f" ({what})" if what else ""
        require(f"{candidate} is not installed{purpose}: {INSTALL.get(name, f'install {name}')}")
    return found


def npm_ci(project: Path, installed: Path, *, timeout_s: float = NPM_CI_TIMEOUT_S) -> float | None:
    """``npm ci`` in ``project`` unless ``installed`` (a file or folder it creates) is already there.

    Returns the seconds the install took, or None when nothing had to be installed. A failing install is
    a test failure, not a skip: the lock file is the project's own.
    """
    if installed.exists():
        return None
    npm = system_tool("npm", what=f"to install {project / 'package-lock.json'}")
    digest = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"gonogo-tests-npm-ci-{digest}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed.exists():  # another process installed it while we waited
            return 0.0
        started = time.monotonic()
        try:
            completed = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=project,
                env={**os.environ, "npm_config_update_notifier": "false"},
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"npm ci in {project} did not finish within {timeout_s:g} s", pytrace=False)
        if completed.returncode != 0 or not installed.exists():
            pytest.fail(
                f"npm ci in {project} failed (exit {completed.returncode}):\n"
                f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}",
                pytrace=False,
            )
        return time.monotonic() - started
