"""The end-of-run sweep: every file under ``reports/<env>/`` searched for every secret the run knows.

Whatever writes there is meant to write through the redactor; the sweep is what makes that a guarantee.
A file that still holds a secret is scrubbed in place (JSON as a document, so it stays valid), or, when
the secret sits where scrubbing cannot reach (inside an embedded base64 blob), replaced by a notice; and
it is returned, so the gate can fail the run closed and name the file. A file that cannot be read is a
leak too: nobody can say it holds no secret.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gonogo.redaction.redactor import Redactor
from gonogo.redaction.scan import files_under, layers

NOTICE = "gonogo removed this file's content: it held a secret it could not scrub (see gate.json)\n"


@dataclass(frozen=True)
class Leak:
    """A file that held a secret (by name), and what the sweep did about it."""

    path: Path
    names: tuple[str, ...]
    #: "scrubbed", "replaced" (content swapped for :data:`NOTICE`) or "unreadable: <why>"
    action: str


def _secrets_in(redactor: Redactor, data: bytes) -> set[str]:
    found: set[str] = set()
    for _, content in layers(data):
        found.update(redactor.find(content))
    return found


def _scrubbed(redactor: Redactor, path: Path, data: bytes) -> bytes:
    if path.suffix == ".json":
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            pass
        else:
            return (json.dumps(redactor.tree(document), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return redactor.data(data)


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.sweeping")
    tmp.write_bytes(data)
    shutil.copymode(path, tmp)
    os.replace(tmp, path)


#: file times are coarse on some file systems: a file changed this close before ``since`` is searched again
_MTIME_SLACK_NS = 2_000_000_000


def sweep(
    root: Path, redactor: Redactor, *, skip: Iterable[Path] = (), since_ns: int | None = None
) -> list[Leak]:
    """Search (and clean) every file under ``root``; the files that held a secret.

    ``since_ns``: only files modified since then (a second pass: the first left every older file clean).
    """
    if not redactor or not root.is_dir():
        return []
    skipped = {path.resolve() for path in skip}
    leaks: list[Leak] = []
    for path in files_under([root]):
        if path.resolve() in skipped:
            continue
        try:
            if since_ns is not None and path.stat().st_mtime_ns < since_ns - _MTIME_SLACK_NS:
                continue
            data = path.read_bytes()
        except OSError as exc:
            leaks.append(Leak(path, (), f"unreadable: {exc.strerror or exc}"))
            continue
        names = _secrets_in(redactor, data)
        if not names:
            continue
        cleaned = _scrubbed(redactor, path, data)
        action = "scrubbed"
        if _secrets_in(redactor, cleaned):
            cleaned, action = NOTICE.encode("utf-8"), "replaced"
        try:
            _replace(path, cleaned)
        except OSError as exc:
            action = f"still there: could not be rewritten ({exc.strerror or exc})"
        leaks.append(Leak(path, tuple(sorted(names)), action))
    return leaks
