"""gonogo.environment is a package of small modules behind one flat import surface."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from gonogo import environment
from gonogo.environment import EnvironmentFileError, UnknownEnvironmentError
from gonogo.errors import GonogoError

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "gonogo" / "environment"
#: the folders whose modules import the environment file's names
USERS = ("gonogo", "tests", "checks", "smoke", "load", "bench")


def _imported_names() -> dict[str, list[str]]:
    """Every ``from gonogo.environment import X`` in the repository: name -> files importing it."""
    found: dict[str, list[str]] = {}
    for folder in USERS:
        for path in (REPO / folder).rglob("*.py"):
            if PACKAGE in path.parents:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "gonogo.environment":
                    for alias in node.names:
                        found.setdefault(alias.name, []).append(str(path.relative_to(REPO)))
    return found


def test_every_name_other_modules_import_is_exported_from_the_package() -> None:
    imported = _imported_names()
    assert {"Environment", "LoadedEnvironment", "RouteConfig", "shown"} <= set(imported)
    # a submodule (``from gonogo.environment import reference``) is imported as itself
    submodules = {path.stem for path in PACKAGE.glob("*.py")}
    missing = {
        name: files
        for name, files in imported.items()
        if name not in environment.__all__ and name not in submodules
    }
    assert not missing, f"not in gonogo.environment.__all__: {missing}"
    for name in environment.__all__:
        assert getattr(environment, name) is not None


def test_no_module_of_the_package_is_over_400_lines() -> None:
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.glob("*.py")}
    assert len(sizes) >= 10
    assert {name: size for name, size in sizes.items() if size > 400} == {}


def test_the_environment_errors_are_gonogo_errors() -> None:
    assert issubclass(EnvironmentFileError, GonogoError)
    assert issubclass(UnknownEnvironmentError, EnvironmentFileError)
    interpolate = importlib.import_module("gonogo.environment.interpolate")
    assert issubclass(interpolate.InterpolationError, GonogoError)


def test_the_old_envdoc_module_is_gone_and_the_reference_lives_in_the_package() -> None:
    assert not (REPO / "gonogo" / "envdoc.py").exists()
    assert not (REPO / "gonogo" / "environment.py").exists()
    reference = importlib.import_module("gonogo.environment.reference")
    assert reference.markdown().startswith(reference.BEGIN)
