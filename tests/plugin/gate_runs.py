"""Real pytest runs of a small project for the gate's tests: the project, a run, its gate.json.

Each test builds a project with pytester (``environments/staging.toml`` and checks in ``checks/``,
``smoke/``, ``load/``) and runs pytest on it in a subprocess, serial or under ``-n 2``, or keeps the
process to signal it (:meth:`GateSuite.start`).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import jsonschema
import pytest

from gonogo.reporting.gate_json import SCHEMA_PATH
from tests.support.runs import NESTED_RUN_VARS, environ_without, run_pytest

ENV = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n'
SCHEMA = json.loads(SCHEMA_PATH.read_text())
MODES = [pytest.param([], id="serial"), pytest.param(["-n", "2"], id="xdist")]


@dataclass
class Run:
    """A finished nested run: exit code, output, and its gate.json (None when there is none)."""

    ret: int
    stdout: str
    stderr: str
    gate: dict[str, Any] | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def lines(self) -> pytest.LineMatcher:
        """The run's stdout, to match with ``fnmatch_lines`` as pytester's results are."""
        return pytest.LineMatcher(self.stdout.splitlines())

    def codes(self) -> list[str]:
        assert self.gate is not None, f"no gate.json:\n{self.output}"
        return [reason["code"] for reason in self.gate["reasons"]]

    def check(self, nodeid: str) -> dict[str, Any]:
        assert self.gate is not None, f"no gate.json:\n{self.output}"
        return next(c for c in self.gate["checks"] if c["nodeid"] == nodeid)


class GateSuite:
    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.path = pytester.path
        (self.path / "environments").mkdir()
        self.env(ENV)
        pytester.makeini("[pytest]\naddopts = --import-mode=importlib -p no:cacheprovider\n")

    @property
    def gate_path(self) -> Path:
        return self.path / "reports" / "staging" / "gate.json"

    def env(self, text: str, name: str = "staging") -> Path:
        path = self.path / "environments" / f"{name}.toml"
        path.write_text(text)
        return path

    def add(self, path: str, source: str) -> None:
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)

    def healthy(self) -> None:
        self.add("checks/test_pre.py", "def test_pre(): pass\n")
        self.add("smoke/test_smoke.py", "def test_smoke(): pass\n")
        self.add("load/test_post.py", "def test_post(): pass\n")

    def environ(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return environ_without(NESTED_RUN_VARS, extra=extra)

    def run(self, *args: str, env: Mapping[str, str] | None = None, env_name: str | None = "staging") -> Run:
        """``pytest --env=staging ARGS`` in a subprocess; the gate.json is validated when there is one."""
        completed = run_pytest(*self.bound(env_name), *args, cwd=self.path, env=self.environ(env))
        return Run(completed.returncode, completed.stdout, completed.stderr, self.read_gate())

    def argv(self, *args: str, env_name: str | None = "staging") -> list[str]:
        return [sys.executable, "-m", "pytest", *self.bound(env_name), *args]

    @staticmethod
    def bound(env_name: str | None) -> list[str]:
        return [f"--env={env_name}"] if env_name else []

    def read_gate(self) -> dict[str, Any] | None:
        """The run's gate.json, validated; None when there is none (or it was emptied: no verdict)."""
        if not self.gate_path.is_file() or not self.gate_path.read_text():
            return None
        gate = json.loads(self.gate_path.read_text())
        jsonschema.validate(gate, SCHEMA)
        return gate

    def start(
        self, *args: str, env: Mapping[str, str] | None = None, own_group: bool = False
    ) -> subprocess.Popen[str]:
        """The run as a process to signal (``own_group``: in a process group of its own, as a CI runner
        starts a job's steps); its output goes to files read by :func:`finish`."""
        with (self.path / "run.out").open("w") as out, (self.path / "run.err").open("w") as err:
            # the child keeps its own copies of the two files
            return subprocess.Popen(
                self.argv(*args),
                cwd=self.path,
                env=self.environ(env),
                stdout=out,
                stderr=err,
                text=True,
                start_new_session=own_group,
            )

    def finish(self, process: subprocess.Popen[str], timeout_s: float = 60) -> Run:
        try:
            ret = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        stdout = (self.path / "run.out").read_text()
        stderr = (self.path / "run.err").read_text()
        return Run(ret, stdout, stderr, self.read_gate())


def wait_for(path: Path, timeout_s: float = 60, process: subprocess.Popen[Any] | None = None) -> None:
    """Until ``path`` exists (a check says it got there), bounded; fails if the process ended first."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the run ended (exit {process.returncode}) before {path.name} appeared")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} did not appear within {timeout_s:g} s")
        time.sleep(0.05)


def terminate(process: subprocess.Popen[Any]) -> None:
    process.send_signal(signal.SIGTERM)


def read_lines(stream: IO[str]) -> list[str]:
    return stream.read().splitlines()
