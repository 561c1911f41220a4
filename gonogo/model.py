"""What a check produced, in plain data: the vocabulary shared by the plugin, the verdict and the reports.

Nothing here imports pytest, so the verdict and the report writers can be tested on their own.

    Stage            precheck | smoke | postdeploy
    Outcome          what happened to one check (passed, failed, error, skipped, inconclusive)
    FindingVerdict   what one measurement says (pass, fail, inconclusive)
    Finding          one measurement: name, value, limit, unit, verdict
    CheckResult      one check: its stage, gate settings, outcome, message and findings
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    PRECHECK = "precheck"
    SMOKE = "smoke"
    POSTDEPLOY = "postdeploy"


STAGE_ORDER: tuple[Stage, ...] = (Stage.PRECHECK, Stage.SMOKE, Stage.POSTDEPLOY)


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    #: setup or teardown raised (fixture error); the check itself never gave an answer
    ERROR = "error"
    SKIPPED = "skipped"
    #: the check ran but could not decide (too few samples, saturated generator, ...)
    INCONCLUSIVE = "inconclusive"


class FindingVerdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Finding:
    """One measurement a check made, e.g. ``p95 latency = 212.0 ms (limit 500 ms): pass``."""

    name: str
    value: float | int | str | bool | None
    verdict: FindingVerdict = FindingVerdict.PASS
    limit: float | int | str | None = None
    unit: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "verdict": self.verdict.value,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            name=str(data["name"]),
            value=data.get("value"),
            verdict=FindingVerdict(data.get("verdict", "pass")),
            limit=data.get("limit"),
            unit=str(data.get("unit", "")),
            detail=str(data.get("detail", "")),
        )


@dataclass(frozen=True)
class CheckResult:
    """The final result of one check (one pytest item), after setup, call and teardown."""

    nodeid: str
    stage: Stage | None
    outcome: Outcome
    critical: bool = True
    weight: float = 1.0
    #: reported, never counted
    dry_run: bool = False
    #: skipped on purpose by gonogo's policy (a destructive check on a sensitive environment, ...)
    policy_skip: bool = False
    message: str = ""
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    duration_s: float = 0.0
    #: skipped because an earlier stage failed ("precheck", "smoke") or the target never started ("launch")
    blocked_by: str | None = None
    #: the messages of the attempts that failed before the last one (pytest-rerunfailures ``--reruns``)
    failed_attempts: tuple[str, ...] = ()
