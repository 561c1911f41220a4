"""Dependency pins: a lock file pins every dependency, and agrees with its manifest where that is checkable.

The kind of file comes from its name:

* ``package-lock.json`` / ``npm-shrinkwrap.json`` (lockfileVersion 2 or 3): every name the sibling
  ``package.json`` declares (dependencies, devDependencies, optionalDependencies) is in the lock's root
  entry with the same range and is locked under ``node_modules/``; the lock declares nothing the manifest
  dropped. That is what ``npm ci`` refuses to install.
* ``uv.lock`` / ``poetry.lock``: every package has a version; every dependency the sibling
  ``pyproject.toml`` declares is a locked package.
* anything else is requirements-style (pip): every requirement pinned with ``==``; ``-r``/``-c`` files
  are followed; if any requirement carries ``--hash`` (or the file says ``--require-hashes``), all must,
  because pip then refuses the whole install.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from gonogo.probes.files import bounded

NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json")
NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
#: lock formats this module does not read: named so they fail clearly instead of being misread as
#: requirements files
UNSUPPORTED = (
    "yarn.lock",
    "pnpm-lock.yaml",
    "Pipfile.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
)
_STRUCTURED = (".json", ".yaml", ".yml", ".toml")


@dataclass
class LockReport:
    """What a lock file holds and what is wrong with it."""

    path: Path
    kind: str
    #: packages (or requirement lines) the file pins
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    #: what could not be compared (no manifest beside the lock), said in the report, not a failure
    notes: list[str] = field(default_factory=list)

    def message(self, shown: str) -> str | None:
        if not self.problems:
            return None
        return (
            f"{shown} ({self.kind}): {len(self.problems)} problem(s): {bounded(self.problems)}. "
            f"Fix: {_FIXES[self.kind]}"
        )


_FIXES = {
    "requirements": "pin every line with == (pip-compile / uv pip compile, with --generate-hashes if "
    "hashes are used) and commit the result",
    "package-lock.json": "run `npm install` and commit package.json and package-lock.json together",
    "uv.lock": "run `uv lock` and commit pyproject.toml and uv.lock together",
    "poetry.lock": "run `poetry lock` and commit pyproject.toml and poetry.lock together",
    "unsupported": "list only requirements-style files, package-lock.json, uv.lock or poetry.lock in "
    "[precheck].lockfiles",
}


def check(path: Path) -> LockReport:
    """Read a lock file by its kind and list its problems (a missing file is one)."""
    kind = kind_of(path)
    report = LockReport(path, kind)
    if not path.is_file():
        report.problems.append(f"{path} does not exist")
        return report
    if kind == "unsupported":
        report.problems.append(
            f"{path.name} is not a lock format gonogo reads (requirements-style, package-lock.json, "
            f"uv.lock, poetry.lock)"
        )
    elif kind == "package-lock.json":
        _check_npm(path, report)
    elif kind in ("uv.lock", "poetry.lock"):
        _check_python_lock(path, report)
    else:
        _check_requirements(path, report)
    return report


def kind_of(path: Path) -> str:
    if path.name in NPM_LOCKS:
        return "package-lock.json"
    if path.name in ("uv.lock", "poetry.lock"):
        return path.name
    if path.name in UNSUPPORTED or path.suffix.lower() in _STRUCTURED:
        return "unsupported"
    return "requirements"


# --- npm -------------------------------------------------------------------------------------


def _check_npm(path: Path, report: LockReport) -> None:
    data = _read_json(path, report)
    if data is None:
        return
    version = data.get("lockfileVersion")
    if version not in (2, 3):
        report.problems.append(
            f"lockfileVersion {version!r} is not supported (2 or 3, written by npm 7+): regenerate it"
        )
        return
    packages = data.get("packages")
    if not isinstance(packages, dict):
        report.problems.append('has no "packages" object')
        return
    locked = {key: value for key, value in packages.items() if key and isinstance(value, dict)}
    report.entries = len(locked)
    for key, entry in sorted(locked.items()):
        if "version" not in entry and not entry.get("link"):
            report.problems.append(f"{key} has no version")
    root = packages.get("", {})
    lock_declared = _npm_declared(root if isinstance(root, dict) else {})
    manifest_path = path.with_name("package.json")
    if not manifest_path.is_file():
        report.notes.append("no package.json beside it: consistency with the manifest not checked")
        return
    manifest = _read_json(manifest_path, report)
    if manifest is None:
        return
    declared = _npm_declared(manifest)
    for name, spec in sorted(declared.items()):
        if name not in lock_declared:
            report.problems.append(f"{name} ({spec}) is in package.json but not in the lock's root entry")
        elif lock_declared[name] != spec:
            report.problems.append(
                f"{name}: package.json wants {spec!r}, the lock was made for {lock_declared[name]!r}"
            )
        if f"node_modules/{name}" not in locked:
            report.problems.append(f"{name} is declared but not locked (no node_modules/{name} entry)")
    for name in sorted(set(lock_declared) - set(declared)):
        report.problems.append(f"{name} is in the lock's root entry but no longer in package.json")


def _npm_declared(document: dict[str, Any]) -> dict[str, str]:
    declared: dict[str, str] = {}
    for section in NPM_SECTIONS:
        entries = document.get(section)
        if isinstance(entries, dict):
            declared.update({str(name): str(spec) for name, spec in entries.items()})
    return declared


def _read_json(path: Path, report: LockReport) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(f"{path.name} cannot be read: {exc}")
        return None
    except json.JSONDecodeError as exc:
        report.problems.append(f"{path.name} is not valid JSON: {exc}")
        return None
    if not isinstance(data, dict):
        report.problems.append(f"{path.name} is not a JSON object")
        return None
    return data


# --- uv.lock / poetry.lock -------------------------------------------------------------------


def _check_python_lock(path: Path, report: LockReport) -> None:
    data = _read_toml(path, report)
    if data is None:
        return
    packages = [entry for entry in data.get("package", []) if isinstance(entry, dict)]
    report.entries = len(packages)
    if not packages:
        report.problems.append("locks no packages ([[package]] tables)")
    locked: set[str] = set()
    for entry in packages:
        name = str(entry.get("name", ""))
        if not name:
            report.problems.append("a [[package]] has no name")
            continue
        locked.add(canonicalize_name(name))
        source = entry.get("source")
        local = isinstance(source, dict) and bool({"editable", "virtual", "directory"} & source.keys())
        if not entry.get("version") and not local:
            report.problems.append(f"{name} has no version")
    manifest_path = path.with_name("pyproject.toml")
    if not manifest_path.is_file():
        report.notes.append("no pyproject.toml beside it: consistency with the manifest not checked")
        return
    manifest = _read_toml(manifest_path, report)
    if manifest is None:
        return
    for where, requirement in _declared_python(manifest, report):
        if requirement not in locked:
            report.problems.append(f"{requirement} (declared in pyproject.toml {where}) is not locked")


def _declared_python(manifest: dict[str, Any], report: LockReport) -> Iterator[tuple[str, str]]:
    """(where, canonical name) of every dependency pyproject.toml declares."""
    project = manifest.get("project", {})
    own = canonicalize_name(str(project.get("name", ""))) if project.get("name") else None
    lists: list[tuple[str, Any]] = [("[project].dependencies", project.get("dependencies", []))]
    for extra, items in (project.get("optional-dependencies") or {}).items():
        lists.append((f"[project.optional-dependencies].{extra}", items))
    for group, items in (manifest.get("dependency-groups") or {}).items():
        lists.append((f"[dependency-groups].{group}", items))
    for where, items in lists:
        for text in items if isinstance(items, list) else []:
            if not isinstance(text, str):
                continue  # {include-group = "..."}: its entries are checked under their own group
            try:
                name = canonicalize_name(Requirement(text).name)
            except InvalidRequirement as exc:
                report.problems.append(f"pyproject.toml {where}: cannot parse {text!r}: {exc}")
                continue
            if name != own:  # "myproject[extra]" refers back to the project itself
                yield where, name
    poetry = manifest.get("tool", {}).get("poetry", {})
    tables: list[tuple[str, Any]] = [
        ("[tool.poetry.dependencies]", poetry.get("dependencies")),
        ("[tool.poetry.dev-dependencies]", poetry.get("dev-dependencies")),
    ]
    for group, body in (poetry.get("group") or {}).items():
        tables.append((f"[tool.poetry.group.{group}.dependencies]", (body or {}).get("dependencies")))
    for where, table in tables:
        for name in table if isinstance(table, dict) else {}:
            if name.lower() != "python":  # the interpreter constraint, not a package
                yield where, canonicalize_name(name)


def _read_toml(path: Path, report: LockReport) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(f"{path.name} cannot be read: {exc}")
    except tomllib.TOMLDecodeError as exc:
        report.problems.append(f"{path.name} is not valid TOML: {exc}")
    return None


# --- requirements files ----------------------------------------------------------------------

# pip's rule: "#" starts a comment at the start of a line or after whitespace
_COMMENT = re.compile(r"(^|\s+)#.*$")
# per-requirement options start at the first " --" (markers and versions never contain one)
_OPTIONS = re.compile(r"\s+--?[A-Za-z]")
_HASH = re.compile(r"--hash[=\s]+\S+")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)$")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_LOCAL = re.compile(r"^(\.|/|file:)")
_COMMIT = re.compile(r"@[0-9a-f]{7,40}(#|$)")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|zip|tar\.bz2)(#|$)")


@dataclass(frozen=True)
class _Line:
    file: Path
    number: int
    text: str


def _check_requirements(path: Path, report: LockReport) -> None:
    lines: list[_Line] = []
    require_hashes = _collect(path, lines, report, seen=set())
    requirements = [line for line in lines if not line.text.startswith("-")]
    report.entries = len(requirements)
    if not requirements and not report.problems:
        report.problems.append("contains no requirements")
    hashed = require_hashes or any(_HASH.search(line.text) for line in requirements)
    for line in requirements:
        where = f"{_where(line, path)}: {_requirement_part(line.text)}"
        problem = _unpinned(line.text)
        if problem:
            report.problems.append(f"{where} ({problem})")
        if hashed and not _HASH.search(line.text):
            report.problems.append(f"{where} (no --hash, but hashes are used, so pip refuses the install)")
    for line in lines:
        editable = _EDITABLE.match(line.text)
        if editable and not _LOCAL.match(editable.group(2)):
            report.problems.append(
                f"{_where(line, path)}: {line.text} (an editable install from a URL is not a pin)"
            )


def _collect(path: Path, lines: list[_Line], report: LockReport, seen: set[Path]) -> bool:
    """Logical lines of a file and the files it includes; True when ``--require-hashes`` appears."""
    resolved = path.resolve()
    if resolved in seen:
        return False
    seen.add(resolved)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(f"{path} cannot be read: {exc}")
        return False
    require_hashes = False
    for number, logical in _logical_lines(text):
        line = _Line(path, number, logical)
        if logical.startswith("--require-hashes"):
            require_hashes = True
            continue
        include = _INCLUDE.match(logical)
        if include:
            target = path.parent / include.group(2)
            if not target.is_file():
                report.problems.append(f"{_where(line, path)}: {logical} ({target} does not exist)")
                continue
            require_hashes |= _collect(target, lines, report, seen)
            continue
        lines.append(line)
    return require_hashes


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """(first physical line number, text) with comments stripped and ``\\`` continuations joined."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = _COMMENT.sub("", raw)
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            yield start, joined


def _requirement_part(text: str) -> str:
    return _OPTIONS.split(text, maxsplit=1)[0].strip()


def _unpinned(text: str) -> str | None:
    """Why a requirement line is not a pin, or None when it is."""
    spec = _requirement_part(text)
    try:
        requirement = Requirement(spec)
    except InvalidRequirement as exc:
        return f"cannot parse: {exc}"
    if requirement.url:
        if _COMMIT.search(requirement.url) or _ARCHIVE.search(requirement.url):
            return None
        return "direct reference without a commit or archive: not a pin"
    exact = [s for s in requirement.specifier if s.operator in ("==", "===") and "*" not in s.version]
    if exact:
        return None
    if not requirement.specifier:
        return "no version: not pinned with =="
    return f"{requirement.specifier} is a range: not pinned with =="


def _where(line: _Line, top: Path) -> str:
    if line.file == top:
        return f"line {line.number}"
    return f"{line.file.name} line {line.number}"
