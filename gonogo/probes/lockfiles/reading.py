"""Parse a lock or manifest with the maintained parser for its format; a failure becomes a refusal."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyjson5
import yaml

from gonogo.probes.lockfiles.report import LockReport


def text(path: Path, report: LockReport) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.refuse(f"{path.name} cannot be read: {exc}")
        return None


def document(path: Path, report: LockReport, fmt: str) -> dict[str, Any] | None:
    """The file as a dict, read as ``fmt`` (json, jsonc, toml, yaml); None (and a refusal) otherwise."""
    raw = text(path, report)
    if raw is None:
        return None
    try:
        if fmt == "json":
            data = json.loads(raw)
        elif fmt == "jsonc":
            data = pyjson5.loads(raw)
        elif fmt == "toml":
            data = tomllib.loads(raw)
        else:
            data = yaml.safe_load(raw)
    except (
        ValueError,
        pyjson5.Json5Exception,
        yaml.YAMLError,
    ) as exc:  # JSON and TOML errors are ValueErrors
        report.refuse(f"{path.name} is not valid {fmt.upper()}: {_first_line(exc)}")
        return None
    if not isinstance(data, dict):
        report.refuse(f"{path.name} does not hold a {fmt.upper()} table/object at its top")
        return None
    return data


def format_version(
    lock: dict[str, Any], key: str, number: Callable[[str], float]
) -> tuple[str, float | None]:
    """The lock's format version under ``key`` as written, and ``number`` of it (None: not a version)."""
    version = str(lock.get(key, ""))
    try:
        return version, number(version)
    except ValueError:  # packaging's InvalidVersion is one
        return version, None


def manifest(path: Path, report: LockReport, fmt: str) -> dict[str, Any] | None:
    """The manifest beside a lock, or None with a note when there is none (then nothing is compared)."""
    if not path.is_file():
        report.notes.append(f"no {path.name} beside it: agreement with the manifest not checked")
        return None
    before = len(report.problems)
    data = document(path, report, fmt)
    if data is None:
        # the manifest's parse error is a problem of the pair, not a refusal of the lock's format
        report.refused = False
        report.problems[before:] = [f"the manifest {p}" for p in report.problems[before:]]
    return data


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
