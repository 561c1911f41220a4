"""The scanner finds a secret in any form, embedded base64 included, names the file, the secret and the
form and never the value; ``gonogo scan-secrets`` does the same on folders, with exit codes CI can use."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from gonogo.redaction import Redactor, encoded_forms
from gonogo.redaction.scan import Scanner

SECRET = "scan-Me/+=?&%'\"<>é-0123456789"


def run_scan(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonogo", "scan-secrets", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("form", sorted(encoded_forms(SECRET)))
def test_each_form_is_found_and_named(form: str, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text(f"...{encoded_forms(SECRET)[form]}...", encoding="utf-8")
    hits, files = Scanner({"API_KEY": SECRET}).scan_paths([tmp_path])
    assert files == 1
    assert hits != []
    assert {hit.path for hit in hits} == {target}
    assert {hit.name for hit in hits} == {"API_KEY"}


def test_a_secret_inside_an_embedded_base64_document_is_found(tmp_path: Path) -> None:
    # Allure's single-file report embeds its JSON files as data: URIs
    document = json.dumps({"url": f"/items?key={urllib.parse.quote(SECRET)}"}).encode()
    page = tmp_path / "report.html"
    page.write_bytes(b'<script src="data:application/json;base64,' + base64.b64encode(document) + b'">')
    hits = Scanner({"API_KEY": SECRET}).scan_bytes(page.read_bytes(), page)
    assert [hit for hit in hits if hit.layer == "embedded base64"] != []


def test_pieces_of_a_secret_are_found_only_when_asked(tmp_path: Path) -> None:
    text = f"body: ...{SECRET[:12]}"
    assert Scanner({"K": SECRET}).scan_bytes(text.encode()) == []
    pieces = Scanner({"K": SECRET}, fragment=10).scan_bytes(text.encode())
    assert {hit.form for hit in pieces} == {"piece at 0..10", "piece at 1..11", "piece at 2..12"}


def test_what_the_redactor_wrote_holds_nothing_the_scanner_finds(tmp_path: Path) -> None:
    forms = "\n".join(encoded_forms(SECRET).values())
    scanner = Scanner({"K": SECRET}, fragment=10)
    assert scanner.scan_bytes(forms.encode()) != []
    assert scanner.scan_bytes(Redactor([SECRET]).text(forms).encode()) == []


def test_values_too_short_to_scrub_are_not_looked_for() -> None:
    scanner = Scanner({"PORT": "8443", "TOKEN": SECRET})
    assert scanner.skipped == ["PORT"]
    assert scanner.names == ["TOKEN"]


def test_the_command_exits_1_and_names_file_secret_and_form_never_the_value(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "plan.json").write_text(
        json.dumps({"url": f"https://h/?k={urllib.parse.quote_plus(SECRET)}"}), encoding="utf-8"
    )
    (tmp_path / "reports" / "clean.txt").write_text("nothing", encoding="utf-8")
    result = run_scan("reports", "--secret-env", "API_KEY", cwd=tmp_path, env={"API_KEY": SECRET})
    assert result.returncode == 1, result.stderr
    # quote and quote_plus agree on a value without a space: one hit, under the first encoder's name
    assert result.stdout.splitlines() == ["reports/plan.json: API_KEY as percent-encoded (quote)"]
    assert "2 file(s): 1 hit(s) in 1 file(s)" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert urllib.parse.quote_plus(SECRET) not in result.stdout + result.stderr


def test_the_command_exits_0_on_clean_files(tmp_path: Path) -> None:
    (tmp_path / "clean.txt").write_text("nothing to see", encoding="utf-8")
    result = run_scan("clean.txt", "--secrets-stdin", cwd=tmp_path, stdin=f"{SECRET}\n")
    assert result.returncode == 0, result.stderr
    assert "1 secret(s) (stdin line 1)" in result.stderr
    assert "no secret found" in result.stderr


def test_the_command_knows_every_value_of_an_environment_file(tmp_path: Path) -> None:
    envs = tmp_path / "environments"
    envs.mkdir()
    (envs / "staging.toml").write_text(
        'base_url = "https://ci:${API_PASS}@staging.example.com"\nexpected_version = "1"\n'
        '[[routes]]\nname = "keyed"\npath = "/items?key=${API_KEY}"\n',
        encoding="utf-8",
    )
    (tmp_path / "out.log").write_text(f"GET /items?key={SECRET}\n", encoding="utf-8")
    values = {"API_PASS": "pass-word-123456", "API_KEY": SECRET}
    result = run_scan("out.log", "--env", "staging", cwd=tmp_path, env=values)
    assert result.returncode == 1, result.stderr
    assert "out.log: API_KEY as plain" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_the_command_refuses_to_scan_for_nothing_or_a_missing_path(tmp_path: Path) -> None:
    nothing = run_scan(".", cwd=tmp_path)
    assert nothing.returncode == 4
    assert "no secret to look for" in nothing.stderr
    missing = run_scan("nope", "--secrets-stdin", cwd=tmp_path, stdin=SECRET)
    assert missing.returncode == 4
    assert "no such file or folder: nope" in missing.stderr
