"""Dependency pins: a lock file pins every dependency, and agrees with its manifest the way its own tool
checks that (docs/checks.md, "Dependency pins", has the rule of each format).

The kind of file comes from its name; each has a module of its own:

=====================================  ==============================  ===============================
file                                    manifest beside it              judged as
=====================================  ==============================  ===============================
``package-lock.json``,                  ``package.json`` (+ workspaces) ``npm ci`` (:mod:`.npm`)
``npm-shrinkwrap.json``
``pnpm-lock.yaml``                      ``package.json``, workspaces    ``pnpm install --frozen-lockfile``
``yarn.lock`` (classic and berry)       ``package.json`` (+ workspaces) ``--frozen-lockfile``/``--immutable``
``bun.lock``                            ``package.json`` (+ workspaces) ``bun install --frozen-lockfile``
``uv.lock``                             ``pyproject.toml``              ``uv lock --check``
``poetry.lock``                         ``pyproject.toml``              ``poetry check --lock``
``pdm.lock``                            ``pyproject.toml``              ``pdm lock --check``
``Pipfile.lock``                        ``Pipfile``                     ``pipenv verify``
``pylock.toml``, ``pylock.*.toml``      none (PEP 751)                  its own pins and hashes
anything else (``*.txt``, ``*.in``...)  none                            pip's requirements format
=====================================  ==============================  ===============================

Lock formats gonogo does not read (``Cargo.lock``, ``go.sum``, ``bun.lockb``, ...) are refused by name,
never misread as requirements files.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast

from gonogo.probes.lockfiles.report import FIXES, LockReport

__all__ = ["FIXES", "READERS", "UNSUPPORTED", "LockReport", "check", "kind_of", "reader"]

#: kind -> the module (of this package) whose ``check`` reads it. Imported when a file of that kind is read,
#: not with this package: every run collects the dependency-pins check to see its stage, and the formats'
#: parsers (PyYAML, pyjson5, node-semver, packaging) would cost each run tens of ms (docs/load.md)
READERS: dict[str, str] = {
    "package-lock.json": "npm",
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
    "bun.lock": "bun",
    "uv.lock": "uv",
    "poetry.lock": "poetry",
    "pdm.lock": "pdm",
    "Pipfile.lock": "pipfile",
    "pylock.toml": "pylock",
    "requirements": "requirements",
}
#: lock formats gonogo does not read, named so they are refused instead of misread as requirements
UNSUPPORTED = (
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "mix.lock",
    "Podfile.lock",
    "flake.lock",
)
_STRUCTURED = (".json", ".yaml", ".yml", ".toml", ".lock", ".lockb", ".sum")
_PYLOCK = re.compile(r"^pylock\.([^.]+\.)?toml$")


def kind_of(path: Path) -> str:
    name = path.name
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        return "package-lock.json"
    if name in ("bun.lock", "bun.lockb"):
        return "bun.lock"
    if name in READERS:
        return name
    if _PYLOCK.match(name):
        return "pylock.toml"
    if name in UNSUPPORTED or (path.suffix.lower() in _STRUCTURED and not name.startswith("requirements")):
        return "unsupported"
    return "requirements"


def check(path: Path) -> LockReport:
    """Read a lock file by its kind and list its problems (a missing file is one)."""
    kind = kind_of(path)
    report = LockReport(path, kind)
    if not path.is_file():
        report.problems.append(f"{path} does not exist")
        return report
    if kind == "unsupported":
        report.refuse(
            f"{path.name} is not a lock format gonogo reads (requirements-style, package-lock.json, "
            f"pnpm-lock.yaml, yarn.lock, bun.lock, uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock.toml)"
        )
        return report
    reader(kind)(path, report)
    return report


def reader(kind: str) -> Callable[[Path, LockReport], None]:
    """The function that checks a lock file of ``kind`` (a key of :data:`READERS`), its module imported."""
    module = importlib.import_module(f"{__name__}.{READERS[kind]}")
    return cast(Callable[[Path, LockReport], None], module.check)
