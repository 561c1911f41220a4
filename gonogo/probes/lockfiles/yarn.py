"""yarn.lock against package.json: yarn classic (``# yarn lockfile v1``) and yarn berry (2+, YAML with
``__metadata``), as ``yarn install --frozen-lockfile`` and ``yarn install --immutable`` judge them.

Both key the lock by the *descriptors* package.json declares (``name@range``; berry adds the protocol,
``name@npm:range``); a declared descriptor missing from the keys means yarn would change the lock, which
both flags refuse. Every entry must carry a ``version``. Berry also records each workspace
(``name@workspace:path``) with its dependencies: a dependency it lists that package.json dropped is
outdated too. Dependencies on the workspace's own packages need no entry (classic).

Classic's format is not YAML; it is read here by a small reader of its documented grammar (the one
Python parser on the package index, pyarn, is GPL-3.0: not a dependency for an MIT package).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gonogo.probes.lockfiles import jsdeps, reading
from gonogo.probes.lockfiles.report import LockReport

_ENTRY = re.compile(r'^(\s*)("(?:[^"\\]|\\.)*"|[^\s"]+)(?::\s*$|\s+("(?:[^"\\]|\\.)*"|\S+)\s*$)')


def check(path: Path, report: LockReport) -> None:
    raw = reading.text(path, report)
    if raw is None:
        return
    if "__metadata:" in raw:
        _check_berry(path, report)
    elif "# yarn lockfile v1" in raw:
        _check_classic(path, raw, report)
    else:
        report.refuse(
            "is neither a yarn classic lock ('# yarn lockfile v1') nor a yarn berry lock (__metadata)"
        )


def parse_classic(text: str) -> dict[str, dict[str, Any]]:
    """Top-level entries: the comma-separated key as written -> its fields (nested blocks as dicts)."""
    entries: dict[str, dict[str, Any]] = {}
    stack: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and line.rstrip().endswith(":"):
            # "a@^1, a@^1.2:" is one entry for several descriptors
            block: dict[str, Any] = {}
            entries[line.rstrip()[:-1]] = block
            stack = [(0, block)]
            continue
        match = _ENTRY.match(line)
        if match is None:
            raise ValueError(f"line {number}: not an entry of yarn's lockfile grammar: {line.strip()!r}")
        indent, key, value = len(match.group(1)), _unquote(match.group(2)), match.group(3)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if indent == 0 or not stack:
            raise ValueError(f"line {number}: a field outside of any entry")
        parent = stack[-1][1]
        if value is None:
            child: dict[str, Any] = {}
            parent[key] = child
            stack.append((indent, child))
        else:
            parent[key] = _unquote(value)
    return entries


def _descriptors(key: str) -> list[str]:
    return [_unquote(part.strip()) for part in key.split(",") if part.strip()]


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"') if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _check_classic(path: Path, raw: str, report: LockReport) -> None:
    try:
        entries = parse_classic(raw)
    except ValueError as exc:
        report.refuse(f"is not a readable yarn classic lock: {exc}")
        return
    report.entries = len(entries)
    keys: set[str] = set()
    for key, fields in entries.items():
        keys.update(_descriptors(key))
        if "version" not in fields:
            report.problems.append(f"{key} has no version")
    for who, manifest, workspace_names in _manifests(path, report):
        for name, spec in sorted(jsdeps.declared(manifest).items()):
            if f"{name}@{spec}" not in keys and name not in workspace_names:
                report.problems.append(
                    f"{name}@{spec} ({who}) is not in the lock: `yarn install --frozen-lockfile` refuses"
                )


def _check_berry(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "yaml")
    if lock is None:
        return
    entries = {str(k): v for k, v in lock.items() if k != "__metadata" and isinstance(v, dict)}
    report.entries = len(entries)
    keys: dict[str, dict[str, Any]] = {}
    for key, fields in entries.items():
        for descriptor in _descriptors(key):
            keys[descriptor] = fields
        if "version" not in fields:
            report.problems.append(f"{key} has no version")
    workspaces = {d.split("@workspace:", 1)[1]: f for d, f in keys.items() if "@workspace:" in d}
    for who, manifest, _ in _manifests(path, report):
        folder = "." if who == "package.json" else who.removesuffix("/package.json")
        for name, spec in sorted(jsdeps.declared(manifest).items()):
            wanted = spec if ":" in spec else f"npm:{spec}"
            # berry keys workspace dependencies by their descriptor too ("b@npm:^1.0.0, b@workspace:b")
            if f"{name}@{wanted}" not in keys:
                report.problems.append(
                    f"{name}@{wanted} ({who}) is not in the lock: `yarn install --immutable` refuses"
                )
        recorded = workspaces.get(folder)
        if recorded is None:
            report.problems.append(
                f"workspace {folder} is not in the lock: `yarn install --immutable` refuses"
            )
            continue
        listed = set(recorded.get("dependencies") or {}) | set(recorded.get("peerDependencies") or {})
        declared = set(jsdeps.declared(manifest)) | set(manifest.get("peerDependencies") or {})
        for name in sorted(listed - declared):
            report.problems.append(f"{name} is in the lock's workspace {folder} but no longer in {who}")


def _manifests(path: Path, report: LockReport) -> list[tuple[str, dict[str, Any], set[str]]]:
    top = reading.manifest(path.with_name("package.json"), report, "json")
    if top is None:
        return []
    found = [("package.json", top)]
    for folder in jsdeps.workspace_folders(path.parent, top):
        workspace = reading.manifest(path.parent / folder / "package.json", report, "json")
        if workspace is not None:
            found.append((f"{folder}/package.json", workspace))
    names = {str(m.get("name")) for _, m in found if m.get("name")}
    return [(who, manifest, names) for who, manifest in found]
