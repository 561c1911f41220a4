"""The upstream tools the probe tests compare gonogo with, installed once into ~/.cache/gonogo-tests/.

wrangler (npm), uv / poetry / pdm / pipenv (PyPI, one venv) and pnpm / yarn classic / yarn berry / bun
(npm) are installed on first use only, pinned, outside the repository. When one cannot be had the tests
that need it skip, naming the tool and its install command; with ``GONOGO_CI_REQUIRE_ALL=1`` (CI) they
fail instead. Also the closing note of the real-world corpus test (false passes and false fails).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

from tests.support.runs import environ_without
from tests.support.tools import require as support_require

CACHE = Path(os.environ.get("GONOGO_TEST_CACHE", Path.home() / ".cache" / "gonogo-tests"))
INSTALL_TIMEOUT_S = 600.0
WRANGLER = "4.86.0"  # the last wrangler that runs on Node 20 (docs: FIELD-NOTES)
PY_TOOLS = {"uv": "0.13.9", "poetry": "2.5.1", "pdm": "2.29.4", "pipenv": "2026.10.3"}
#: pnpm 12 reads lockfileVersion 9 only; pnpm 8 reads the 6.0 locks many projects still have
NPM_TOOLS = {
    "pnpm": "12.23.0",
    "pnpm8@npm:pnpm": "8.15.9",
    "yarn": "1.22.22",
    "@yarnpkg/cli-dist": "4.18.1",
    "bun": "1.4.5",
}
#: wrangler and the JS package managers run offline and quiet
QUIET_ENV = {
    "WRANGLER_SEND_METRICS": "false",
    "WRANGLER_HIDE_BANNER": "true",
    "CLOUDFLARE_CF_FETCH_ENABLED": "false",
    "WRANGLER_SEND_ERROR_REPORTS": "false",
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
    "npm_config_update_notifier": "false",
    "DO_NOT_TRACK": "1",
}


def run_tool(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, *, without: tuple[str, ...] = ()
) -> tuple[int, str]:
    """A package manager's run in ``cwd``, quiet (:data:`QUIET_ENV`, then ``env``, over this process's
    environment less the variables ``without``), bounded: its exit code and both streams."""
    done = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environ_without(without, extra={**QUIET_ENV, **(env or {})}),
    )
    return done.returncode, done.stdout + done.stderr


def require(message: str) -> NoReturn:
    """Skip for a missing tool; in CI (``GONOGO_CI_REQUIRE_ALL=1``) a missing tool is a failure."""
    support_require(message)  # the one rule: tests/support/tools.py


@contextmanager
def _locked(name: str) -> Iterator[None]:
    # one install at a time, should two pytest processes (or xdist workers) get here together
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run_install(command: list[str], what: str, how: str) -> None:
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
            env={**os.environ, **QUIET_ENV},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        require(f"{what} could not be installed ({exc}); install it with: {how}")
    if done.returncode != 0:
        require(f"{what} could not be installed (exit {done.returncode}: {done.stderr[-500:]}); try: {how}")


@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    if found is None or shutil.which("npm") is None:
        require("Node.js and npm are needed (Debian: apt-get install nodejs npm)")
    return found


@pytest.fixture(scope="session")
def wrangler_home(node: str) -> Path:
    """A folder whose node_modules holds wrangler 4.86.0."""
    home = CACHE / f"wrangler-{WRANGLER}"
    how = f"npm install --prefix {home} wrangler@{WRANGLER}"
    with _locked("wrangler"):
        if not (home / "node_modules" / "wrangler" / "package.json").is_file():
            _run_install(
                ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(home), f"wrangler@{WRANGLER}"],
                f"wrangler {WRANGLER}",
                how,
            )
    return home


@dataclass(frozen=True)
class Tools:
    """Paths of the upstream package managers (each None until asked for and found)."""

    bin: dict[str, Path] = field(default_factory=dict)

    def get(self, name: str) -> Path:
        path = self.bin.get(name)
        if path is None or not path.exists():
            require(f"{name} is not installed in {CACHE}: see tests/probes/conftest.py")
        return path


@pytest.fixture(scope="session")
def py_tools() -> Tools:
    """uv, poetry, pdm and pipenv in one venv under the cache."""
    venv = CACHE / "py-tools"
    pins = [f"{name}=={version}" for name, version in PY_TOOLS.items()]
    how = f"{sys.executable} -m venv {venv} && {venv}/bin/pip install {' '.join(pins)}"
    with _locked("py-tools"):
        if not all((venv / "bin" / name).exists() for name in PY_TOOLS):
            _run_install([sys.executable, "-m", "venv", str(venv)], "a venv for uv/poetry/pdm/pipenv", how)
            _run_install([str(venv / "bin" / "pip"), "install", "-q", *pins], "uv, poetry, pdm, pipenv", how)
    return Tools({name: venv / "bin" / name for name in PY_TOOLS})


@pytest.fixture(scope="session")
def js_tools(node: str) -> Tools:
    """pnpm 12 and 8, yarn classic, yarn berry (``yarn-berry``) and bun, from npm, under the cache; the
    JavaScript ones are run as ``node <script>``."""
    home = CACHE / "js-tools"
    pins = [f"{name}@{version}" for name, version in NPM_TOOLS.items()]
    how = f"npm install --prefix {home} {' '.join(pins)}"
    bins = {
        "pnpm": home / "node_modules" / "pnpm" / "bin" / "pnpm.mjs",
        "pnpm8": home / "node_modules" / "pnpm8" / "bin" / "pnpm.cjs",
        # yarn classic and berry both install a `yarn` bin: call each by its own script
        "yarn": home / "node_modules" / "yarn" / "bin" / "yarn.js",
        "yarn-berry": home / "node_modules" / "@yarnpkg" / "cli-dist" / "bin" / "yarn.js",
        "bun": home / "node_modules" / ".bin" / "bun",
    }
    with _locked("js-tools"):
        if not all(path.exists() for path in bins.values()):
            _run_install(
                ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(home), *pins],
                "pnpm, yarn, bun",
                how,
            )
    return Tools(bins)


# --- the corpus test's closing note ------------------------------------------------------------------

#: filled by tests/probes/test_realworld_corpus.py: "now" and "before issue 15" -> counts
CORPUS_TALLY: dict[str, dict[str, object]] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CORPUS_TALLY:
        return
    terminalreporter.section("real-world corpus (tests/fixtures/realworld)")
    for when in ("now", "before issue 15"):
        tally = CORPUS_TALLY.get(when)
        if tally:
            terminalreporter.write_line(
                f"{when}: {tally['files']} files ({tally['by kind']}): {tally['right']} right, "
                f"{tally['false pass']} false passes, {tally['false fail']} false fails, "
                f"{tally['wrong reason']} right outcome for a wrong reason"
            )
