"""Which stage a check belongs to: its marker, else the folder it lives in."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePath

from gonogo.model import Stage

FOLDER_STAGES: dict[str, Stage] = {
    "checks": Stage.PRECHECK,
    "smoke": Stage.SMOKE,
    "load": Stage.POSTDEPLOY,
}

MARKER_HELP: dict[Stage, str] = {
    Stage.PRECHECK: "pre-deploy check (default for tests under checks/)",
    Stage.SMOKE: "smoke check right after a deploy (default for tests under smoke/)",
    Stage.POSTDEPLOY: "post-deploy check: load and watch (default for tests under load/)",
}


def stage_of(marker_names: Iterable[str], path: Path, rootdir: Path) -> Stage | None:
    """The closest stage marker wins; tests without one take their folder's stage."""
    for name in marker_names:
        if name in Stage.__members__.values():
            return Stage(name)
    try:
        parts = PurePath(path).relative_to(rootdir).parts
    except ValueError:
        return None
    for part in parts[:-1]:
        if part in FOLDER_STAGES:
            return FOLDER_STAGES[part]
    return None
