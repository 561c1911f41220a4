"""Stages are gates: once a critical precheck or smoke check failed, the later stages do not run.

Precheck, smoke and postdeploy run in that order (collection sorts them); a critical check of an earlier
stage that failed or errored *blocks* every later stage of the invocation: their checks skip themselves
at setup as ``blocked by <stage>: <why>`` and the verdict reports the blocked stages (``stage-blocked``,
NO-GO). A target that smoke found down is therefore never loaded, and never "rolled back".
``--keep-going`` runs every stage anyway.

A ``[launch]`` target that never became ready blocks, whatever ``--keep-going`` says, every check that
needs it: the smoke and postdeploy stages, and any check using ``base_url`` or ``http``; the file-only
prechecks (config, secrets, upstream results, pins, wrangler) still run.

Under pytest-xdist the controller sees the reports; it writes what blocks into ``blocked.json`` in the
run folder (a temporary folder it hands to the workers), and each worker reads it when it sets up a
check. A later-stage check that a worker had already started before the failure was known runs to its
end: the verdict still says NO-GO, because a postdeploy failure on a target whose smoke stage did not
pass is no rollback (:mod:`gonogo.verdict`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gonogo.model import STAGE_ORDER, CheckResult, Outcome, Stage
from gonogo.names import BLOCKED_PROPERTY
from gonogo.reporting.files import write_atomic

BLOCKS_FILE = "blocked.json"
LAUNCH = "launch"
#: fixtures that talk to the target: a check using one cannot run when the target never started
TARGET_FIXTURES = frozenset(
    {"base_url", "http", "load_check", "baseline_comparison", "response_parity", "post_promotion_watch"}
)
#: what a workerinput carries for the gate: the run folder, and why the target never started
WORKER_RUN_DIR = "gonogo_run_dir"
WORKER_LAUNCH_ERROR = "gonogo_launch_error"
_GATING_STAGES = (Stage.PRECHECK, Stage.SMOKE)


@dataclass
class StageGate:
    """What blocks which stage: kept by the controller, read by the checks' setup (and xdist workers)."""

    keep_going: bool
    #: the folder shared with xdist workers (None: serial run, memory is enough)
    run_dir: Path | None = None
    launch_error: str | None = None
    #: blocking stage -> why ("critical smoke check smoke/x.py::test_y failed")
    blockers: dict[str, str] = field(default_factory=dict)

    def record(self, result: CheckResult) -> None:
        """Called by the controller with each check's result so far: a critical failure blocks."""
        if self.keep_going or result.stage not in _GATING_STAGES or result.stage.value in self.blockers:
            return
        if not result.critical or result.dry_run or result.outcome not in (Outcome.FAILED, Outcome.ERROR):
            return
        verb = "failed" if result.outcome is Outcome.FAILED else "errored"
        self.blockers[result.stage.value] = f"critical {result.stage} check {result.nodeid} {verb}"
        if self.run_dir is not None:
            write_atomic(self.run_dir / BLOCKS_FILE, json.dumps(self.blockers))

    def blocker_for(self, item: pytest.Item, stage: Stage | None) -> tuple[str, str] | None:
        """``(what, why)`` if the check must not run, else None."""
        if self.launch_error is not None and _needs_target(item, stage):
            return LAUNCH, "the [launch] target never became ready"
        if stage is None or self.keep_going:
            return None
        blockers = {**self._shared(), **self.blockers}
        for earlier in STAGE_ORDER[: STAGE_ORDER.index(stage)]:
            if earlier.value in blockers:
                return earlier.value, blockers[earlier.value]
        return None

    def _shared(self) -> dict[str, str]:
        if self.run_dir is None:
            return {}
        try:
            data = json.loads((self.run_dir / BLOCKS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _needs_target(item: pytest.Item, stage: Stage | None) -> bool:
    if stage in (Stage.SMOKE, Stage.POSTDEPLOY):
        return True
    return bool(TARGET_FIXTURES & set(getattr(item, "fixturenames", ())))


GATING_KEY = pytest.StashKey[StageGate]()


def stage_gate(config: pytest.Config) -> StageGate | None:
    """The run's gate: the controller's, or (in an xdist worker) one built from what it was handed."""
    gate = config.stash.get(GATING_KEY, None)
    if gate is None and hasattr(config, "workerinput"):
        workerinput = config.workerinput
        run_dir = workerinput.get(WORKER_RUN_DIR)
        gate = StageGate(
            keep_going=bool(config.getoption("gonogo_keep_going", False)),
            run_dir=Path(run_dir) if run_dir else None,
            launch_error=workerinput.get(WORKER_LAUNCH_ERROR),
        )
        config.stash[GATING_KEY] = gate
    return gate


def block_if_needed(item: pytest.Item, stage: Stage | None) -> None:
    """Before a check's setup: skip it as blocked (recorded for the gate) when an earlier stage failed."""
    gate = stage_gate(item.config)
    blocker = gate.blocker_for(item, stage) if gate is not None else None
    if blocker is None:
        return
    what, why = blocker
    item.user_properties.append((BLOCKED_PROPERTY, what))
    # a skip marker, evaluated by pytest's own setup right after this: the skip is shown at the check
    item.add_marker(pytest.mark.skip(reason=f"blocked by {what}: {why}"))
