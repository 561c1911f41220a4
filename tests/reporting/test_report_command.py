"""`gonogo report`'s errors: no generator, no results, several environments to choose from."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from gonogo.reporting import html

REPO = Path(__file__).resolve().parents[2]


def test_report_without_the_generator_says_to_run_npm_ci(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}", encoding="utf-8")
    with pytest.raises(
        html.ReportError, match=r"run `npm ci` in .*; it installs the pinned allure-commandline"
    ):
        html.find_generator([tmp_path], environ={})


def test_report_command_without_results_says_to_run_the_checks_first(tmp_path: Path) -> None:
    (tmp_path / "reports" / "demo").mkdir(parents=True)
    completed = subprocess.run(
        [sys.executable, "-m", "gonogo", "report", "--env", "demo", "--reports-dir", "reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GONOGO_ALLURE": str(REPO / "package.json")},
    )
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        "gonogo report: no Allure results in reports/demo/allure-results: run the checks first "
        "(`pytest --env demo`)"
    )


def test_report_command_asks_which_environment_when_several_have_results(tmp_path: Path) -> None:
    for name in ("staging", "production"):
        results = tmp_path / "reports" / name / "allure-results"
        results.mkdir(parents=True)
        (results / f"{uuid.uuid4()}-result.json").write_text("{}", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "gonogo", "report"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 4
    assert "pass --env NAME (environments with results in reports: production, staging)" in completed.stderr
