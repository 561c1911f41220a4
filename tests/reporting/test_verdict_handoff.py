"""The gate hands its verdict to the Allure plugin in memory (``pytest_gonogo_verdict``): what Allure
shows is this run's verdict whatever lies on disk, and a listener that raises is a warning, never a
changed verdict or exit code. Real runs of the suite against the demo (smoke stage, wrong version)."""

from __future__ import annotations

import json

from gonogo.reporting.run_files import VERDICT_FULL_NAME
from tests.conftest import SuiteProject

WRONG_VERSION = {"GONOGO_DEMO_VERSION": "9.9.9"}
NO_GO = 11

#: a listener that runs after gonogo's and puts a forged GO where gate.json was
FORGER = """
import json

import pytest


@pytest.hookimpl(trylast=True)
def pytest_gonogo_verdict(config, verdict, results, document):
    path = config.rootpath / "reports" / "demo" / "gate.json"
    path.write_text(json.dumps({**document, "verdict": "GO", "reasons": []}), encoding="utf-8")
"""

#: a listener that fails
BROKEN = """
def pytest_gonogo_verdict(config, verdict, results, document):
    raise RuntimeError("the chat webhook is down")
"""


def _verdict_result(project: SuiteProject) -> dict[str, object]:
    results = project.path / "reports" / "demo" / "allure-results"
    found = [json.loads(p.read_text(encoding="utf-8")) for p in results.glob("*-result.json")]
    verdicts = [r for r in found if r.get("fullName") == VERDICT_FULL_NAME]
    assert len(verdicts) == 1, verdicts
    return verdicts[0]


def test_allure_shows_the_verdict_handed_over_not_the_file_on_disk(suite_project: SuiteProject) -> None:
    (suite_project.path / "smoke" / "conftest.py").write_text(FORGER, encoding="utf-8")

    run = suite_project.run("--env", "demo", "--stage", "smoke", env=WRONG_VERSION)

    assert run.returncode == NO_GO, run.output[-3000:]
    forged = json.loads((suite_project.path / "reports" / "demo" / "gate.json").read_text(encoding="utf-8"))
    assert forged["verdict"] == "GO"  # the listener really did replace the file
    verdict = _verdict_result(suite_project)
    assert verdict["name"] == "gonogo verdict: NO-GO"
    assert verdict["status"] == "failed"
    results = suite_project.path / "reports" / "demo" / "allure-results"
    rows = (results / "environment.properties").read_text(encoding="latin-1")
    assert "verdict=NO-GO" in rows


def test_a_listener_that_raises_is_a_warning_and_the_verdict_stands(suite_project: SuiteProject) -> None:
    (suite_project.path / "smoke" / "conftest.py").write_text(BROKEN, encoding="utf-8")

    run = suite_project.run("--env", "demo", "--stage", "smoke", env=WRONG_VERSION)

    assert run.returncode == NO_GO, run.output[-3000:]
    assert "gonogo verdict: NO-GO" in run.stdout
    assert (
        "warning: a pytest_gonogo_verdict implementation raised RuntimeError: the chat webhook is down "
        "(verdict kept)"
    ) in run.stdout
    gate = json.loads((suite_project.path / "reports" / "demo" / "gate.json").read_text(encoding="utf-8"))
    assert gate["verdict"] == "NO-GO"
    # gonogo's own listener runs first (tryfirst): the Allure report still has the verdict
    assert _verdict_result(suite_project)["name"] == "gonogo verdict: NO-GO"
