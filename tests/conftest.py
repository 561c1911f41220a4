"""Shared fixtures for gonogo's own tests: real demo processes and end-to-end runs of the suite."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from gonogo.processes import spawn, stop_group
from tests.support.factories import stopped_at_teardown
from tests.support.runs import Finished, environ_without, run_pytest

pytest_plugins = ["pytester"]

# CI replays the same examples every run (a red build names a real regression, reproducible from the
# log); local runs keep exploring new ones and report what they find
settings.register_profile("ci", derandomize=True, max_examples=300, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"listening on (https?://\S+)")
#: variables that would bind a nested run to something else than what the test says
_GONOGO_VARS = ("GONOGO_ENV", "GONOGO_ENV_DIR", "GONOGO_STAGES", "DEPLOY_VERSION", "GITHUB_STEP_SUMMARY")


@dataclass
class DemoProcess:
    """A real ``python -m gonogo.demo`` process on a loopback port."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        stop_group(self.process)


def start_demo(*args: str, env: Mapping[str, str] | None = None, timeout_s: float = 15.0) -> DemoProcess:
    """Start the demo with knob flags/variables and wait (bounded) for its listening line."""
    child = spawn(
        [sys.executable, "-m", "gonogo.demo", "--port", "0", *args],
        ready=LISTENING,
        timeout_s=timeout_s,
        env={**os.environ, **(env or {})},
    )
    return DemoProcess(child.process, child.match.group(1))


@pytest.fixture(autouse=True, scope="session")
def builtin_checks_off() -> Iterator[None]:
    """gonogo's own tests build small projects of their own (pytester, copies of the suite): gonogo's
    built-in checks join those runs only where a test asks for them (tests/adoption sets it on)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GONOGO_BUILTIN_CHECKS", "off")
        yield


@pytest.fixture
def demo() -> Iterator[Callable[..., DemoProcess]]:
    """Factory: ``demo("--report-version", "9.9.9", env={...})`` -> a running demo, stopped at teardown."""
    yield from stopped_at_teardown(start_demo, DemoProcess.stop)


@dataclass(frozen=True)
class SuiteRun(Finished):
    """A finished run of a copied suite, and the folder it ran in."""

    project: Path


@dataclass
class SuiteProject:
    """A copy of the suite (checks/, smoke/, load/, environments/, conftest.py) in a temporary folder."""

    path: Path

    def write_env(self, name: str, text: str) -> Path:
        target = self.path / "environments" / f"{name}.toml"
        target.write_text(text, encoding="utf-8")
        return target

    def run(self, *args: str, env: Mapping[str, str] | None = None, timeout_s: float = 180.0) -> SuiteRun:
        child_env = environ_without(_GONOGO_VARS, prefixes=("GONOGO_DEMO_",), extra=env)
        completed = run_pytest(
            "-p", "no:cacheprovider", *args, cwd=self.path, env=child_env, timeout_s=timeout_s
        )
        return SuiteRun(completed.returncode, completed.stdout, completed.stderr, self.path)


def copy_suite(destination: Path) -> SuiteProject:
    for folder in ("checks", "smoke", "load", "environments"):
        shutil.copytree(REPO / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(REPO / name, destination / name)
    return SuiteProject(destination)


@pytest.fixture
def suite_project(tmp_path: Path) -> SuiteProject:
    """The repository's own suite, copied so a run cannot touch the working tree's reports/."""
    return copy_suite(tmp_path / "project")
