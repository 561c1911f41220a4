"""poetry.lock against pyproject.toml, as ``poetry check --lock`` and ``poetry install`` judge it.

Poetry stores ``[metadata] content-hash``: the sha256 of the pyproject.toml content that matters to
locking (poetry ``packages/locker.py`` ``_get_content_hash``: ``[project]`` requires-python, dependencies
and optional-dependencies, ``[dependency-groups]``, and ``[tool.poetry]`` dependencies, source, extras,
dev-dependencies and group). A different hash is an outdated lock, which poetry refuses to install. As
poetry does, locks written by Poetry before 2.3.0 are also compared with the hash left of
``[dependency-groups]``. Besides, every declared dependency must be satisfied by a locked version.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from gonogo.probes.lockfiles import reading
from gonogo.probes.lockfiles.pyreq import locked_packages, pep621, poetry_tables, unsatisfied
from gonogo.probes.lockfiles.report import LockReport

_LEGACY = ("dependencies", "source", "extras", "dev-dependencies")
_RELEVANT = (*_LEGACY, "group")
_PROJECT = ("requires-python", "dependencies", "optional-dependencies")
_WRITER = re.compile(r"Poetry ([^ ]+)")


def check(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "toml")
    if lock is None:
        return
    _, locked = locked_packages(lock, report, needs_version=lambda entry: True)
    manifest = reading.manifest(path.with_name("pyproject.toml"), report, "toml")
    if manifest is None:
        return
    stored = str((lock.get("metadata") or {}).get("content-hash", ""))
    fresh = {content_hash(manifest, with_groups=True)}
    if _written_before_2_3(path):
        fresh.add(content_hash(manifest, with_groups=False))
    if stored not in fresh:
        report.problems.append(
            "pyproject.toml changed since poetry.lock was written (its content-hash does not match): "
            "`poetry install` refuses it ('pyproject.toml changed significantly since poetry.lock was last "
            "generated')"
        )
    declared = pep621(manifest, report) + poetry_tables(manifest, report)
    report.problems += unsatisfied(declared, locked, "poetry")


def content_hash(manifest: dict[str, Any], *, with_groups: bool) -> str:
    """poetry's ``Locker._get_content_hash`` (Poetry 2.x)."""
    project = manifest.get("project") or {}
    groups = manifest.get("dependency-groups") or {} if with_groups else {}
    tool = (manifest.get("tool") or {}).get("poetry") or {}
    relevant_project = {key: project[key] for key in _PROJECT if project.get(key) is not None}
    relevant_poetry: dict[str, Any] = {}
    for key in _RELEVANT:
        data = tool.get(key)
        if data is None and (key not in _LEGACY or relevant_project or groups):
            continue
        relevant_poetry[key] = data
    content: dict[str, Any] = {}
    if relevant_project:
        content["project"] = relevant_project
    if groups:
        content["dependency-groups"] = groups
    if content:
        content["tool"] = {"poetry": relevant_poetry}
    else:
        content = relevant_poetry  # poetry's backwards-compatible layout: [tool.poetry] at the top
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _written_before_2_3(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
    except OSError:
        return False
    match = _WRITER.search(first)
    if match is None:
        return True  # Poetry 1.x wrote no version in its header
    try:
        return Version(match.group(1)) < Version("2.3.0")
    except InvalidVersion:
        return False
