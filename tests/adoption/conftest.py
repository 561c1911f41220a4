"""gonogo as a user gets it: the wheel built from this checkout, installed (not editable) into a fresh
venv, used from an empty folder that is not this repository.

One venv per test session (building and installing is the slow part). The wheel goes in with
``pip install --no-deps``; its dependencies are those of the venv running these tests, seen by the fresh
venv through a ``.pth`` line placed after its own site-packages (so ``gonogo`` itself is the wheel's,
never this checkout's), and every ``Requires-Dist`` of the wheel is checked to be satisfied there. That
keeps the test offline and within minutes; ``GONOGO_WHEEL_DEPS=index`` installs the dependencies from
the package index instead, as a user's ``pip install gonogo`` does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.runs import Finished
from tests.support.samples import launch_demo

BUILD_TIMEOUT_S = 300.0
#: variables of the outer run that would bind the user's run to something else
_SCRUBBED = ("GONOGO_", "DEPLOY_VERSION", "GITHUB_", "CI_", "PYTHONPATH", "VIRTUAL_ENV", "PYTEST_")


@dataclass(frozen=True)
class Artifacts:
    wheel: Path
    sdist: Path
    seconds: float


@dataclass(frozen=True)
class FreshVenv:
    """A venv with the wheel installed; ``run`` executes a command with its ``bin/`` first on PATH."""

    root: Path
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def environ(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.root)
        env["PIP_NO_INDEX"] = "1"  # nothing is fetched behind the test's back
        env.update(extra or {})
        return env

    def run(
        self,
        *command: str,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout_s: float = 240.0,
        shell: bool = False,
    ) -> Finished:
        args: str | list[str] = command[0] if shell else list(command)
        completed = subprocess.run(
            args,
            cwd=cwd,
            env=self.environ(env),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            shell=shell,
            executable="/bin/bash" if shell else None,
        )
        return Finished(completed.returncode, completed.stdout, completed.stderr)


def _run(command: list[str], *, cwd: Path, timeout_s: float = BUILD_TIMEOUT_S) -> str:
    completed = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout_s, check=False
    )
    assert completed.returncode == 0, f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    """``python -m build``: the sdist, then the wheel built from that sdist, as a release would be."""
    out = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], cwd=out)
    (wheel,) = out.glob("gonogo-*.whl")
    (sdist,) = out.glob("gonogo-*.tar.gz")
    return Artifacts(wheel, sdist, time.monotonic() - started)


def _borrow_dependencies(venv: Path) -> None:
    own = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # a plain path line: appended after the venv's own site-packages, and the .pth files of the borrowed
    # folder (this checkout's editable install among them) are not processed
    (own / "zz-gonogo-test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")


def _unsatisfied_requirements(venv: Path) -> str:
    code = """
import importlib.metadata as md
from packaging.requirements import Requirement
missing = []
for line in md.requires("gonogo") or []:
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        continue
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        missing.append(f"{req} (absent)")
        continue
    if not req.specifier.contains(version, prereleases=True):
        missing.append(f"{req} (found {version})")
print("; ".join(missing))
"""
    return _run([str(venv / "bin" / "python"), "-c", code], cwd=venv).strip()


@pytest.fixture(scope="session")
def fresh_venv(artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    root = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", str(root)], cwd=root.parent)
    pip = [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if os.environ.get("GONOGO_WHEEL_DEPS") == "index":
        _run([*pip, str(artifacts.wheel)], cwd=root.parent, timeout_s=1200.0)
    else:
        _run([*pip, "--no-deps", str(artifacts.wheel)], cwd=root.parent)
        # ensurepip's old setuptools would shadow the borrowed one that the dependencies need
        _run([str(root / "bin" / "python"), "-m", "pip", "uninstall", "-q", "-y", "setuptools"], cwd=root)
        _borrow_dependencies(root)
    unsatisfied = _unsatisfied_requirements(root)
    assert not unsatisfied, f"the wheel's requirements are not met in the fresh venv: {unsatisfied}"
    return FreshVenv(root, artifacts.wheel)


def wheel_members(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def wheel_metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if re.fullmatch(r"gonogo-[^/]+\.dist-info/METADATA", n)]
        return archive.read(name).decode()


#: an environment file for the demo service, launched by gonogo itself, short load run
DEMO_APP_TOML = (
    """\
description = "the demo service, launched from the installed wheel"
base_url = "http://127.0.0.1:{port}"
expected_version = "${DEPLOY_VERSION:-1.4.2}"

"""
    + launch_demo(python="python")  # the fresh venv's, first on PATH
    + """
[health]
path = "/health"
json = { status = "ok" }

[[routes]]
name = "list items"
path = "/api/items"
content_type = "application/json"
max_latency_ms = 1000

[load]
users = 2
spawn_rate = 2
rate_per_s = 200                # a ceiling: unpaced, two users saturate the generator, not the demo (HOLD)
duration_s = 4                  # 3 s measured at 200/s: enough requests to show the 1% error limit (299)
warmup_s = 1
p95_ms = 1000
min_requests = 50
"""
)


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """An empty folder that is nobody's checkout: the user's repository."""
    repo = tmp_path / "shop"
    repo.mkdir()
    return repo
