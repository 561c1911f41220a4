"""pnpm-lock.yaml (lockfileVersion 5.3 to 9.x) against package.json, as ``pnpm install --frozen-lockfile``
(CI's default) judges it.

pnpm's ``satisfiesPackageManifest`` compares each importer (the root ``.`` and every workspace folder)
with its package.json: the same dependencies in the same sections, each with the *same specifier text*
(pnpm does not re-read ranges: ``^1.2.0`` in package.json against ``^1.1.0`` in the lock is outdated even
when 1.2.3 is locked). Every resolved version must be in ``packages``.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Any

from gonogo.probes.lockfiles import jsdeps, reading
from gonogo.probes.lockfiles.report import LockReport

_PEERS = re.compile(r"\(.*\)$")


def check(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "yaml")
    if lock is None:
        return
    version, major = reading.format_version(lock, "lockfileVersion", float)
    if major is None or not 5.3 <= major < 10:
        report.refuse(
            f"lockfileVersion {version!r} is not read (5.3 to 9.x): run `pnpm install` with pnpm 7+"
        )
        return
    packages = lock.get("packages") or {}
    report.entries = len(packages)
    found = lock.get("importers")
    importers: dict[str, Any] = found if isinstance(found, dict) else {".": lock}
    root = path.parent
    manifests: dict[str, dict[str, Any]] = {}
    top = reading.manifest(root / "package.json", report, "json")
    if top is None:
        return
    manifests["."] = top
    for folder in _workspace_folders(root):
        workspace = reading.manifest(root / folder / "package.json", report, "json")
        if workspace is not None:
            manifests[folder] = workspace
    for folder, manifest in manifests.items():
        importer = importers.get(folder)
        if not isinstance(importer, dict):
            report.problems.append(f"importer {folder} is not in the lock (a new workspace?)")
            continue
        report.problems += _importer_problems(folder, manifest, importer, major)
        report.problems += _unresolved(folder, importer, packages, major)


def _importer_problems(
    folder: str, manifest: dict[str, Any], importer: dict[str, Any], major: float
) -> list[str]:
    problems: list[str] = []
    who = "package.json" if folder == "." else f"{folder}/package.json"
    locked = _locked_specifiers(importer, major)
    for section, wanted in jsdeps.by_section(manifest).items():
        for name, spec in sorted(wanted.items()):
            have = locked.get(name)
            if have is None:
                problems.append(f"{name} ({section} of {who}) is not in the lock's importer {folder}")
            elif have[1] != spec:
                problems.append(f"{name}: {who} says {spec!r}, the lock was made for {have[1]!r}")
            elif have[0] != section:
                problems.append(f"{name}: {who} has it in {section}, the lock in {have[0]}")
    declared = jsdeps.declared(manifest)
    for name in sorted(set(locked) - set(declared)):
        problems.append(f"{name} is in the lock's importer {folder} but no longer in {who}")
    return problems


def _locked_specifiers(importer: dict[str, Any], major: float) -> dict[str, tuple[str, str]]:
    """name -> (section, specifier) as the lock recorded them."""
    out: dict[str, tuple[str, str]] = {}
    specifiers = importer.get("specifiers") if major < 6 else None
    for section in jsdeps.SECTIONS:
        for name, value in (importer.get(section) or {}).items():
            spec = value.get("specifier") if isinstance(value, dict) else (specifiers or {}).get(name)
            out[str(name)] = (section, str(spec))
    return out


def _unresolved(folder: str, importer: dict[str, Any], packages: dict[str, Any], major: float) -> list[str]:
    problems: list[str] = []
    for section in jsdeps.SECTIONS:
        for name, value in (importer.get(section) or {}).items():
            resolved = str(value.get("version") if isinstance(value, dict) else value)
            resolved = _PEERS.sub("", resolved)
            if ":" in resolved or "/" in resolved:
                continue  # link:, file:, a tarball or an alias: not a registry package entry
            keys = (f"{name}@{resolved}", f"/{name}@{resolved}", f"/{name}/{resolved}")
            if not any(key in packages for key in keys):
                problems.append(f"{name}@{resolved} ({folder}) has no entry in packages")
    return problems


def _workspace_folders(root: Path) -> list[str]:
    workspace = root / "pnpm-workspace.yaml"
    if not workspace.is_file():
        return []
    report = LockReport(workspace, "pnpm-lock.yaml")
    data = reading.document(workspace, report, "yaml") or {}
    folders: set[str] = set()
    for pattern in data.get("packages") or []:
        if str(pattern).startswith("!"):
            continue
        for match in glob.glob(os.path.join(glob.escape(str(root)), str(pattern))):
            if Path(match, "package.json").is_file() and Path(match) != root:
                folders.add(Path(match).relative_to(root).as_posix())
    return sorted(folders)
