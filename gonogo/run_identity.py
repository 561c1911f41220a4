"""Which run this is: the CI run's id and the commit, written into gate.json and checked by
``gonogo verdict``, so that a gate.json left by an earlier run is never taken for this run's.

    run id   $GONOGO_RUN_ID, else GitHub Actions' $GITHUB_RUN_ID.$GITHUB_RUN_ATTEMPT, GitLab's
             $CI_PIPELINE_ID, Jenkins' $BUILD_TAG; None outside CI
    commit   $GITHUB_SHA, $CI_COMMIT_SHA or $GIT_COMMIT, else ``git rev-parse HEAD`` in the folder
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

COMMIT_VARIABLES = ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT")


def run_id(environ: Mapping[str, str]) -> str | None:
    """The CI run this process belongs to (the same in every job and step of one run), or None."""
    if environ.get("GONOGO_RUN_ID"):
        return environ["GONOGO_RUN_ID"]
    if environ.get("GITHUB_RUN_ID"):
        # a re-run of a job is a new attempt: its gate.json must not stand in for the earlier one's
        return f"github:{environ['GITHUB_RUN_ID']}.{environ.get('GITHUB_RUN_ATTEMPT') or '1'}"
    if environ.get("CI_PIPELINE_ID"):
        return f"gitlab:{environ['CI_PIPELINE_ID']}"
    if environ.get("BUILD_TAG"):
        return f"jenkins:{environ['BUILD_TAG']}"
    return None


def git_commit(cwd: Path, environ: Mapping[str, str]) -> str | None:
    """The commit being verified: CI's variable, else the checkout's HEAD, else None."""
    for name in COMMIT_VARIABLES:
        if environ.get(name):
            return environ[name]
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=2, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() or None if completed.returncode == 0 else None
