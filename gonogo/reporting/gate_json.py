"""``gate.json``: the verdict in a versioned, machine-readable document (schema in docs/gate.md).

Schema version 1. Consumers should check ``schema_version`` and treat a missing file as NO-GO: gonogo
removes the previous gate.json when a run starts, so a run that died hard leaves none behind.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gonogo.model import CheckResult, Finding, Outcome, Stage
from gonogo.names import FINDING_ERROR_RATE, FINDING_P95, FINDING_ROLLBACK_READY, FINDING_VERSION
from gonogo.verdict import Verdict

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("gate.schema.json")


@dataclass(frozen=True)
class RunInfo:
    """What the run was bound to and how it went, beside the checks' results."""

    environment: str
    env_file: str
    description: str
    base_url: str | None
    expected_version: str
    sensitive: bool
    baseline_url: str | None
    rollback_command: str | None
    selected_stages: tuple[Stage, ...]
    started_at: datetime
    finished_at: datetime
    command: str
    exit_code: int
    pytest_exit_status: int
    gate_mode: str
    git_commit: str | None = None
    #: the CI run (gonogo.run_identity.run_id): ``gonogo verdict`` checks a gate.json is this run's
    run_id: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    workers: int = 0


@dataclass(frozen=True)
class Metrics:
    """The figures the deployment report's METRICS block shows; None when not measured."""

    p95_ms: float | None
    error_rate: float | None
    rollback_ready: str | None
    observed_version: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _first(results: Sequence[CheckResult], name: str) -> Finding | None:
    for result in results:
        for finding in result.findings:
            if finding.name == name:
                return finding
    return None


def _number(finding: Finding | None) -> float | None:
    if finding is None or isinstance(finding.value, bool):
        return None
    try:
        return float(finding.value) if finding.value is not None else None
    except (TypeError, ValueError):
        return None


def metrics_of(results: Sequence[CheckResult]) -> Metrics:
    rollback = _first(results, FINDING_ROLLBACK_READY)
    version = _first(results, FINDING_VERSION)
    return Metrics(
        p95_ms=_number(_first(results, FINDING_P95)),
        error_rate=_number(_first(results, FINDING_ERROR_RATE)),
        rollback_ready=str(rollback.value) if rollback is not None and rollback.value is not None else None,
        observed_version=str(version.value) if version is not None and version.value is not None else None,
    )


def check_to_dict(result: CheckResult) -> dict[str, Any]:
    return {
        "nodeid": result.nodeid,
        "stage": result.stage.value if result.stage else None,
        "outcome": result.outcome.value,
        "critical": result.critical,
        "weight": result.weight,
        "dry_run": result.dry_run,
        "policy_skip": result.policy_skip,
        "message": result.message,
        "duration_s": round(result.duration_s, 4),
        "findings": [finding.to_dict() for finding in result.findings],
        "blocked_by": result.blocked_by,
        "failed_attempts": list(result.failed_attempts),
    }


def build(verdict: Verdict, results: Sequence[CheckResult], run: RunInfo) -> dict[str, Any]:
    outcomes = Counter(result.outcome.value for result in results)
    stages_run = sorted(
        {r.stage for r in results if r.stage and r.outcome is not Outcome.SKIPPED},
        key=lambda stage: list(Stage).index(stage),
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": verdict.decision.value,
        "exit_code": run.exit_code,
        "score": None if verdict.score is None else round(verdict.score, 2),
        "reasons": [reason.to_dict() for reason in verdict.reasons],
        "environment": {
            "name": run.environment,
            "file": run.env_file,
            "description": run.description,
            "base_url": run.base_url,
            "expected_version": run.expected_version,
            "sensitive": run.sensitive,
            "baseline_url": run.baseline_url,
            "rollback_command": run.rollback_command,
        },
        "run": {
            "started_at": run.started_at.isoformat(timespec="seconds"),
            "finished_at": run.finished_at.isoformat(timespec="seconds"),
            "duration_s": round((run.finished_at - run.started_at).total_seconds(), 3),
            "command": run.command,
            "stages_selected": [stage.value for stage in run.selected_stages],
            "stages_run": [stage.value for stage in stages_run],
            "gate_mode": run.gate_mode,
            "pytest_exit_status": run.pytest_exit_status,
            "git_commit": run.git_commit,
            "run_id": run.run_id,
            "versions": run.versions,
            "workers": run.workers,
        },
        "summary": {
            "checks": len(results),
            "counted": verdict.counted,
            "counted_passed": verdict.passed,
            **{outcome.value: outcomes.get(outcome.value, 0) for outcome in Outcome},
        },
        "metrics": metrics_of(results).to_dict(),
        "checks": [check_to_dict(result) for result in results],
    }


def dumps(document: dict[str, Any]) -> str:
    # strict JSON: NaN and infinities (a division by zero in a check) become null, which every parser reads
    return json.dumps(_finite(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
