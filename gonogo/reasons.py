"""The vocabulary of a verdict: the four decisions, every reason code, and one :class:`Reason`.

:mod:`gonogo.verdict` decides; this module only names things, so the reports, the notifier and the
``gonogo verdict`` command can read a verdict without importing the rules. Nothing here imports pytest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from gonogo.model import STAGE_ORDER, Stage

__all__ = ["REASON_CODES", "SEVERITY", "Decision", "Reason", "reason_order"]


class Decision(StrEnum):
    GO = "GO"
    HOLD = "HOLD"
    NO_GO = "NO-GO"
    ROLLBACK = "ROLLBACK"


SEVERITY: Mapping[Decision, int] = MappingProxyType(
    {Decision.GO: 0, Decision.HOLD: 1, Decision.NO_GO: 2, Decision.ROLLBACK: 3}
)

#: Every reason code and the decision it calls for (None: information only), in the order
#: reasons of equal severity are listed. ``critical-failed`` is ROLLBACK when its stage is
#: postdeploy and the deployment was serving (see :attr:`Reason.decision`).
REASON_CODES: Mapping[str, Decision | None] = MappingProxyType(
    {
        "critical-failed": Decision.NO_GO,
        "interrupted": Decision.NO_GO,
        "internal-error": Decision.NO_GO,
        "launch-failed": Decision.NO_GO,
        "collection-error": Decision.NO_GO,
        "worker-crashed": Decision.NO_GO,
        "stopped-early": Decision.NO_GO,
        "unfinished": Decision.NO_GO,
        "reports-unwritable": Decision.NO_GO,
        "critical-error": Decision.NO_GO,
        "critical-skipped": Decision.NO_GO,
        "stage-blocked": Decision.NO_GO,
        "empty-run": Decision.NO_GO,
        "empty-stage": Decision.NO_GO,
        "score-below-warn": Decision.NO_GO,
        "noncritical-failed": Decision.HOLD,
        "noncritical-error": Decision.HOLD,
        "noncritical-skipped": Decision.HOLD,
        "critical-inconclusive": Decision.HOLD,
        "critical-flaky": Decision.HOLD,
        "inconclusive": Decision.HOLD,
        "flaky": Decision.HOLD,
        "finding-failed": Decision.HOLD,
        "score-below-pass": Decision.HOLD,
        "noncritical-tolerated": None,
        "dry-run-failed": None,
    }
)
_CODE_ORDER = {code: index for index, code in enumerate(REASON_CODES)}
_STAGE_INDEX = {stage: index for index, stage in enumerate(STAGE_ORDER)}


@dataclass(frozen=True)
class Reason:
    """One thing that stands between the run and GO (or, for dry runs, worth knowing)."""

    code: str
    message: str
    nodeid: str | None = None
    stage: Stage | None = None
    critical: bool | None = None
    #: for a failed critical postdeploy check: whether the deployment was serving (a postdeploy-only
    #: run, or one whose smoke stage passed). Only then is the failure a ROLLBACK; a target that never
    #: passed smoke was never promoted, so there is nothing to roll back from.
    serving: bool = True

    def __post_init__(self) -> None:
        if self.code not in REASON_CODES:
            raise ValueError(f"unknown reason code {self.code!r}; known: {', '.join(REASON_CODES)}")

    @property
    def decision(self) -> Decision | None:
        """The decision this reason calls for; None when it only informs."""
        if self.code == "critical-failed" and self.stage is Stage.POSTDEPLOY and self.serving:
            return Decision.ROLLBACK
        return REASON_CODES[self.code]

    def to_dict(self) -> dict[str, Any]:
        decision = self.decision
        return {
            "code": self.code,
            "decision": None if decision is None else decision.value,
            "message": self.message,
            "nodeid": self.nodeid,
            "stage": None if self.stage is None else self.stage.value,
            "critical": self.critical,
        }


def reason_order(reason: Reason) -> tuple[int, int, int, str, str]:
    """Most severe first, then the order of :data:`REASON_CODES`, the stage, the check, the message."""
    decision = reason.decision
    severity = -1 if decision is None else SEVERITY[decision]
    stage = -1 if reason.stage is None else _STAGE_INDEX[reason.stage]
    code = _CODE_ORDER[reason.code]
    return (-severity, code, stage, reason.nodeid or "", reason.message)
