"""What gate.json says about the run itself: the environment it verified, the command, when, which
commit and CI run (:mod:`gonogo.run_identity`), and with which versions of the tools."""

from __future__ import annotations

import os
import shlex
import sys
from datetime import UTC, datetime

import pytest

from gonogo import __version__, run_identity
from gonogo.environment import shown
from gonogo.plugin.context import RunContext
from gonogo.reporting import gate_json


def build(
    config: pytest.Config,
    context: RunContext,
    *,
    gate_mode: str,
    started_at: datetime,
    exit_code: int,
    pytest_exit_status: int,
) -> gate_json.RunInfo:
    loaded = context.loaded
    assert loaded is not None
    env = loaded.model
    args = config.invocation_params.args
    command = "pytest " + " ".join(shlex.quote(str(arg)) for arg in args)
    workers = getattr(config.option, "numprocesses", 0)
    return gate_json.RunInfo(
        environment=loaded.name,
        env_file=shown(loaded.path),
        description=env.description,
        base_url=context.base_url or env.base_url,
        expected_version=env.expected_version,
        sensitive=env.sensitive,
        baseline_url=env.baseline.base_url if env.baseline else None,
        rollback_command=env.baseline.rollback_command if env.baseline else None,
        selected_stages=context.settings.stages,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        command=context.redactor.text(command.strip()),
        exit_code=exit_code,
        pytest_exit_status=pytest_exit_status,
        gate_mode=gate_mode,
        git_commit=run_identity.git_commit(config.rootpath, os.environ),
        run_id=run_identity.run_id(os.environ),
        versions={
            "gonogo": __version__,
            "pytest": pytest.__version__,
            "python": sys.version.split()[0],
        },
        workers=workers if isinstance(workers, int) else 0,
    )
