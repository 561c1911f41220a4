"""Requirements-style files (pip): every requirement pinned, the way pip reads the file.

Comments (``#`` at a line's start or after whitespace) and ``\\`` continuations as pip strips and joins
them; ``-r``/``-c`` files followed; if any requirement carries ``--hash`` (or the file says
``--require-hashes``), all must, because pip then refuses the whole install. A pin is ``==`` / ``===`` to
one version, a direct reference to an archive, or a VCS URL at a commit (``pkg @ git+URL@<sha>``, the
bare ``git+URL@<sha>#egg=pkg`` form pip also reads, editable or not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from gonogo.probes.lockfiles.report import LockReport

# pip's rule: "#" starts a comment at the start of a line or after whitespace
_COMMENT = re.compile(r"(^|\s+)#.*$")
# per-requirement options start at the first " --" (markers and versions never contain one)
_OPTIONS = re.compile(r"\s+--?[A-Za-z]")
_HASH = re.compile(r"--hash[=\s]+\S+")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)$")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_VCS_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+)(git|hg|svn|bzr)\+", re.IGNORECASE)
_LOCAL = re.compile(r"^(\.|/|file:)")
# a commit id (7 to 64 hex digits: short or full git/hg ids), any case, before the end or a #fragment
_COMMIT = re.compile(r"@[0-9a-fA-F]{7,64}(#|$)")
_VCS_URL = re.compile(r"^(git|hg|svn|bzr)\+[a-z]+://", re.IGNORECASE)
_EGG = re.compile(r"#(?:.*&)?egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|zip|tar\.bz2)(#|$)")


@dataclass(frozen=True)
class _Line:
    file: Path
    number: int
    text: str


def check(path: Path, report: LockReport) -> None:
    lines: list[_Line] = []
    require_hashes = _collect(path, lines, report, seen=set())
    requirements = [line for line in lines if not line.text.startswith("-") or _VCS_EDITABLE.match(line.text)]
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
        if editable and not _LOCAL.match(editable.group(2)) and not _VCS_EDITABLE.match(line.text):
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
    editable = _EDITABLE.match(text)
    if editable:
        return editable.group(2)
    return _OPTIONS.split(text, maxsplit=1)[0].strip()


def _unpinned(text: str) -> str | None:
    """Why a requirement line is not a pin, or None when it is."""
    spec = _requirement_part(text)
    if _VCS_URL.match(spec):
        # pip's bare form: git+https://host/repo@<sha>#egg=name
        if not _EGG.search(spec):
            return "a VCS URL without #egg=<name>: pip cannot tell which package it is"
        return None if _COMMIT.search(spec) else "VCS URL without a commit id: not a pin"
    if _LOCAL.match(spec):
        return None  # a local path (-e . or ./pkg): the project's own code, not a download
    try:
        requirement = Requirement(spec)
    except InvalidRequirement as exc:
        return f"cannot parse: {exc}"
    if requirement.url:
        if _COMMIT.search(requirement.url) or _ARCHIVE.search(requirement.url):
            return None
        return "direct reference without a commit id or an archive: not a pin"
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
