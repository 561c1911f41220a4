"""Helpers for the environment file's tests: a project folder with ``environments/<name>.toml``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

#: the two required keys; every test adds what it is about
MINIMAL = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n'


@pytest.fixture
def env_file(tmp_path: Path) -> Callable[..., Path]:
    """``env_file(text, name="staging", minimal=True)`` -> the path of ``<tmp>/environments/<name>.toml``.

    With ``minimal`` the required keys come first, so ``text`` holds only the keys a test is about.
    """

    def write(text: str, name: str = "staging", minimal: bool = True) -> Path:
        path = tmp_path / "environments" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((MINIMAL if minimal else "") + text, encoding="utf-8")
        return path

    return write
