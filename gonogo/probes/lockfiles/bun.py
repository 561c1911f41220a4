"""bun.lock (bun 1.2+, text: JSON with trailing commas, ``lockfileVersion`` 0 or 1) against package.json,
as ``bun install --frozen-lockfile`` judges it.

bun records each workspace (``""`` is the root) with the dependency sections of its package.json, and
refuses a frozen install when they differ from package.json (the same names, sections and spec text).
Each dependency must have a ``packages`` entry, whose ``name@version`` the declared range accepts.
``bun.lockb`` (bun's earlier binary lock) is refused with the way to convert it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gonogo.probes.lockfiles import jsdeps, reading
from gonogo.probes.lockfiles.report import LockReport


def check(path: Path, report: LockReport) -> None:
    if path.suffix == ".lockb":
        report.refuse(
            "bun.lockb is bun's binary lock, which gonogo does not read: convert it with "
            "`bun install --save-text-lockfile` (bun 1.1.39+; the default from bun 1.2) and commit bun.lock"
        )
        return
    lock = reading.document(path, report, "jsonc")
    if lock is None:
        return
    if lock.get("lockfileVersion") not in (0, 1):
        report.refuse(f"lockfileVersion {lock.get('lockfileVersion')!r} is not read (0 or 1)")
        return
    packages = lock.get("packages") or {}
    workspaces = lock.get("workspaces") or {}
    report.entries = len(packages)
    for key, entry in packages.items():
        if not (isinstance(entry, list) and entry and isinstance(entry[0], str) and "@" in entry[0][1:]):
            report.problems.append(f"{key} has no resolved name@version")
    top = reading.manifest(path.with_name("package.json"), report, "json")
    if top is None:
        return
    manifests = {"": top}
    for folder in jsdeps.workspace_folders(path.parent, top):
        workspace = reading.manifest(path.parent / folder / "package.json", report, "json")
        if workspace is not None:
            manifests[folder] = workspace
    names = {str(m.get("name")) for m in manifests.values() if m.get("name")}
    for folder, manifest in manifests.items():
        recorded = workspaces.get(folder)
        who = f"{folder}/package.json" if folder else "package.json"
        if not isinstance(recorded, dict):
            report.problems.append(f"workspace {folder or '(root)'} is not in the lock")
            continue
        report.problems += _differences(who, manifest, recorded)
        report.problems += _unresolved(who, folder, manifest, packages, names)


def _differences(who: str, manifest: dict[str, Any], recorded: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for section in (*jsdeps.SECTIONS, "peerDependencies"):
        wanted = manifest.get(section) or {}
        have = recorded.get(section) or {}
        for name in sorted(set(wanted) | set(have)):
            if name not in have:
                problems.append(f"{name} ({section} of {who}) is not in the lock")
            elif name not in wanted:
                problems.append(f"{name} is in the lock's {section} but no longer in {who}")
            elif str(have[name]) != str(wanted[name]):
                problems.append(f"{name}: {who} says {wanted[name]!r}, the lock was made for {have[name]!r}")
    return problems


def _unresolved(
    who: str, folder: str, manifest: dict[str, Any], packages: dict[str, Any], names: set[str]
) -> list[str]:
    problems: list[str] = []
    for name, spec in sorted(jsdeps.declared(manifest).items()):
        entry = packages.get(f"{folder}/{name}") if folder else None
        entry = entry or packages.get(name)
        if entry is None:
            if name not in names:
                problems.append(f"{name} ({who}) has no entry in packages")
            continue
        resolution = str(entry[0]) if isinstance(entry, list) and entry else ""
        version = resolution.rpartition("@")[2]
        if version and jsdeps.satisfies(version, spec) is False:
            problems.append(f"{name}: {who} wants {spec}, the lock has {version}")
    return problems
