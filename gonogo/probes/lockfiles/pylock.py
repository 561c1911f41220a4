"""pylock.toml (PEP 751, ``lock-version = "1.0"``): every package pinned and verifiable.

PEP 751 records no manifest to compare with (the lock *is* the input of the install), so the check is
the lock's own: a name and a version for every package (the version may be left out only for a VCS,
directory or archive source), a ``commit-id`` for VCS sources, and hashes for every sdist, wheel and
archive, which installers verify.
"""

from __future__ import annotations

from pathlib import Path

from packaging.version import Version

from gonogo.probes.lockfiles import reading
from gonogo.probes.lockfiles.report import LockReport


def check(path: Path, report: LockReport) -> None:
    lock = reading.document(path, report, "toml")
    if lock is None:
        return
    version, major = reading.format_version(lock, "lock-version", lambda text: Version(text).major)
    if major != 1:
        report.refuse(f'lock-version = "{version}": gonogo reads PEP 751 lock-version 1.x only')
        return
    packages = [entry for entry in lock.get("packages") or [] if isinstance(entry, dict)]
    report.entries = len(packages)
    if not packages:
        report.problems.append("locks no packages ([[packages]] tables)")
    for entry in packages:
        name = str(entry.get("name") or "a [[packages]]")
        direct = {"vcs", "directory", "archive"} & set(entry)
        if not entry.get("version") and not direct:
            report.problems.append(f"{name} has no version")
        vcs = entry.get("vcs")
        if isinstance(vcs, dict) and not vcs.get("commit-id"):
            report.problems.append(f"{name}: VCS source without a commit-id is not a pin")
        files = [entry.get("sdist"), entry.get("archive"), *(entry.get("wheels") or [])]
        for item in files:
            if isinstance(item, dict) and not item.get("hashes"):
                report.problems.append(
                    f"{name}: {item.get('name') or item.get('url') or 'a file'} has no hashes"
                )
    report.notes.append("PEP 751 records no manifest: agreement with pyproject.toml is not compared")
