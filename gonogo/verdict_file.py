"""``gonogo verdict``: the second lock after pytest. Exit 0 only for a fresh gate.json that says GO.

    gonogo verdict [PATH] [--require GO[,HOLD]] [--max-age DURATION]

PATH is a gate.json or its folder (default ``reports/<env>/gate.json``, the environment from ``--env``,
``$GONOGO_ENV``, or the only one with a gate.json under the reports folder). The file must

* exist and be gate.json schema 1 (a missing or unreadable file is NO-GO: the run died before judging,
  was informational, or never ran);
* be this run's: the same CI run (:func:`gonogo.run_identity.run_id`) and commit
  (:func:`gonogo.run_identity.git_commit`) as the process asking, and finished at most ``--max-age``
  ago (default 1h; never in the future);
* say one of the required verdicts (``--require``, default GO).

Exit 0 when all hold; otherwise the verdict's own code (HOLD 10, NO-GO 11, ROLLBACK 12) when the file is
fresh and readable, and 11 when it is not: a stale or missing verdict is no verdict. Nothing here
imports pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gonogo import run_identity
from gonogo.errors import GonogoError
from gonogo.reasons import Decision
from gonogo.reporting.layout import GATE_FILE

EXIT_CODES = {Decision.GO: 0, Decision.HOLD: 10, Decision.NO_GO: 11, Decision.ROLLBACK: 12}
EXIT_NOT_THIS_RUN = EXIT_CODES[Decision.NO_GO]
EXIT_USAGE = 4
DEFAULT_MAX_AGE = "1h"
#: clocks of two CI machines may differ a little; more than this into the future is not a real run
CLOCK_SKEW = timedelta(minutes=5)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class VerdictFileError(GonogoError, ValueError):
    """A command-line value ``gonogo verdict`` cannot use (a duration, a verdict name)."""


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``1d``, ``1h30m`` or plain seconds (``600``)."""
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return timedelta(seconds=float(cleaned))
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(number + unit for number, unit in parts) != cleaned:
        raise VerdictFileError(f"--max-age: not a duration: {text!r} (e.g. 90s, 15m, 2h, 1h30m)")
    return timedelta(seconds=sum(float(number) * _UNIT_S[unit] for number, unit in parts))


def parse_required(values: Sequence[str]) -> frozenset[Decision]:
    names = [part.strip().upper() for value in values for part in value.split(",") if part.strip()]
    try:
        return frozenset(Decision(name) for name in names) or frozenset({Decision.GO})
    except ValueError:
        allowed = ", ".join(decision.value for decision in Decision)
        raise VerdictFileError(f"--require: choose from {allowed}, given: {', '.join(values)}") from None


@dataclass(frozen=True)
class Check:
    """What ``gonogo verdict`` concluded: the exit code and one line saying why."""

    exit_code: int
    message: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def check(
    path: Path,
    *,
    required: frozenset[Decision],
    max_age: timedelta,
    environ: Mapping[str, str],
    cwd: Path,
    now: datetime | None = None,
) -> Check:
    """Judge a gate.json against this run: exists, readable, fresh, and one of the required verdicts."""
    now = now or datetime.now(UTC)
    document, problem = _read(path)
    if document is None:
        return Check(EXIT_NOT_THIS_RUN, f"{problem}: NO-GO")
    stale = _staleness(document, max_age=max_age, environ=environ, cwd=cwd, now=now)
    if stale is not None:
        return Check(EXIT_NOT_THIS_RUN, f"{path} is not this run's: {stale}: NO-GO")
    decision = Decision(document["verdict"])
    name = (document.get("environment") or {}).get("name", "?")
    wanted = " or ".join(sorted(d.value for d in required))
    summary = f"{decision.value} for {name} ({path}, finished {document['run']['finished_at']})"
    if decision in required:
        return Check(0, f"{summary}: {wanted} required: OK")
    return Check(EXIT_CODES[decision], f"{summary}: {wanted} required: exit {EXIT_CODES[decision]}")


def _read(path: Path) -> tuple[dict[str, Any] | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, (
            f"no gate.json at {path}: the run died before judging, judged nothing (--collect-only, ...) "
            "or never ran"
        )
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    try:
        document = json.loads(text)
    except ValueError:
        return None, f"{path} is not JSON (empty or cut short)"
    if not isinstance(document, dict) or document.get("schema_version") != 1:
        return None, f"{path} is not a gate.json of schema version 1"
    if document.get("verdict") not in {d.value for d in Decision} or not isinstance(
        document.get("run"), dict
    ):
        return None, f"{path} has no verdict or no run"
    return document, ""


def _staleness(
    document: dict[str, Any], *, max_age: timedelta, environ: Mapping[str, str], cwd: Path, now: datetime
) -> str | None:
    run = document["run"]
    recorded_id, current_id = run.get("run_id"), run_identity.run_id(environ)
    if recorded_id != current_id:
        return f"it is from CI run {recorded_id or 'none'}, this is {current_id or 'no CI run'}"
    current_commit = run_identity.git_commit(cwd, environ)
    recorded_commit = run.get("git_commit")
    if current_commit is not None and recorded_commit != current_commit:
        return f"it verified commit {recorded_commit or 'unknown'}, this is commit {current_commit}"
    try:
        finished = datetime.fromisoformat(str(run.get("finished_at")))
    except ValueError:
        return f"its finished_at is not a time: {run.get('finished_at')!r}"
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=UTC)
    age = now - finished
    if age < -CLOCK_SKEW:
        return f"it finished in the future ({finished.isoformat()})"
    if age > max_age:
        return (
            f"it finished {_shown(age)} ago ({finished.isoformat()}), more than --max-age {_shown(max_age)}"
        )
    return None


def _shown(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


def add_parser(sub: Any) -> None:
    """Register ``gonogo verdict`` on the CLI's subcommands."""
    verdict = sub.add_parser(
        "verdict",
        help="exit 0 only if gate.json is this run's and says GO (call it after pytest)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    verdict.add_argument("path", nargs="?", type=Path, help="gate.json, or its folder (reports/NAME/)")
    verdict.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="VERDICT",
        help="verdicts that pass, comma-separated or repeated (GO, HOLD, NO-GO, ROLLBACK). Default: GO",
    )
    verdict.add_argument(
        "--max-age",
        default=DEFAULT_MAX_AGE,
        metavar="DURATION",
        help=f"the newest gate.json may be this old (90s, 15m, 2h). Default: {DEFAULT_MAX_AGE}",
    )
    verdict.add_argument("--env", metavar="NAME", help="environment whose gate.json to read")
    verdict.add_argument("--reports-dir", metavar="PATH", help="the reports folder. Default: ./reports")


def main(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    """``gonogo verdict``: print one line, return the exit code."""
    try:
        required = parse_required(args.require)
        max_age = parse_duration(args.max_age)
    except VerdictFileError as exc:
        print(f"gonogo verdict: {exc}", file=sys.stderr)
        return EXIT_USAGE
    path = _path(args, environ)
    if path is None:
        print(
            "gonogo verdict: pass PATH or --env NAME (no single reports/<env>/gate.json to choose)",
            file=sys.stderr,
        )
        return EXIT_NOT_THIS_RUN
    result = check(path, required=required, max_age=max_age, environ=environ, cwd=Path.cwd())
    print(f"gonogo verdict: {result.message}", file=sys.stdout if result.ok else sys.stderr)
    return result.exit_code


def _path(args: argparse.Namespace, environ: Mapping[str, str]) -> Path | None:
    if args.path is not None:
        given = Path(args.path)
        return given / GATE_FILE if given.is_dir() else given
    root = Path(args.reports_dir or environ.get("GONOGO_REPORTS_DIR") or "reports")
    name = args.env or environ.get("GONOGO_ENV")
    if name:
        return root / Path(name).stem / GATE_FILE
    found = sorted(root.glob(f"*/{GATE_FILE}"))
    return found[0] if len(found) == 1 else None
