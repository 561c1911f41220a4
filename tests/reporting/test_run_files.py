"""The verdict as an Allure result: built from the gate's document in memory, files attached, redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gonogo.redaction import Redactor
from gonogo.reporting.run_files import RunFile, attach_run_files


def _gate(verdict: str, secret: str = "") -> tuple[dict[str, Any], list[RunFile]]:
    gate: dict[str, Any] = {
        "verdict": verdict,
        "reasons": [
            {
                "code": "critical-failed",
                "decision": verdict,
                "message": f"smoke failed {secret}",
                "nodeid": "smoke/test_version.py::test_version",
            },
            {"code": "note", "decision": None, "message": "informational"},
        ],
        "environment": {"name": "staging"},
        "run": {"started_at": "2026-01-01T10:00:00+00:00", "finished_at": "2026-01-01T10:01:00+00:00"},
        "summary": {"passed": 5, "counted_passed": 4, "counted": 5},
    }
    files = [
        RunFile.text("gate.json", json.dumps(gate)),
        RunFile.text("deployment-report.md", f"## DEPLOYMENT REPORT\n{secret}\n"),
    ]
    return gate, files


def test_the_verdict_becomes_a_result_with_the_files_and_environment_rows(tmp_path: Path) -> None:
    results = tmp_path / "results"
    redactor = Redactor(["tok-123456"])
    gate, files = _gate("NO-GO", secret="tok-123456")

    added = attach_run_files(results, gate, files, description="report tok-123456", scrub=redactor.text)

    result = json.loads(added.result.read_text(encoding="utf-8"))
    assert result["name"] == "gonogo verdict: NO-GO"
    assert result["status"] == "failed"
    assert result["statusDetails"]["message"] == "gonogo verdict: NO-GO (4/5 counted checks passed)"
    assert "smoke failed ***" in result["statusDetails"]["trace"]
    assert result["description"] == "report ***"
    assert {label["name"]: label["value"] for label in result["labels"]}["epic"] == "staging"
    assert result["stop"] - result["start"] == 60_000
    assert [a["name"] for a in result["attachments"]] == ["gate.json", "deployment-report.md"]
    for path in added.attachments:
        assert "tok-123456" not in path.read_text(encoding="utf-8")
    assert added.rows == {
        "verdict": "NO-GO",
        "reasons": "critical-failed: smoke/test_version.py::test_version",
    }


def test_attaching_again_replaces_the_previous_verdict(tmp_path: Path) -> None:
    results = tmp_path / "results"
    attach_run_files(results, *_gate("NO-GO"))
    second = attach_run_files(results, *_gate("GO"))
    verdicts = [json.loads(p.read_text(encoding="utf-8")) for p in results.glob("*-result.json")]
    assert [v["name"] for v in verdicts] == ["gonogo verdict: GO"]
    assert verdicts[0]["status"] == "passed"
    assert sorted(p.name for p in results.glob("*-attachment*")) == sorted(p.name for p in second.attachments)


def test_a_run_the_gate_never_judged_says_so_instead_of_guessing(tmp_path: Path) -> None:
    added = attach_run_files(tmp_path, None)
    result = json.loads(added.result.read_text(encoding="utf-8"))
    assert result["name"] == "gonogo verdict: unknown"
    assert result["status"] == "failed"
    assert added.rows["verdict"] == "unknown (the gate did not judge this run)"
