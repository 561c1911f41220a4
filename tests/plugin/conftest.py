"""Fixtures for the plugin's tests: no outside variable binds a run, and a healthy project to run."""

from __future__ import annotations

import pytest

from tests.plugin.gate_runs import GateSuite

#: what would bind a run (in-process or nested) to something else than what its test says
BINDING_VARS = (
    "GONOGO_ENV",
    "GONOGO_ENV_DIR",
    "GONOGO_STAGES",
    "GONOGO_GATE_MODE",
    "GONOGO_REPORTS_DIR",
    "GITHUB_STEP_SUMMARY",
    "DEPLOY_VERSION",
    "PYTEST_ADDOPTS",
)


@pytest.fixture(autouse=True)
def _clean_gonogo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here starts without the shell's gonogo variables; a test sets the ones it is about."""
    for name in BINDING_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def suite(pytester: pytest.Pytester) -> GateSuite:
    """A project with one passing check per stage (a file that needs another project defines its own)."""
    suite = GateSuite(pytester)
    suite.healthy()
    return suite
