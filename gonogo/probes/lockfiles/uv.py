"""uv.lock against pyproject.toml, as ``uv lock --check`` judges it.

uv records, on the project's own package (``source = { editable = "." }`` or ``{ virtual = "." }``), the
requirements it locked for: ``[package.metadata] requires-dist`` (dependencies and extras) and
``[package.metadata.requires-dev]`` (dependency groups). The lock is out of date when pyproject.toml
declares a requirement that is not recorded there, records one that pyproject.toml dropped, or changed
its specifier; and every declared requirement must be satisfied by a locked version (a dependency that is
locked only because a dev tool needs it is not locked *for the project*).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from gonogo.probes.lockfiles import reading
from gonogo.probes.lockfiles.pyreq import Declared, locked_packages, pep621, unsatisfied
from gonogo.probes.lockfiles.report import LockReport


def check(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "toml")
    if lock is None:
        return
    packages, locked = locked_packages(lock, report, needs_version=lambda entry: not _is_local(entry))
    if not packages:
        report.problems.append("locks no packages ([[package]] tables)")
    manifest = reading.manifest(path.with_name("pyproject.toml"), report, "toml")
    if manifest is None:
        return
    declared = pep621(manifest, report)
    own_name = canonicalize_name(str((manifest.get("project") or {}).get("name", "")))
    root = next(
        (e for e in packages if _is_root(e) and canonicalize_name(str(e.get("name", ""))) == own_name), None
    )
    if root is None:
        report.notes.append("the project itself is not in the lock: only the locked versions are compared")
    else:
        report.problems += _recorded_differences(root, declared)
        # the project's own dependency lists: the dev tool's dependency does not count for the project
        report.problems += _not_a_project_dependency(root, declared)
    report.problems += unsatisfied(declared, locked, "uv")


def _is_local(entry: dict[str, Any]) -> bool:
    source = entry.get("source")
    return isinstance(source, dict) and bool({"editable", "virtual", "directory", "path"} & set(source))


def _is_root(entry: dict[str, Any]) -> bool:
    source = entry.get("source")
    return isinstance(source, dict) and (source.get("editable") == "." or source.get("virtual") == ".")


def _recorded(root: dict[str, Any]) -> dict[tuple[str, str], SpecifierSet | None] | None:
    """(group, name) -> specifier as uv recorded them; None for locks older than [package.metadata]."""
    metadata = root.get("metadata")
    if not isinstance(metadata, dict):
        return None
    out: dict[tuple[str, str], SpecifierSet | None] = {}
    for item in metadata.get("requires-dist") or []:
        marker = str(item.get("marker", ""))
        group = "extra" if "extra ==" in marker else "dependencies"
        out[(group, canonicalize_name(item["name"]))] = _spec(item.get("specifier"))
    for group, items in (metadata.get("requires-dev") or {}).items():
        for item in items or []:
            out[(f"group {group}", canonicalize_name(item["name"]))] = _spec(item.get("specifier"))
    return out


def _kind(declared: Declared) -> str:
    if declared.group == "[project].dependencies":
        return "dependencies"
    if declared.group.startswith("[project.optional-dependencies]"):
        return "extra"
    return "group " + declared.group.split("].", 1)[1]


def _recorded_differences(root: dict[str, Any], declared: list[Declared]) -> list[str]:
    recorded = _recorded(root)
    if recorded is None:
        return []
    problems: list[str] = []
    wanted: dict[tuple[str, str], SpecifierSet] = {}
    for item in declared:
        key = (_kind(item), item.name)
        wanted[key] = item.specifiers[0] if item.specifiers else SpecifierSet()
        if key not in recorded:
            problems.append(f"{item.name} ({item.group}) is declared but the lock was not made for it")
        elif (recorded[key] or SpecifierSet()) != wanted[key]:
            problems.append(
                f"{item.name} ({item.group}): pyproject.toml wants {wanted[key] or 'any version'}, "
                f"the lock was made for {recorded[key] or 'any version'}"
            )
    for kind, name in sorted(set(recorded) - set(wanted)):
        problems.append(f"{name} ({kind}) is in the lock's requirements but no longer in pyproject.toml")
    return problems


def _not_a_project_dependency(root: dict[str, Any], declared: list[Declared]) -> list[str]:
    if isinstance(root.get("metadata"), dict):
        return []  # the recorded requirements above already say it, with the specifier
    direct = {canonicalize_name(d["name"]) for d in root.get("dependencies") or [] if isinstance(d, dict)}
    for items in (root.get("optional-dependencies") or {}).values():
        direct |= {canonicalize_name(d["name"]) for d in items or [] if isinstance(d, dict)}
    for items in (root.get("dev-dependencies") or {}).values():
        direct |= {canonicalize_name(d["name"]) for d in items or [] if isinstance(d, dict)}
    return [
        f"{item.name} ({item.group}) is locked only as a dependency of another package, not for the project"
        for item in declared
        if item.name not in direct and not item.has_marker
    ]


def _spec(text: Any) -> SpecifierSet | None:
    try:
        return SpecifierSet(str(text)) if text else None
    except InvalidSpecifier:
        return None
