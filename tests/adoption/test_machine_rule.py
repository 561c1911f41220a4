"""The one rule for tools the tests need (tests/support/tools.py): skip locally, fail in CI, install npm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.tools import REQUIRE_ALL, npm_ci, system_tool


def test_a_missing_system_tool_skips_naming_it_and_its_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ALL, raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        system_tool("prometheus", "/nonexistent/prometheus", what="the watch's metric source")
    assert str(skipped.value) == (
        "/nonexistent/prometheus is not installed (the watch's metric source): apt-get install prometheus"
    )


def test_in_ci_a_missing_system_tool_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ALL, "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        system_tool("chromium", "/nonexistent/chromium")
    assert str(failed.value) == (
        "/nonexistent/chromium is not installed: apt-get install chromium; "
        "GONOGO_CI_REQUIRE_ALL=1 requires it"
    )


def test_a_present_tool_is_returned_by_its_path() -> None:
    assert system_tool("sh") == shutil.which("sh")


def test_what_the_projects_lock_pins_is_installed_not_skipped(tmp_path: Path) -> None:
    system_tool("npm", what="installing the project's npm lock")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(REPO / name, tmp_path / name)
    launcher = tmp_path / "node_modules" / "allure-commandline" / "dist" / "bin" / "allure"
    took = npm_ci(tmp_path, launcher)
    assert took is not None
    assert took > 0
    assert launcher.is_file()
    assert npm_ci(tmp_path, launcher) is None  # installed once
