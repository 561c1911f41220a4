"""The verdicts across runs: what Allure's trend (pass percentages) does not show.

Kept in the history store beside Allure's files, so it travels with them (a CI cache or artifact)::

    reports/<env>/history/gonogo-verdicts.json        one entry per run: order, verdict, version, score...
    reports/<env>/history/gonogo-runs/<order>/gate.json   that run's gate.json, as it was

``gonogo report`` records the run it renders (its order is the ``buildOrder`` of its executor.json,
so the verdict trend and Allure's trend label the same run alike) and copies each kept gate.json into
the report, where the trend links to it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gonogo.reporting.files import write_atomic
from gonogo.reporting.layout import GATE_FILE

VERDICTS_FILE = "gonogo-verdicts.json"
RUNS_DIR = "gonogo-runs"
#: names in the history store that are gonogo's (carried over when Allure's files are replaced)
OWN_NAMES = (VERDICTS_FILE, RUNS_DIR)
#: how many runs the trend keeps (older runs and their gate.json are dropped)
KEEP = 50


@dataclass(frozen=True)
class RunVerdict:
    """One run in the verdict trend."""

    order: int
    verdict: str
    started_at: str
    environment: str
    expected_version: str
    score: float | None
    counted: int
    counted_passed: int
    top_reason: str

    @property
    def gate_path(self) -> str:
        """Where this run's gate.json is, relative to the store (and to the report's folder)."""
        return f"{RUNS_DIR}/{self.order}/{GATE_FILE}"


def entry_of(gate: Mapping[str, Any], order: int) -> RunVerdict:
    environment = gate.get("environment") or {}
    summary = gate.get("summary") or {}
    reasons = [r for r in gate.get("reasons") or [] if isinstance(r, Mapping) and r.get("decision")]
    top = reasons[0] if reasons else {}
    score = gate.get("score")
    return RunVerdict(
        order=order,
        verdict=str(gate.get("verdict") or "unknown"),
        started_at=str((gate.get("run") or {}).get("started_at") or ""),
        environment=str(environment.get("name") or ""),
        expected_version=str(environment.get("expected_version") or ""),
        score=float(score) if isinstance(score, int | float) else None,
        counted=int(summary.get("counted") or 0),
        counted_passed=int(summary.get("counted_passed") or 0),
        top_reason=" ".join(f"{top.get('code', '')}: {top.get('message', '')}".split()) if top else "",
    )


def load(history_store: Path) -> list[RunVerdict]:
    """The kept runs, newest first (an unreadable file is an empty trend, not an error)."""
    try:
        items = json.loads((history_store / VERDICTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    runs = []
    for item in items if isinstance(items, list) else []:
        try:
            runs.append(RunVerdict(**item))
        except TypeError:
            continue
    return sorted(runs, key=lambda run: run.order, reverse=True)


def record(history_store: Path, gate: Mapping[str, Any], gate_text: str, order: int) -> list[RunVerdict]:
    """Add (or replace) this run; keep its gate.json. Returns the trend, newest first."""
    runs = [run for run in load(history_store) if run.order != order]
    runs.insert(0, entry_of(gate, order))
    runs.sort(key=lambda run: run.order, reverse=True)
    kept, dropped = runs[:KEEP], runs[KEEP:]
    write_atomic(history_store / RUNS_DIR / str(order) / GATE_FILE, gate_text)
    for run in dropped:
        shutil.rmtree(history_store / RUNS_DIR / str(run.order), ignore_errors=True)
    write_atomic(history_store / VERDICTS_FILE, json.dumps([asdict(run) for run in kept], indent=2) + "\n")
    return kept


def copy_runs(history_store: Path, runs: list[RunVerdict], target: Path) -> None:
    """Each kept run's gate.json into the report, at the path the trend links to."""
    for run in runs:
        source = history_store / run.gate_path
        if source.is_file():
            destination = target / run.gate_path
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
