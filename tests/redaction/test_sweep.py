"""The end-of-run sweep: a file under reports/<env>/ that still holds a secret is named, and cleaned (JSON
stays JSON; a secret inside embedded base64 empties the file); clean files are left exactly as they were."""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.parse
from pathlib import Path

import pytest

from gonogo.redaction import MASK, Redactor
from gonogo.redaction.scan import Scanner
from gonogo.redaction.sweep import NOTICE, sweep

SECRET = "sweep-Me/+=0123456789"


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    root = tmp_path / "reports" / "staging"
    (root / "load").mkdir(parents=True)
    (root / "allure-results").mkdir()
    return root


def test_clean_files_are_left_alone_and_nothing_is_reported(reports: Path) -> None:
    clean = reports / "gate.json"
    clean.write_text('{"verdict": "GO"}\n', encoding="utf-8")
    before = clean.stat().st_mtime_ns
    assert sweep(reports, Redactor([SECRET])) == []
    assert clean.read_text(encoding="utf-8") == '{"verdict": "GO"}\n'
    assert clean.stat().st_mtime_ns == before


def test_a_leaking_file_is_named_and_scrubbed_in_place_json_kept_valid(reports: Path) -> None:
    plan = reports / "load" / "plan.json"
    plan.write_text(json.dumps({"url": f"/items?key={urllib.parse.quote(SECRET)}", "n": 3}), encoding="utf-8")
    html = reports / "load" / "locust-report.html"
    html.write_text(f"<td>/items?key={SECRET}</td>", encoding="utf-8")
    os.chmod(html, 0o640)
    leaks = sweep(reports, Redactor.named({"API_KEY": SECRET}))
    assert [(leak.path, leak.names, leak.action) for leak in leaks] == [
        (html, ("API_KEY",), "scrubbed"),
        (plan, ("API_KEY",), "scrubbed"),
    ]
    assert json.loads(plan.read_text(encoding="utf-8")) == {"url": f"/items?key={MASK}", "n": 3}
    assert html.read_text(encoding="utf-8") == f"<td>/items?key={MASK}</td>"
    assert html.stat().st_mode & 0o777 == 0o640, "the file keeps its mode"
    assert Scanner({"API_KEY": SECRET}).scan_paths([reports])[0] == []


def test_a_secret_inside_embedded_base64_empties_the_file(reports: Path) -> None:
    embedded = base64.b64encode(json.dumps({"u": urllib.parse.quote(SECRET)}).encode()).decode()
    page = reports / "report.html"
    page.write_text(f'<script src="data:application/json;base64,{embedded}">', encoding="utf-8")
    (leak,) = sweep(reports, Redactor.named({"TOKEN": SECRET}))
    assert (leak.path, leak.names, leak.action) == (page, ("TOKEN",), "replaced")
    assert page.read_text(encoding="utf-8") == NOTICE


def test_a_redactor_without_secrets_sweeps_nothing(reports: Path) -> None:
    (reports / "x.txt").write_text(SECRET, encoding="utf-8")
    assert sweep(reports, Redactor()) == []
    assert (reports / "x.txt").read_text(encoding="utf-8") == SECRET


def test_a_second_pass_searches_only_files_changed_since_the_first(reports: Path) -> None:
    old, new = reports / "old.txt", reports / "new.txt"
    old.write_text(SECRET, encoding="utf-8")
    new.write_text(SECRET, encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    leaks = sweep(reports, Redactor([SECRET]), since_ns=time.time_ns())
    assert [leak.path for leak in leaks] == [new]
    assert old.read_text(encoding="utf-8") == SECRET, "left for the first pass, which saw it"
