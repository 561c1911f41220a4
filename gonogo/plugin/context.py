"""The state of one gonogo run, shared by the plugin's hooks and the fixtures (kept in ``config.stash``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gonogo.environment import Environment, LoadedEnvironment, shown
from gonogo.http import Exchange
from gonogo.redaction import Redactor
from gonogo.run_options import Settings

if TYPE_CHECKING:
    from gonogo.launch import LaunchedTarget  # imported by launching, and only for a [launch] target

NO_ENV_MESSAGE = (
    "this check needs an environment: pass --env NAME (or set GONOGO_ENV, or ini gonogo_env). "
    "Environments in {env_dir}: {names}"
)


@dataclass
class RunContext:
    settings: Settings
    loaded: LoadedEnvironment | None
    base_url: str | None = None
    redactor: Redactor = field(default_factory=Redactor)
    target: LaunchedTarget | None = None
    #: why the launched target never became ready (the gate reads it: NO-GO)
    launch_error: str | None = None
    #: secrets this run created for a launched target (removed from os.environ at the end)
    generated_secrets: list[str] = field(default_factory=list)
    #: exchanges recorded while the current check runs
    exchanges: list[Exchange] = field(default_factory=list)
    #: report files this process could not write (a full or read-only disk): NO-GO, said by the gate
    report_write_errors: list[str] = field(default_factory=list)

    def record_write_error(self, exc: OSError) -> None:
        """Remember a report file that could not be written; the run goes on, the gate says NO-GO."""
        where = f"{shown(Path(os.fsdecode(exc.filename)))}: " if exc.filename else ""
        self.report_write_errors.append(f"{where}{exc.strerror or exc}")

    def resolve_baseline(self, url: str) -> None:
        """Bind ``[baseline].base_url`` to a launched baseline: checks read the model, so it changes there."""
        assert self.loaded is not None
        env = self.loaded.model
        if env.baseline is None:
            return
        baseline = env.baseline.model_copy(update={"base_url": url})
        self.loaded = self.loaded.model_copy(update={"model": env.model_copy(update={"baseline": baseline})})

    @property
    def env(self) -> Environment | None:
        return self.loaded.model if self.loaded else None

    @property
    def reports_dir(self) -> Path | None:
        """``reports/<env>/``: gate.json, the deployment report, Allure results."""
        return self.settings.reports_root / self.loaded.name if self.loaded else None

    @property
    def env_file(self) -> Path | None:
        return self.loaded.path if self.loaded else None


CONTEXT_KEY = pytest.StashKey[RunContext]()


def run_context(config: pytest.Config) -> RunContext | None:
    """The run's state, or None before gonogo configured (or under ``--help``)."""
    return config.stash.get(CONTEXT_KEY, None)


def is_worker(config: pytest.Config) -> bool:
    """True in a pytest-xdist worker: only the controller launches, judges and writes."""
    return hasattr(config, "workerinput")


def run_environment(request: pytest.FixtureRequest) -> tuple[RunContext, LoadedEnvironment]:
    """The run's context and its environment file, as the ``gonogo_context`` and ``loaded_environment``
    fixtures give them (a run without an environment stops there)."""
    context: RunContext = request.getfixturevalue("gonogo_context")
    loaded: LoadedEnvironment = request.getfixturevalue("loaded_environment")
    return context, loaded
