"""Child runs of gonogo's own tests: pytest, ``python -m gonogo`` or any ``python -m`` in a project folder.

Every run uses this interpreter (``sys.executable``, so the venv under test), captures its output as text,
is bounded by a timeout (a run that hangs fails its test instead of hanging the suite) and never raises on
its exit code: the test asserts on the returned :class:`subprocess.CompletedProcess`.

    run_pytest("--env=staging", "-n", "2", cwd=project)           # python -m pytest ARGS
    run_gonogo("verdict", "reports/staging", cwd=project)           # python -m gonogo ARGS
    run_pytest(cwd=project, env=environ_without(NESTED_RUN_VARS))   # without what binds a nested run

``env`` is the child's whole environment (None: this process's, as :func:`subprocess.run` does).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack

#: how long a nested pytest run may take unless the test says otherwise
PYTEST_TIMEOUT_S = 180.0
#: how long a ``gonogo`` command may take unless the test says otherwise
GONOGO_TIMEOUT_S = 60.0
#: variables that would bind a nested run to something else than what the test says
NESTED_RUN_VARS = (
    "GONOGO_ENV",
    "GONOGO_ENV_DIR",
    "GONOGO_STAGES",
    "GONOGO_GATE_MODE",
    "GITHUB_STEP_SUMMARY",
    "PYTEST_ADDOPTS",
)


def run_python(
    *args: str,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout_s: float = PYTEST_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` with this interpreter in ``cwd``; output captured as text, exit code not checked."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


class Where(TypedDict, total=False):
    """Where a child runs and for how long, as :func:`run_python` takes them."""

    cwd: Path | str | None
    env: Mapping[str, str] | None
    timeout_s: float


def run_pytest(*args: str, **where: Unpack[Where]) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` in ``cwd`` (the project under test), as :func:`run_python` runs it."""
    return run_python("-m", "pytest", *args, **where)


def run_gonogo(*args: str, **where: Unpack[Where]) -> subprocess.CompletedProcess[str]:
    """``python -m gonogo ARGS`` (the command line), as :func:`run_python` runs it; ``timeout_s``
    defaults to :data:`GONOGO_TIMEOUT_S`."""
    where.setdefault("timeout_s", GONOGO_TIMEOUT_S)
    return run_python("-m", "gonogo", *args, **where)


def environ_without(
    names: Iterable[str] = NESTED_RUN_VARS,
    *,
    prefixes: tuple[str, ...] = (),
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """This process's environment without ``names`` and names starting with ``prefixes``, plus ``extra``."""
    dropped = set(names)
    kept = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(prefixes)}
    return {**kept, **(extra or {})}


@dataclass(frozen=True)
class Finished:
    """A finished child run as a test reads it: exit code and both streams (subclass it to add more)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def output(completed: subprocess.CompletedProcess[str]) -> str:
    """Both streams of a finished run, for an assertion's message."""
    return completed.stdout + completed.stderr
