"""What the load check attaches: locust's own HTML report only when it can hold something (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gonogo.plugin import load as load_plugin
from tests.conftest import copy_suite


class _Recorder:
    """Stands in for the ``evidence`` fixture: what would be attached, by name."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.texts: dict[str, str] = {}

    def file(self, path: Path, name: str | None = None) -> None:
        self.files.append(name or path.name)

    def text(self, name: str, body: str, *, extension: str = "txt") -> None:
        self.texts[name] = body


@pytest.mark.parametrize(
    ("duration_s", "attached"), [(4.0, False), (14.9, False), (15.0, True), (60.0, True)]
)
def test_the_locust_report_is_attached_only_for_a_run_long_enough_to_chart(
    tmp_path: Path, duration_s: float, attached: bool
) -> None:
    report = tmp_path / "locust-report.html"
    report.write_text("<html></html>", encoding="utf-8")
    evidence: Any = _Recorder()
    load_plugin._attach_locust_report(report, duration_s, evidence)
    assert (evidence.files == ["locust report (HTML)"]) is attached
    if not attached:
        (note,) = evidence.texts.values()
        assert f"lasted {duration_s:g} s" in note
        assert "charts stay empty" in note


def test_a_missing_locust_report_attaches_nothing(tmp_path: Path) -> None:
    evidence: Any = _Recorder()
    load_plugin._attach_locust_report(tmp_path / "absent.html", 60.0, evidence)
    assert evidence.files == []
    assert evidence.texts == {}


def test_a_short_demo_run_explains_the_missing_locust_report_in_allure(tmp_path: Path) -> None:
    project = copy_suite(tmp_path / "project")
    run = project.run("--env", "demo", "--stage", "postdeploy", "-p", "no:randomly")
    assert run.returncode == 0, run.output[-3000:]
    results = project.path / "reports" / "demo" / "allure-results"
    (latency,) = [
        data
        for data in (json.loads(p.read_text(encoding="utf-8")) for p in results.glob("*-result.json"))
        if data.get("name") == "test_latency_under_load"
    ]
    names = {attachment["name"] for attachment in latency.get("attachments", [])}
    assert "locust report (HTML): left out" in names, names
    assert "locust report (HTML)" not in names
    assert "latency over time (p50, p95, errors)" in names  # every sample is still charted
    assert (project.path / "reports" / "demo" / "load" / "locust-report.html").is_file()
