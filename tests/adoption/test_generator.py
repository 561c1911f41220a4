"""Which Allure generator `gonogo report` runs, and what it says when it cannot have one.

The real first-use install (npm ci of the shipped lock into the cache) runs in test_wheel.py, from the
installed wheel; here the order of the places looked in and the messages, with stand-in executables on a
PATH of the test's own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gonogo.reporting import generator
from gonogo.reporting.html import LAUNCHER, ReportError
from tests.conftest import REPO


def _executable(folder: Path, name: str, body: str = "exit 0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A gonogo whose lock sits in a folder of the test's, with no node_modules near it: as installed."""
    lock = tmp_path / "lock"
    lock.mkdir()
    for name in generator.LOCK_FILES:
        shutil.copyfile(REPO / name, lock / name)
    monkeypatch.setattr(generator, "SHIPPED_LOCK", lock)
    monkeypatch.setattr(generator, "CHECKOUT_LOCK", tmp_path / "no-checkout")
    return tmp_path


def test_gonogo_allure_comes_first_and_must_exist(elsewhere: Path) -> None:
    chosen = _executable(elsewhere / "mine", "allure")
    environ = {"GONOGO_ALLURE": str(chosen), "PATH": str(_executable(elsewhere / "bin", "allure").parent)}
    assert generator.locate([elsewhere], environ) == chosen
    with pytest.raises(ReportError, match=r"GONOGO_ALLURE=/nowhere/allure: no such file"):
        generator.locate([elsewhere], {"GONOGO_ALLURE": "/nowhere/allure", "PATH": ""})


def test_an_allure_on_path_comes_before_any_install(elsewhere: Path) -> None:
    on_path = _executable(elsewhere / "bin", "allure")
    assert generator.locate([elsewhere], {"PATH": str(on_path.parent)}) == on_path


def test_a_project_node_modules_is_used(elsewhere: Path) -> None:
    project = elsewhere / "project"
    launcher = _executable(project / LAUNCHER.parent, LAUNCHER.name)
    assert generator.locate([project / "reports"], {"PATH": ""}) == launcher


def test_the_cached_install_is_reused_without_npm(elsewhere: Path) -> None:
    environ = {"PATH": "", "GONOGO_CACHE_DIR": str(elsewhere / "cache")}
    target = generator.cached_install(generator.lock_folder(), environ)
    assert target.parent == elsewhere / "cache"
    assert target.name.startswith("allure-2.46.1-")
    launcher = _executable(target / LAUNCHER.parent, LAUNCHER.name)
    said: list[str] = []
    assert generator.locate([elsewhere], environ, say=said.append) == launcher
    assert said == []


def test_without_node_the_error_names_node_and_npm(elsewhere: Path) -> None:
    java = _executable(elsewhere / "bin", "java")
    environ = {"PATH": str(java.parent), "GONOGO_CACHE_DIR": str(elsewhere / "cache")}
    with pytest.raises(ReportError) as raised:
        generator.locate([elsewhere], environ, say=lambda line: None)
    message = str(raised.value)
    assert "installing the pinned one needs Node.js with npm: node and npm not on PATH" in message
    assert "GONOGO_ALLURE" in message


def test_without_java_the_error_names_java_before_installing(elsewhere: Path) -> None:
    bin_dir = elsewhere / "bin"
    _executable(bin_dir, "node")
    _executable(bin_dir, "npm", "echo npm ran >&2; exit 1")
    environ = {"PATH": str(bin_dir), "GONOGO_CACHE_DIR": str(elsewhere / "cache")}
    with pytest.raises(ReportError, match=r"needs Java 17\+ and `java` is not on PATH"):
        generator.locate([elsewhere], environ, say=lambda line: None)
    assert not (elsewhere / "cache").exists()  # nothing was installed


def test_a_failing_npm_leaves_no_half_install_behind(elsewhere: Path) -> None:
    bin_dir = elsewhere / "bin"
    for name in ("node", "java"):
        _executable(bin_dir, name)
    _executable(bin_dir, "npm", "echo 'npm ERR! network unreachable' >&2; exit 1")
    environ = {"PATH": str(bin_dir), "GONOGO_CACHE_DIR": str(elsewhere / "cache")}
    said: list[str] = []
    with pytest.raises(ReportError, match=r"npm ci failed \(exit 1\) installing the generator:\nnpm ERR!"):
        generator.locate([elsewhere], environ, say=said.append)
    assert said
    assert "installing the Allure 2 generator 2.46.1 into" in said[0]
    assert list((elsewhere / "cache").iterdir()) == []
