"""The `gonogo` command: schema, reference docs, listing and validating environments."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest

from gonogo.cli import main
from gonogo.environment import reference as envdoc

REPO = Path(__file__).resolve().parent.parent


def test_python_m_gonogo_help_lists_the_commands() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "gonogo", "--help"], capture_output=True, text=True, timeout=30, check=True
    )
    assert "usage: gonogo" in completed.stdout
    for command in ("schema", "envs", "validate"):
        assert command in completed.stdout


def test_schema_validates_every_bundled_environment_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    files = sorted((REPO / "environments").glob("*.toml"))
    assert files
    for path in files:
        jsonschema.validate(tomllib.loads(path.read_text()), schema)


def test_schema_rejects_an_unknown_key(capsys: pytest.CaptureFixture[str]) -> None:
    main(["schema"])
    schema = json.loads(capsys.readouterr().out)
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors({"base_url": "http://x", "expected_version": "1", "helth": {}}))
    assert any("helth" in error.message for error in errors)


def test_docs_environments_md_documents_every_key() -> None:
    text = (REPO / "docs" / "environments.md").read_text()
    assert envdoc.markdown().rstrip("\n") in text, "run: gonogo schema --update docs/environments.md"


def test_envs_lists_the_environments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["envs", "--env-dir", str(REPO / "environments")]) == 0
    assert "demo" in capsys.readouterr().out


def test_validate_reports_a_bad_file_with_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.toml").write_text('base_url = "ftp://x"\nexpected_version = "1"\n')
    assert main(["validate", "bad", "--env-dir", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert "base_url: must be an http:// or https:// URL, got 'ftp://x'." in err


def test_validate_accepts_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "demo", "--env-dir", str(REPO / "environments")]) == 0
    assert "valid" in capsys.readouterr().out
