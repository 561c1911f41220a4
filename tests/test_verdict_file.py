"""``gonogo verdict``: exit 0 only when gate.json exists, is this run's (CI run id, commit, age) and says
GO. The documents are shaped as the gate writes them; the last test reads a real run's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gonogo.reasons import Decision
from gonogo.verdict_file import VerdictFileError, check, parse_duration, parse_required

NOW = datetime(2026, 11, 26, 19, 46, tzinfo=UTC)
CI = {"GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_SHA": "abc123"}
GO_ONLY = frozenset({Decision.GO})


def gate(verdict: str = "GO", *, finished: datetime = NOW, **run: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "verdict": verdict,
        "exit_code": {"GO": 0, "HOLD": 10, "NO-GO": 11, "ROLLBACK": 12}[verdict],
        "environment": {"name": "staging"},
        "run": {
            "finished_at": finished.isoformat(timespec="seconds"),
            "run_id": "github:4242.1",
            "git_commit": "abc123",
            **run,
        },
    }


def write(tmp_path: Path, document: dict[str, Any] | str) -> Path:
    path = tmp_path / "gate.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def judge(path: Path, environ: dict[str, str] = CI, **kwargs: Any) -> tuple[int, str]:
    settings = {"required": GO_ONLY, "max_age": timedelta(hours=1), "now": NOW + timedelta(seconds=30)}
    settings.update(kwargs)
    result = check(path, environ=environ, cwd=path.parent, **settings)
    return result.exit_code, result.message


def test_a_fresh_go_of_this_run_passes(tmp_path: Path) -> None:
    code, message = judge(write(tmp_path, gate()))

    assert code == 0
    assert message.startswith("GO for staging (")
    assert message.endswith("GO required: OK")


@pytest.mark.parametrize(("verdict", "code"), [("HOLD", 10), ("NO-GO", 11), ("ROLLBACK", 12)])
def test_another_verdict_exits_with_its_own_code(tmp_path: Path, verdict: str, code: int) -> None:
    assert judge(write(tmp_path, gate(verdict)))[0] == code


def test_hold_passes_when_required(tmp_path: Path) -> None:
    path = write(tmp_path, gate("HOLD"))

    assert judge(path, required=parse_required(["GO,HOLD"]))[0] == 0


def test_no_gate_json_is_no_go(tmp_path: Path) -> None:
    code, message = judge(tmp_path / "gate.json")

    assert code == 11
    assert "no gate.json at" in message
    assert "the run died before judging, judged nothing (--collect-only, ...) or never ran" in message


@pytest.mark.parametrize("text", ["", "{", "[]", '{"schema_version": 2, "verdict": "GO", "run": {}}'])
def test_an_unreadable_gate_json_is_no_go(tmp_path: Path, text: str) -> None:
    assert judge(write(tmp_path, text))[0] == 11


def test_a_gate_json_of_another_ci_run_is_no_go(tmp_path: Path) -> None:
    code, message = judge(write(tmp_path, gate()), {**CI, "GITHUB_RUN_ID": "4243"})

    assert code == 11
    assert "it is from CI run github:4242.1, this is github:4243.1" in message


def test_a_rerun_of_the_job_is_another_attempt_and_needs_its_own_verdict(tmp_path: Path) -> None:
    assert judge(write(tmp_path, gate()), {**CI, "GITHUB_RUN_ATTEMPT": "2"})[0] == 11


def test_a_gate_json_of_another_commit_is_no_go(tmp_path: Path) -> None:
    code, message = judge(write(tmp_path, gate()), {**CI, "GITHUB_SHA": "def456"})

    assert code == 11
    assert "it verified commit abc123, this is commit def456" in message


def test_a_gate_json_older_than_max_age_is_no_go(tmp_path: Path) -> None:
    path = write(tmp_path, gate(finished=NOW - timedelta(hours=2)))

    code, message = judge(path)

    assert code == 11
    assert "more than --max-age 60 min" in message
    assert judge(path, max_age=parse_duration("3h"))[0] == 0


def test_a_gate_json_from_the_future_is_no_go(tmp_path: Path) -> None:
    assert judge(write(tmp_path, gate(finished=NOW + timedelta(hours=1))))[0] == 11


def test_a_ci_gate_json_read_outside_that_ci_run_is_no_go(tmp_path: Path) -> None:
    assert judge(write(tmp_path, gate()), {"GITHUB_SHA": "abc123"})[0] == 11


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("1d", 86400), ("600", 600)],
)
def test_durations_read_as_people_write_them(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "soon", "1x", "h2", "1h 30"])
def test_a_duration_that_is_no_duration_is_refused(text: str) -> None:
    with pytest.raises(VerdictFileError, match="not a duration"):
        parse_duration(text)


def test_an_unknown_verdict_to_require_is_refused() -> None:
    with pytest.raises(VerdictFileError, match="--require: choose from GO, HOLD, NO-GO, ROLLBACK"):
        parse_required(["GOOD"])


def test_the_command_reads_a_real_runs_gate_json_and_refuses_it_once_stale(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "staging.toml").write_text(
        'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n'
    )
    for folder, name in (("checks", "pre"), ("smoke", "smoke"), ("load", "post")):
        (pytester.path / folder).mkdir()
        (pytester.path / folder / f"test_{name}.py").write_text(f"def test_{name}(): pass\n")
    pytester.makeini("[pytest]\naddopts = --import-mode=importlib -p no:cacheprovider\n")
    monkeypatch.setenv("GONOGO_RUN_ID", "local-7")  # the run and the command share the CI run id
    monkeypatch.delenv("GONOGO_ENV", raising=False)
    run = pytester.runpytest_subprocess("--env=staging", timeout=120)
    assert run.ret == 0

    def gonogo_verdict(*args: str, run_id: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gonogo", "verdict", *args],
            cwd=pytester.path,
            env={**os.environ, "GONOGO_RUN_ID": run_id},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    fresh = gonogo_verdict("--env", "staging", run_id="local-7")
    stale = gonogo_verdict("reports/staging/gate.json", run_id="local-8")

    assert (fresh.returncode, stale.returncode) == (0, 11), fresh.stdout + fresh.stderr
    assert "gonogo verdict: GO for staging" in fresh.stdout
    assert "is not this run's: it is from CI run local-7, this is local-8" in stale.stderr
