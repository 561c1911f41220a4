"""Pipfile.lock against Pipfile, as ``pipenv verify`` and ``pipenv install --deploy`` judge it.

pipenv stores ``_meta.hash.sha256``: the sha256 of the Pipfile's sources, requires, packages and
dev-packages (and any other package categories) as compact sorted JSON. pipenv 2026 canonicalizes the
package names first (``pipenv/utils/pipfile.py`` ``calculate_hash``); earlier pipenv hashed them as
written (plette ``Pipfile.get_hash``). Either hash is accepted: the pipenv that wrote the lock agrees
with it; when only the earlier one matches, a note says that current pipenv asks for ``pipenv lock``.
Every locked entry must be pinned (``"version": "==x"``, or a VCS entry with a ``ref``), and every
Pipfile package satisfied by its section.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from gonogo.probes.lockfiles import reading
from gonogo.probes.lockfiles.pyreq import Declared, from_pep508, unsatisfied
from gonogo.probes.lockfiles.report import LockReport

#: Pipfile sections that are not package categories (plette PIPFILE_SECTIONS, less the packages)
_NOT_CATEGORIES = ("source", "requires", "scripts", "pipfile", "pipenv", "packages", "dev-packages")
_DEFAULT_SOURCE = [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}]
_VCS = ("git", "hg", "svn", "bzr")


def check(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "json")
    if lock is None:
        return
    categories = {key: value for key, value in lock.items() if key != "_meta" and isinstance(value, dict)}
    locked: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for category, entries in categories.items():
        for name, entry in entries.items():
            report.entries += 1
            version = str(entry.get("version", "")) if isinstance(entry, dict) else ""
            if version.startswith("=="):
                locked[category][canonicalize_name(name)].append(version[2:])
            elif _direct_pin(entry):
                locked[category].setdefault(canonicalize_name(name), [])  # locked, at what it points to
            else:
                report.problems.append(f'{name} ({category}) is not pinned to a version ("version": "==...")')
    manifest = reading.manifest(path.with_name("Pipfile"), report, "toml")
    if manifest is None:
        return
    stored = str(((lock.get("_meta") or {}).get("hash") or {}).get("sha256", ""))
    if stored == pipfile_hash(manifest, canonical=False) != pipfile_hash(manifest, canonical=True):
        report.notes.append(
            "the lock's hash is the one pipenv wrote before 2026 (names as written): it agrees with the "
            "Pipfile, but current pipenv's `pipenv verify` asks for `pipenv lock`"
        )
    elif stored != pipfile_hash(manifest, canonical=True):
        report.problems.append(
            "Pipfile changed since Pipfile.lock was written (_meta.hash does not match): "
            "`pipenv verify` and `pipenv install --deploy` refuse it"
        )
    for section, category in (("packages", "default"), ("dev-packages", "develop")):
        declared = [
            d for d in _declared(manifest.get(section) or {}, f"[{section}]", report) if d is not None
        ]
        report.problems += unsatisfied(declared, dict(locked[category]), "pipenv")


def _direct_pin(entry: object) -> bool:
    """A VCS entry at a ref, or a path / file entry: pinned by what it points at."""
    if not isinstance(entry, dict):
        return False
    vcs = any(key in entry for key in _VCS) and bool(entry.get("ref"))
    return vcs or bool(entry.get("path") or entry.get("file"))


def pipfile_hash(manifest: dict[str, Any], *, canonical: bool) -> str:
    """pipenv's Pipfile hash; ``canonical``: with PEP 503 names, as pipenv 2026 computes it."""

    def names(section: Any) -> Any:
        if not canonical or not isinstance(section, dict):
            return section
        return {canonicalize_name(str(key)): value for key, value in section.items()}

    data: dict[str, Any] = {
        "_meta": {
            "sources": manifest.get("source", _DEFAULT_SOURCE),
            "requires": manifest.get("requires", {}),
        },
        "default": names(manifest.get("packages", {})),
        "develop": names(manifest.get("dev-packages", {})),
    }
    for category, values in manifest.items():
        if category not in _NOT_CATEGORIES and category not in ("default", "develop"):
            data[category] = names(values)
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _declared(section: dict[str, Any], where: str, report: LockReport) -> list[Declared | None]:
    out: list[Declared | None] = []
    for name, value in section.items():
        spec = value.get("version", "*") if isinstance(value, dict) else value
        if (
            isinstance(value, dict)
            and not value.get("version")
            and any(k in value for k in (*_VCS, "path", "file"))
        ):
            spec = "*"  # a VCS, path or file requirement: any version it has
        text = name if str(spec).strip() in ("*", "") else f"{name}{spec}"
        out.append(from_pep508(where, text, report))
    return out
