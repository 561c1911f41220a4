"""README's tour is a real run: its console blocks are run, and the lines they quote must come out.

Held exactly, after ports, pids and milliseconds are normalised: the verdict line (counts, score, exit
code), every reason line, ``collected N items``, the verdict banner and each progress line of the
stage folders. The run's reports go to a temporary folder, so its ``gate.json:`` lines are not compared.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.runs import environ_without, run_python

README = REPO / "README.md"
CONSOLE = re.compile(r"```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)```", re.S)
HELD = re.compile(
    r"^(?:(?:GO|HOLD|NO-GO|ROLLBACK) for \S+: .*"
    r"|  - [a-z-]+: .*"
    r"|collected \d+ items"
    r"|=+ gonogo verdict: \S+ =+"
    r"|(?:checks|smoke|load)/test_\w+\.py [.sFE]+ +\[ *\d+%\])$"
)
VOLATILE = ((re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"), (re.compile(r"in \d+ ms"), "in N ms"))


def _normal(line: str) -> str:
    for pattern, replacement in VOLATILE:
        line = pattern.sub(replacement, line)
    return line.rstrip()


def _blocks() -> list[tuple[str, list[str]]]:
    found = []
    for match in CONSOLE.finditer(README.read_text(encoding="utf-8")):
        command = match.group("command")
        if "pytest --env demo" not in command:
            continue
        held = [_normal(line) for line in match.group("output").splitlines() if HELD.match(line)]
        found.append((command, held))
    return found


def test_readme_quotes_the_two_tour_runs() -> None:
    commands = [command for command, _ in _blocks()]
    assert commands == ["pytest --env demo", "GONOGO_DEMO_VERSION=9.9.9 pytest --env demo"]
    for command, held in _blocks():
        assert any(line.startswith(("GO for", "NO-GO for")) for line in held), command


@pytest.mark.parametrize(("command", "held"), _blocks(), ids=lambda value: str(value)[:40])
def test_the_tour_prints_what_readme_quotes(command: str, held: list[str], tmp_path: Path) -> None:
    words = shlex.split(command)
    env_vars = dict(word.split("=", 1) for word in words if re.fullmatch(r"[A-Z_]+=\S*", word))
    argv = [word for word in words if word not in {f"{k}={v}" for k, v in env_vars.items()}]
    assert argv[:3] == ["pytest", "--env", "demo"], argv
    env = environ_without((), prefixes=("GONOGO_", "DEPLOY_VERSION"), extra=env_vars)
    completed = run_python(
        "-m", *argv, f"--reports-dir={tmp_path}", "-p", "no:cacheprovider", cwd=REPO, env=env, timeout_s=600
    )
    printed = [_normal(line) for line in completed.stdout.splitlines()]
    missing = [line for line in held if line not in printed]
    assert not missing, f"README quotes lines the run did not print:\n{missing}\n\n{completed.stdout[-3000:]}"
    verdict = next(line for line in held if " for demo: " in line)
    code = int(verdict.rsplit("exit ", 1)[1])
    assert completed.returncode == code
