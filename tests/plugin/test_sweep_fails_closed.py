"""The sweep over reports/<env>/ fails the run closed: a file written around the redactor makes the verdict
NO-GO, names the file and the secret (never its value) and is cleaned; before the verdict (a check's own
file) and after it (a file written once the verdict was handed over). A clean run stays GO."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from gonogo.plugin.gate import EXIT_CODES
from gonogo.redaction import MASK
from gonogo.redaction.sweep import NOTICE
from gonogo.verdict import Decision

SECRET = "sweep-token-7f3a9c2e51"
ENV = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n[secrets]\nrequired = ["API_TOKEN"]\n'
MODES = [pytest.param([], id="serial"), pytest.param(["-n", "2"], id="xdist")]
HEALTHY = {
    "checks/test_pre.py": "def test_pre(): pass\n",
    "smoke/test_smoke.py": "def test_smoke(): pass\n",
    "load/test_post.py": "def test_post(): pass\n",
}
#: a check that writes its own file under reports/<env>/, around the redactor
WRITES_ITS_OWN_FILE = """
import os
from pathlib import Path

def test_post_writes_a_file():
    folder = Path("reports/staging/custom")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leak.txt").write_text("token=" + os.environ["API_TOKEN"] + "\\n")
"""
#: a plugin that writes a file after the verdict was handed over (the second pass's business)
WRITES_AFTER_THE_VERDICT = """
import os
from pathlib import Path

def pytest_gonogo_verdict(config, verdict, results, document):
    Path("reports/staging/late.json").write_text('{"url": "/x?key=' + os.environ["API_TOKEN"] + '"}')
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("API_TOKEN", SECRET)
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "staging.toml").write_text(ENV)
    pytester.makeini("[pytest]\naddopts = --import-mode=importlib -p no:cacheprovider\n")
    for path, source in HEALTHY.items():
        add(pytester, path, source)
    return pytester


def add(pytester: pytest.Pytester, path: str, source: str) -> None:
    target = pytester.path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source)


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    result = pytester.runpytest_subprocess("--env", "staging", *args, timeout=120)
    gate = json.loads((pytester.path / "reports" / "staging" / "gate.json").read_text())
    return result, gate


def leak_messages(gate: dict[str, Any]) -> list[str]:
    return [reason["message"] for reason in gate["reasons"] if "was found in" in reason["message"]]


@pytest.mark.parametrize("mode", MODES)
def test_a_clean_run_is_go_and_the_sweep_finds_nothing(project: pytest.Pytester, mode: list[str]) -> None:
    result, gate = run(project, *mode)
    assert (gate["verdict"], result.ret) == ("GO", 0), result.stdout.str()
    assert leak_messages(gate) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_file_a_check_wrote_with_a_secret_makes_the_run_no_go_naming_it(
    project: pytest.Pytester, mode: list[str]
) -> None:
    add(project, "load/test_writer.py", WRITES_ITS_OWN_FILE)
    result, gate = run(project, *mode)
    assert (gate["verdict"], result.ret) == ("NO-GO", EXIT_CODES[Decision.NO_GO])
    (message,) = leak_messages(gate)
    assert "a secret (API_TOKEN) was found in reports/staging/custom/leak.txt" in message
    assert "(scrubbed)" in message
    leak = project.path / "reports" / "staging" / "custom" / "leak.txt"
    assert leak.read_text() == f"token={MASK}\n"
    output = result.stdout.str() + result.stderr.str()
    assert "internal-error: a secret (API_TOKEN) was found in reports/staging/custom/leak.txt" in output
    assert SECRET not in output
    assert SECRET not in (project.path / "reports" / "staging" / "deployment-report.md").read_text()


def test_a_secret_inside_embedded_base64_empties_the_file_and_fails_the_run(project: pytest.Pytester) -> None:
    # percent-encoded inside the blob: no base64 core to cut out, so the file itself goes
    blob = base64.b64encode(json.dumps({"url": "/x?k=" + SECRET.replace("-", "%2D")}).encode()).decode()
    page = f'<a href="data:application/json;base64,{blob}">'
    add(
        project,
        "load/test_embeds.py",
        "from pathlib import Path\n"
        "def test_embeds():\n"
        "    Path('reports/staging').mkdir(parents=True, exist_ok=True)\n"
        f"    Path('reports/staging/page.html').write_text({page!r})\n",
    )
    result, gate = run(project)
    assert (gate["verdict"], result.ret) == ("NO-GO", EXIT_CODES[Decision.NO_GO])
    (message,) = leak_messages(gate)
    assert "reports/staging/page.html after the run wrote it (replaced)" in message
    assert (project.path / "reports" / "staging" / "page.html").read_text() == NOTICE


def test_a_file_written_after_the_verdict_turns_gate_json_and_the_exit_code_no_go(
    project: pytest.Pytester,
) -> None:
    add(project, "conftest.py", WRITES_AFTER_THE_VERDICT)
    result, gate = run(project)
    assert (gate["verdict"], gate["exit_code"], result.ret) == ("NO-GO", 11, EXIT_CODES[Decision.NO_GO])
    (message,) = leak_messages(gate)
    assert "reports/staging/late.json" in message
    late = project.path / "reports" / "staging" / "late.json"
    assert json.loads(late.read_text()) == {"url": f"/x?key={MASK}"}
    report = (project.path / "reports" / "staging" / "deployment-report.md").read_text()
    assert "Secret found after the verdict" in report
    result.stdout.fnmatch_lines(
        ["*gonogo: NO-GO: a secret (API_TOKEN) was found in reports/staging/late.json*"]
    )
