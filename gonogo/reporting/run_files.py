"""The verdict in the Allure report: a synthetic result "gonogo verdict: <V>" with the gate's files.

The gate hands its document over in memory (the ``pytest_gonogo_verdict`` hook); nothing here reads
gate.json back, so an earlier run's file can never be taken for this run's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from gonogo.reporting.files import write_atomic
from gonogo.reporting.properties import update_environment

#: the verdict's synthetic result carries this name, so re-attaching replaces it instead of adding one
VERDICT_FULL_NAME = "gonogo.verdict"
REASONS_LIMIT = 1500
_MIME = {
    ".json": "application/json",
    ".md": "text/plain",
    ".txt": "text/plain",
    ".html": "text/html",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class RunFile:
    """One of the gate's files, as the report shows it: its name and its content."""

    name: str
    body: bytes

    @classmethod
    def text(cls, name: str, text: str) -> RunFile:
        return cls(name, text.encode("utf-8"))


@dataclass(frozen=True)
class RunFiles:
    """What :func:`attach_run_files` added: the synthetic result and the environment rows."""

    result: Path
    attachments: list[Path] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)


def verdict_of(gate: Mapping[str, Any] | None) -> tuple[str, list[str], list[str]]:
    """The verdict, its reasons in full, and the same reasons short (a check's node id, not its message)."""
    if gate is None:
        return "unknown (the gate did not judge this run)", [], []
    verdict = str(gate.get("verdict") or "unknown")
    full: list[str] = []
    short: list[str] = []
    for reason in gate.get("reasons") or []:
        if not isinstance(reason, Mapping):
            full.append(str(reason))
            short.append(str(reason))
            continue
        if "decision" in reason and reason.get("decision") is None:
            continue  # informational, not a reason for the decision
        code = reason.get("code")
        message = " ".join(str(reason.get("message", "")).split())
        full.append(f"{code}: {message}" if code else message)
        subject = reason.get("nodeid") or message
        short.append(f"{code}: {subject}" if code else str(subject))
    return verdict, full, short


def _millis(text: object, default: int) -> int:
    if isinstance(text, str):
        with contextlib.suppress(ValueError):
            return int(datetime.fromisoformat(text).timestamp() * 1000)
    return default


def attach_run_files(
    results_dir: Path,
    gate: Mapping[str, Any] | None,
    files: Sequence[RunFile] = (),
    *,
    description: str = "",
    description_html: str | None = None,
    environment: str | None = None,
    scrub: Callable[[str], str] = lambda text: text,
) -> RunFiles:
    """Show the gate's verdict and files in the report: a synthetic result "gonogo verdict: <V>" with the
    files attached (its description is the deployment report), plus ``verdict`` and ``reasons`` rows in
    environment.properties (the overview's Environment widget).

    ``gate`` is the gate.json document. The result passes for GO and fails otherwise, in the categories
    as "Gate verdict"; calling this again replaces the previous synthetic result. Every file is scrubbed
    on the way in.
    """
    results_dir.mkdir(parents=True, exist_ok=True)
    verdict, reasons, short_reasons = verdict_of(gate)
    env_name = environment or str(((gate or {}).get("environment") or {}).get("name") or "")
    _remove_previous_verdict(results_dir)

    attachments = []
    links = []
    for item in files:
        suffix = PurePath(item.name).suffix
        target = results_dir / f"{uuid.uuid4()}-attachment{suffix or '.txt'}"
        try:
            body = scrub(item.body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            body = item.body
        target.write_bytes(body)
        attachments.append(target)
        links.append({"name": item.name, "source": target.name, "type": _MIME.get(suffix, "text/plain")})

    now = int(time.time() * 1000)
    run = (gate or {}).get("run") or {}
    start = _millis(run.get("started_at"), now)
    stop = max(start, _millis(run.get("finished_at"), now))
    summary = (gate or {}).get("summary") or {}
    headline = f"gonogo verdict: {verdict}"
    if summary:
        passed = summary.get("counted_passed", summary.get("passed", "?"))
        headline += f" ({passed}/{summary.get('counted', '?')} counted checks passed)"
    history_id = hashlib.md5(f"{VERDICT_FULL_NAME}:{env_name}".encode()).hexdigest()
    result: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "historyId": history_id,
        "testCaseId": history_id,
        "fullName": VERDICT_FULL_NAME,
        "name": scrub(headline.split(" (")[0]),
        "status": "passed" if verdict == "GO" else "failed",
        "statusDetails": {"message": scrub(headline), "trace": scrub("\n".join(reasons))},
        "description": scrub(description),
        "stage": "finished",
        "start": start,
        "stop": stop,
        "labels": [
            {"name": "parentSuite", "value": "gonogo"},
            {"name": "suite", "value": "gate"},
            {"name": "epic", "value": env_name or "gonogo"},
            {"name": "feature", "value": "gate"},
            {"name": "story", "value": "verdict"},
            {"name": "severity", "value": "blocker"},
            {"name": "framework", "value": "gonogo"},
        ],
        "attachments": links,
    }
    if description_html is not None:
        result["descriptionHtml"] = scrub(description_html)
    result_path = results_dir / f"{result['uuid']}-result.json"
    write_atomic(result_path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    reasons_row = "; ".join(short_reasons) or "none"
    if len(reasons_row) > REASONS_LIMIT:
        reasons_row = reasons_row[: REASONS_LIMIT - 20] + " ... (see gate.json)"
    rows = {"verdict": verdict, "reasons": reasons_row}
    update_environment(results_dir, rows, scrub)
    return RunFiles(result_path, attachments, rows)


def _remove_previous_verdict(results_dir: Path) -> None:
    for path in results_dir.glob("*-result.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("fullName") == VERDICT_FULL_NAME:
            for link in data.get("attachments") or []:
                with contextlib.suppress(OSError, TypeError):
                    (results_dir / os.path.basename(str(link.get("source")))).unlink()
            path.unlink(missing_ok=True)
