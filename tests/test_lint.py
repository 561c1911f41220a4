"""ruff and mypy (strict on gonogo/) run with the project's own tests, so one command checks everything."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINTED = ["gonogo", "tests", "checks", "smoke", "load", "bench", "conftest.py"]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_check_is_clean() -> None:
    targets = [path for path in LINTED if (REPO / path).exists()]
    result = _run(_tool("ruff"), "check", *targets)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    targets = [path for path in LINTED if (REPO / path).exists()]
    result = _run(_tool("ruff"), "format", "--check", *targets)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_package() -> None:
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout + result.stderr
