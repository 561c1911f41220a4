"""pdm.lock against pyproject.toml, as ``pdm lock --check`` judges it.

pdm stores ``[metadata] content_hash = "sha256:..."``, the hash of the pyproject.toml content that matters
to locking (pdm ``project/project_file.py`` ``content_hash``: sources, dependencies, dev-dependencies and
dependency-groups, optional-dependencies, requires-python, resolution). Locks of lock_version 4.x were
hashed by earlier pdm releases with ``resolution.overrides`` in place of ``resolution``; that hash is
accepted too, since the pdm that wrote the lock agrees with it (pdm 2.29 itself refuses such locks until
they are relocked). Besides, every declared requirement must be satisfied by a locked version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from gonogo.probes.lockfiles import reading
from gonogo.probes.lockfiles.pyreq import from_pep508, locked_packages, pep621, unsatisfied
from gonogo.probes.lockfiles.report import LockReport


def check(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "toml")
    if lock is None:
        return
    _, locked = locked_packages(
        lock, report, needs_version=lambda entry: not entry.get("path") and not entry.get("editable")
    )
    manifest = reading.manifest(path.with_name("pyproject.toml"), report, "toml")
    if manifest is None:
        return
    stored = str((lock.get("metadata") or {}).get("content_hash", ""))
    algo, _, value = stored.partition(":")
    if value and value == content_hash(manifest, algo, legacy=True) != content_hash(
        manifest, algo, legacy=False
    ):
        report.notes.append(
            "the lock's content_hash is the one earlier pdm releases wrote: it agrees with pyproject.toml, "
            "but current pdm's `pdm lock --check` asks for `pdm lock`"
        )
    elif not value or value != content_hash(manifest, algo, legacy=False):
        report.problems.append(
            "pyproject.toml changed since pdm.lock was written (its content_hash does not match): "
            "`pdm lock --check` fails"
        )
    declared = pep621(manifest, report)
    settings = (manifest.get("tool") or {}).get("pdm") or {}
    for group, items in (settings.get("dev-dependencies") or {}).items():
        for text in items or []:
            if (item := from_pep508(f"[tool.pdm.dev-dependencies].{group}", text, report)) is not None:
                declared.append(item)
    report.problems += unsatisfied(declared, locked, "pdm")


def content_hash(manifest: dict[str, Any], algo: str, *, legacy: bool) -> str:
    project = manifest.get("project") or {}
    settings = (manifest.get("tool") or {}).get("pdm") or {}
    groups: dict[str, list[Any]] = {}
    for group, deps in (manifest.get("dependency-groups") or {}).items():
        groups[_normalize(group)] = list(deps)
    for group, deps in (settings.get("dev-dependencies") or {}).items():
        groups.setdefault(_normalize(group), []).extend(deps)
    data: dict[str, Any] = {
        "sources": settings.get("source", []),
        "dependencies": project.get("dependencies", []),
        "dev-dependencies": settings.get("dev-dependencies", {}) if legacy else groups,
        "optional-dependencies": project.get("optional-dependencies", {}),
        "requires-python": project.get("requires-python", ""),
    }
    if legacy:
        data["overrides"] = (settings.get("resolution") or {}).get("overrides", {})
    else:
        data["resolution"] = settings.get("resolution", {})
    try:
        hasher = hashlib.new(algo or "sha256")
    except ValueError:
        return ""
    hasher.update(json.dumps(data, sort_keys=True).encode("utf-8"))
    return hasher.hexdigest()


def _normalize(name: str) -> str:
    return canonicalize_name(name)
