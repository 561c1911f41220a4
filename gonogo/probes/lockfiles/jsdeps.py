"""package.json: what it declares, its workspaces, and npm's semver ranges (read with node-semver).

A spec that is not a semver range (``file:``, ``link:``, ``workspace:``, git and tarball URLs, dist-tags
such as ``latest``) is not compared by version; ``npm:name@range`` aliases are compared by their range.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

import nodesemver  # type: ignore[import-untyped]

SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
_NOT_SEMVER = (
    "file:",
    "link:",
    "workspace:",
    "portal:",
    "patch:",
    "git",
    "http:",
    "https:",
    "github:",
    "catalog:",
)


def declared(manifest: dict[str, Any], sections: tuple[str, ...] = SECTIONS) -> dict[str, str]:
    out: dict[str, str] = {}
    for section in sections:
        entries = manifest.get(section)
        if isinstance(entries, dict):
            out.update({str(name): str(spec) for name, spec in entries.items()})
    return out


def by_section(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        section: declared(manifest, (section,))
        for section in SECTIONS
        if isinstance(manifest.get(section), dict)
    }


def range_of(spec: str) -> str | None:
    """The semver range a spec asks for, or None when it is not a registry range."""
    spec = spec.strip()
    if spec.startswith("npm:"):
        spec = spec[4:].rpartition("@")[2] if "@" in spec[5:] else "*"
    if spec.startswith(_NOT_SEMVER) or "/" in spec:
        return None
    if spec in ("", "*", "latest", "x"):
        return "*"
    return spec if nodesemver.valid_range(spec, loose=True) is not None else None


def satisfies(version: str, spec: str) -> bool | None:
    """Whether a locked version meets a declared spec; None when the spec is not a semver range."""
    wanted = range_of(spec)
    if wanted is None:
        return None
    try:
        return bool(nodesemver.satisfies(version, wanted, loose=True, include_prerelease=True))
    except (ValueError, TypeError):
        return None


def workspace_folders(root: Path, manifest: dict[str, Any]) -> list[str]:
    """The workspace folders a package.json names (npm, yarn and bun: ``workspaces``), relative, sorted."""
    spec = manifest.get("workspaces")
    patterns = spec.get("packages") if isinstance(spec, dict) else spec
    folders: set[str] = set()
    for pattern in patterns if isinstance(patterns, list) else []:
        for match in glob.glob(os.path.join(glob.escape(str(root)), str(pattern))):
            if Path(match, "package.json").is_file():
                folders.add(Path(match).relative_to(root).as_posix())
    return sorted(folders)
