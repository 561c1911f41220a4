"""The reports folder at the start of a run: the previous verdict removed, this run's writes possible.

A run that dies hard must not leave an earlier GO behind, so ``gate.json`` and the deployment report are
removed as soon as the run is bound to an environment. A folder gonogo cannot write (read-only, full)
stops the run there with a usage error (exit 4) that says so, before any check: a verdict that cannot be
recorded is worth nothing, and the Allure writer would otherwise fail mid-run with an INTERNALERROR.
When the old gate.json cannot be removed (a read-only folder), it is emptied in place if the file itself
can still be written: an unreadable gate.json is NO-GO to every consumer and to ``gonogo verdict``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest

from gonogo.reporting.layout import DEPLOYMENT_REPORT, GATE_FILE

#: written and removed again at the start: a folder with less room than this cannot take a run's output
PROBE_BYTES = 64 * 1024


def clear_previous(reports_dir: Path) -> None:
    """Remove the last run's verdict and check that this run can write; raise a UsageError if not."""
    problems: list[str] = []
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problems.append(f"cannot create it ({_why(exc)})")
    for name in (GATE_FILE, DEPLOYMENT_REPORT):
        path = reports_dir / name
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(f"cannot remove the previous {name} ({_why(exc)}); {_neutralise(path)}")
    if not problems:
        problem = _probe(reports_dir)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise pytest.UsageError(
            f"gonogo cannot write its reports to {reports_dir}: " + "; ".join(problems) + ". No check ran. "
            "Fix: make the folder writable or free some space, or pass --reports-dir=PATH"
        )


def remove_quietly(path: Path) -> str:
    """After a write failed mid-run: no gate.json may stay behind. Says what was done."""
    try:
        path.unlink()
    except FileNotFoundError:
        return f"no {path.name} was left behind"
    except OSError:
        return _neutralise(path)
    return f"the partial {path.name} was removed"


def _neutralise(path: Path) -> str:
    try:
        os.truncate(path, 0)
    except OSError as exc:
        return f"it could not be emptied either ({_why(exc)}): it is NOT this run's verdict"
    return "it was emptied in place, so no earlier verdict survives"


def _probe(folder: Path) -> str | None:
    try:
        fd, name = tempfile.mkstemp(prefix=".gonogo-probe-", dir=folder)
    except OSError as exc:
        return f"cannot create a file in it ({_why(exc)})"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return f"cannot write {PROBE_BYTES // 1024} KiB in it ({_why(exc)})"
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    return None


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
