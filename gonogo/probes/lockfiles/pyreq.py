"""What a pyproject.toml (or Pipfile) declares, by group, and whether locked versions satisfy it.

Specifiers and markers are read with ``packaging``, as pip, uv, pdm and pipenv read them. Poetry's own
constraint syntax (``^1.2``, ``~1.2.3``, ``1.2.*``, ``>=1,<2 || 3.*``) is translated to PEP 440 the way
poetry-core's ``parse_constraint`` reads it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from gonogo.probes.lockfiles.report import LockReport


@dataclass(frozen=True)
class Declared:
    """One declared dependency: where (group), the canonical name, and the ranges it accepts (any of)."""

    group: str
    name: str
    #: any one of these must hold (poetry's ``||``); empty: any version
    specifiers: tuple[SpecifierSet, ...]
    has_marker: bool = False
    text: str = ""

    def accepts(self, version: str) -> bool:
        if not self.specifiers:
            return True
        try:
            parsed = Version(version)
        except InvalidVersion:
            return False
        return any(spec.contains(parsed, prereleases=True) for spec in self.specifiers)

    @property
    def wanted(self) -> str:
        return " || ".join(str(spec) for spec in self.specifiers) or "any version"


def pep621(
    manifest: dict[str, Any], report: LockReport, *, groups_label: str = "dependency-groups"
) -> list[Declared]:
    """[project].dependencies, optional-dependencies and [dependency-groups] (PEP 735, include-group)."""
    project = manifest.get("project") or {}
    own = canonicalize_name(str(project["name"])) if project.get("name") else None
    found: list[Declared] = []
    lists: list[tuple[str, Any]] = [("[project].dependencies", project.get("dependencies") or [])]
    for extra, items in (project.get("optional-dependencies") or {}).items():
        lists.append((f"[project.optional-dependencies].{extra}", items))
    groups = manifest.get("dependency-groups") or {}
    for group in groups:
        lists.append((f"[{groups_label}].{group}", _expand_group(groups, group, set())))
    for where, items in lists:
        for text in items if isinstance(items, list) else []:
            declared = from_pep508(where, text, report)
            if declared is not None and declared.name != own:  # "pkg[extra]" refers back to the project
                found.append(declared)
    return found


def from_pep508(where: str, text: Any, report: LockReport) -> Declared | None:
    if not isinstance(text, str):
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        report.problems.append(f"{where}: cannot parse {text!r}: {exc}")
        return None
    specifiers = (requirement.specifier,) if str(requirement.specifier) else ()
    return Declared(
        where, canonicalize_name(requirement.name), specifiers, requirement.marker is not None, text
    )


def _expand_group(groups: dict[str, Any], name: str, seen: set[str]) -> list[Any]:
    # PEP 735: {include-group = "other"} entries pull another group's requirements in
    if name in seen:
        return []
    seen.add(name)
    out: list[Any] = []
    for item in groups.get(name) or []:
        if isinstance(item, dict) and isinstance(item.get("include-group"), str):
            out += _expand_group(groups, item["include-group"], seen)
        else:
            out.append(item)
    return out


def poetry_tables(manifest: dict[str, Any], report: LockReport) -> list[Declared]:
    """[tool.poetry.dependencies], dev-dependencies and group.<name>.dependencies."""
    poetry = (manifest.get("tool") or {}).get("poetry") or {}
    tables: list[tuple[str, Any]] = [
        ("[tool.poetry.dependencies]", poetry.get("dependencies")),
        ("[tool.poetry.dev-dependencies]", poetry.get("dev-dependencies")),
    ]
    for group, body in (poetry.get("group") or {}).items():
        tables.append((f"[tool.poetry.group.{group}.dependencies]", (body or {}).get("dependencies")))
    found: list[Declared] = []
    for where, table in tables:
        for name, value in (table or {}).items() if isinstance(table, dict) else []:
            if name.lower() == "python":  # the interpreter constraint, not a package
                continue
            found.append(_poetry_entry(where, name, value, report))
    return found


def _poetry_entry(where: str, name: str, value: Any, report: LockReport) -> Declared:
    options = value if isinstance(value, list) else [value]
    specs: list[SpecifierSet] = []
    marker = False
    for option in options:
        constraint = option
        if isinstance(option, dict):
            marker |= bool(option.get("markers") or option.get("python") or option.get("platform"))
            if not option.get("version"):
                specs = []  # a path, url or git dependency: any version it has
                break
            constraint = option["version"]
        try:
            specs += poetry_constraint(str(constraint))
        except (InvalidSpecifier, ValueError):
            report.notes.append(
                f"{where}: {name} = {constraint!r} is not a constraint gonogo reads; its version not compared"
            )
            specs = []
            break
    any_version = any(not str(s) for s in specs)
    return Declared(
        where, canonicalize_name(name), () if any_version else tuple(specs), marker, f"{name} = {value!r}"
    )


_CARET = re.compile(r"^\^\s*(\d+(?:\.\d+)*)(.*)$")
_TILDE = re.compile(r"^~(?!=)\s*(\d+(?:\.\d+)*)(.*)$")
_WILD = re.compile(r"^(?:==\s*)?(\d+(?:\.\d+)*)\.\*$")
_BARE = re.compile(r"^\d+(?:\.\d+)*(?:[a-zA-Z0-9.+-]*)$")


def poetry_constraint(text: str) -> list[SpecifierSet]:
    """poetry-core's constraint syntax as PEP 440 specifier sets, any one of which must hold."""
    out: list[SpecifierSet] = []
    for alternative in re.split(r"\s*\|\|?\s*", text.strip()):
        parts = [part for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", alternative) if part]
        out.append(SpecifierSet(",".join(_one(part) for part in parts if _one(part))))
    return out


def _one(part: str) -> str:
    part = part.strip()
    if part in ("*", ""):
        return ""
    if match := _CARET.match(part):
        release = [int(x) for x in match.group(1).split(".")]
        upper = _bump(release, next((i for i, n in enumerate(release) if n != 0), len(release) - 1))
        return f">={match.group(1)}{match.group(2)},<{upper}"
    if match := _TILDE.match(part):
        release = [int(x) for x in match.group(1).split(".")]
        upper = _bump(release, 0 if len(release) == 1 else 1)
        return f">={match.group(1)}{match.group(2)},<{upper}"
    if match := _WILD.match(part):
        return f"=={match.group(1)}.*"
    if _BARE.match(part):
        return f"=={part}"
    return part.replace(" ", "")


def _bump(release: list[int], index: int) -> str:
    bumped = release[: index + 1]
    bumped[index] += 1
    return ".".join(map(str, bumped))


def locked_packages(
    lock: dict[str, Any], report: LockReport, *, needs_version: Callable[[dict[str, Any]], bool]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """A Python lock's ``[[package]]`` tables (counted in the report) and canonical name -> locked versions.

    A package without a version is a problem when ``needs_version`` says the tool requires one for it
    (a local path or editable project may go without).
    """
    packages = [entry for entry in lock.get("package") or [] if isinstance(entry, dict)]
    report.entries = len(packages)
    locked: dict[str, list[str]] = defaultdict(list)
    for entry in packages:
        name = str(entry.get("name", ""))
        if not entry.get("version"):
            if needs_version(entry):
                report.problems.append(f"{name or 'a [[package]]'} has no version")
        elif name:
            locked[canonicalize_name(name)].append(str(entry["version"]))
    return packages, locked


def unsatisfied(declared: list[Declared], locked: dict[str, list[str]], tool: str) -> Iterator[str]:
    """Why each declared requirement is not met by the locked versions (name -> versions)."""
    for item in declared:
        versions = locked.get(item.name)
        if versions == [] and not item.specifiers:
            continue  # locked from a path or VCS ref, and any version is wanted
        if not versions:
            if not item.has_marker:  # a marker-limited requirement may be left out of a platform's lock
                yield f"{item.name} ({item.group}) is not locked"
            continue
        if not any(item.accepts(version) for version in versions):
            yield f"{item.name}: {item.group} wants {item.wanted}, the lock has {', '.join(versions)}"
