"""What a run pays for at start-up: the plugin loads at every ``pytest`` start, so what only some checks
need (the load generator, the comparison's statistics) is imported when those checks run (issue 16,
docs/load.md: what a smoke stage costs)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from tests.conftest import DemoProcess
from tests.support.runs import NESTED_RUN_VARS, environ_without, run_python

#: what only the load check, the comparison and the watch need (locust's gevent would also patch pytest)
HEAVY = ("locust", "gevent", "scipy", "numpy", "hdrh")
#: what only a precheck reading a lock file, a wrangler config or a certificate needs: the parsers of
#: those formats, imported when one is read (the prechecks' modules are collected by every run)
PARSERS = ("yaml", "pyjson5", "nodesemver", "cryptography")

#: prints (last, as JSON) which of HEAVY and PARSERS this interpreter imported by then
_REPORT = (
    "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
    f"{set(HEAVY + PARSERS)!r})))"
)


def _imported(output: str) -> list[str]:
    return list(json.loads(output.strip().splitlines()[-1]))


def test_loading_the_plugin_imports_no_load_generator_no_statistics_and_no_parsers() -> None:
    done = run_python("-c", f"import gonogo.plugin; {_REPORT}")
    assert done.returncode == 0, done.stderr
    assert _imported(done.stdout) == []


def test_a_smoke_stage_imports_no_load_generator_no_statistics_and_no_parsers(
    tmp_path: Path, demo: Callable[..., DemoProcess]
) -> None:
    target = demo()
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "cost.toml").write_text(
        f'base_url = "{target.url}"\nexpected_version = "1.4.2"\n\n'
        '[health]\npath = "/health"\n\n[version]\npath = "/version"\nfield = "version"\n\n'
        '[[routes]]\nname = "list items"\npath = "/api/items"\n',
        encoding="utf-8",
    )
    # the built-in suite, whole: its precheck and postdeploy modules are collected (then deselected) too
    args = ["--env", "cost", "--stage", "smoke", "-p", "no:cacheprovider", "-p", "no:randomly"]
    code = f"import sys, pytest; code = pytest.main({args!r}); {_REPORT}; sys.exit(code)"
    env = environ_without(NESTED_RUN_VARS, extra={"GONOGO_BUILTIN_CHECKS": "on"})
    done = run_python("-c", code, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gonogo verdict: GO" in done.stdout
    gate = json.loads((tmp_path / "reports" / "cost" / "gate.json").read_text(encoding="utf-8"))
    assert gate["verdict"] == "GO"
    assert any(check["nodeid"].startswith("gonogo/smoke/") for check in gate["checks"])
    assert _imported(done.stdout) == [], os.linesep.join(done.stdout.splitlines()[-5:])
