"""package-lock.json / npm-shrinkwrap.json (lockfileVersion 2 and 3, npm 7+) against package.json.

As ``npm ci`` judges it (arborist's ``validateLockfile`` compares the tree the lock describes with the
one package.json asks for): every dependency the root and each workspace declare must be locked, at the
workspace's own ``node_modules`` or hoisted to the root's, with a version the declared range accepts.
The lock's copy of the ranges (``packages[""]``) may lag behind: npm ci accepts that while the locked
version still satisfies package.json. Links carry no version of their own: a link to a workspace is
judged by the version of that workspace's folder entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gonogo.probes.lockfiles import jsdeps, reading
from gonogo.probes.lockfiles.report import LockReport


def check(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "json")
    if lock is None:
        return
    version = lock.get("lockfileVersion")
    if version not in (2, 3):
        report.refuse(
            f"lockfileVersion {version!r} is not read (2 or 3, written by npm 7+): "
            "run `npm install --lockfile-version 3` with npm 7 or later and commit it"
        )
        return
    packages = lock.get("packages")
    if not isinstance(packages, dict):
        report.refuse('has no "packages" object')
        return
    entries = {key: value for key, value in packages.items() if key and isinstance(value, dict)}
    report.entries = len(entries)
    for key, entry in sorted(entries.items()):
        installed = key.startswith("node_modules/") or "/node_modules/" in key
        if installed and "version" not in entry and not entry.get("link"):
            report.problems.append(f"{key} has no version")
    manifest = reading.manifest(path.with_name("package.json"), report, "json")
    if manifest is None:
        return
    root = path.parent
    importers = [("", manifest)]
    for folder in jsdeps.workspace_folders(root, manifest):
        workspace = reading.manifest(root / folder / "package.json", report, "json")
        if workspace is not None:
            importers.append((folder, workspace))
            if folder not in entries:
                report.problems.append(f"workspace {folder} is not in the lock")
    workspace_names = {str(m.get("name")): folder for folder, m in importers if folder and m.get("name")}
    for folder, declaring in importers:
        report.problems += _unmet(folder, declaring, entries, workspace_names)


def _unmet(
    folder: str, manifest: dict[str, Any], entries: dict[str, Any], workspaces: dict[str, str]
) -> list[str]:
    problems: list[str] = []
    who = f"workspace {folder}" if folder else "package.json"
    for name, spec in sorted(jsdeps.declared(manifest).items()):
        node = _resolve(folder, name, entries)
        if node is None:
            if name not in workspaces:
                problems.append(
                    f"{name} ({spec}, {who}) is not locked: npm ci reports it missing from the lock file"
                )
            continue
        if node.get("link"):
            # a link to a workspace: the version is that workspace's own (its folder entry)
            node = entries.get(str(node.get("resolved", ""))) or {}
        locked = str(node.get("version", ""))
        ok = jsdeps.satisfies(locked, spec) if locked else None
        if ok is False:
            problems.append(
                f"{name}: {who} wants {spec}, the lock has {locked}: npm ci reports the lock invalid"
            )
    return problems


def _resolve(folder: str, name: str, entries: dict[str, Any]) -> dict[str, Any] | None:
    # node's resolution: the workspace's own node_modules first, then the root's
    for key in ((f"{folder}/node_modules/{name}",) if folder else ()) + (f"node_modules/{name}",):
        if key in entries:
            return entries[key]  # type: ignore[no-any-return]
    return None
