"""The built-in suite beside a project's own checks, from this checkout (the wheel's tests do it installed).

Each run is a real `pytest --env` in a folder outside this repository, against a demo gonogo launches.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gonogo.suite import catalog
from tests.adoption.conftest import DEMO_APP_TOML
from tests.conftest import REPO
from tests.support.runs import environ_without, run_gonogo, run_pytest

XDIST_LINE = re.compile(
    r"^\[(gw\d+)\] \[\s*\d+%\] (?:PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS) (.+?)\s*$", re.M
)
#: only precheck and smoke: quick, and enough to see collection, order and the gate
SMOKE_ONLY = ("--stage", "precheck", "--stage", "smoke")


#: the outer run's variables that would bind a project's run to something else than the test says
OUTER = ("GONOGO_", "DEPLOY_VERSION", "PYTEST_")


def _pytest(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    child = environ_without((), prefixes=OUTER, extra=env)
    return run_pytest("-p", "no:cacheprovider", *args, cwd=project, env=child, timeout_s=300)


def _gate(project: Path, name: str = "demo-app") -> dict[str, Any]:
    document: dict[str, Any] = json.loads((project / "reports" / name / "gate.json").read_text())
    return document


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "demo-app.toml").write_text(DEMO_APP_TOML, encoding="utf-8")
    return root


def test_an_environment_file_alone_runs_the_built_in_checks_it_configures(project: Path) -> None:
    run = _pytest(project, "--env", "demo-app", *SMOKE_ONLY)
    assert run.returncode == 0, run.stdout + run.stderr
    outcomes = {c["nodeid"]: c["outcome"] for c in _gate(project)["checks"]}
    assert outcomes["gonogo/smoke/test_health.py::test_health"] == "passed"
    assert outcomes["gonogo/smoke/test_routes.py::test_route[list items]"] == "passed"
    assert outcomes["gonogo/checks/test_config.py::test_environment_file_is_valid"] == "passed"
    # what the file does not configure is a policy skip, not a silent absence
    assert outcomes["gonogo/checks/test_rollback.py::test_rollback_ready"] == "skipped"
    assert all(nodeid.startswith("gonogo/") for nodeid in outcomes)


def test_without_the_environment_nothing_of_the_suite_is_collected(project: Path) -> None:
    (project / "test_unit.py").write_text("def test_plain():\n    assert True\n")
    run = _pytest(project, "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert "gonogo/" not in run.stdout


def test_the_projects_checks_join_the_same_gate_with_the_same_fixtures(project: Path) -> None:
    (project / "smoke").mkdir()
    (project / "smoke" / "test_version.py").write_text(  # the built-in suite has a file of this name too
        "def test_items_are_listed(http, expected_version):\n"
        "    assert http.get('/api/items').status_code == 200\n"
        "    assert expected_version == '1.4.2'\n"
    )
    (project / "elsewhere").mkdir()
    (project / "elsewhere" / "test_marked.py").write_text(
        "import pytest\n\n\n@pytest.mark.precheck\ndef test_marked_precheck(environment):\n"
        "    assert environment.base_url.startswith('http://127.0.0.1:')\n"
    )
    run = _pytest(project, "--env", "demo-app", *SMOKE_ONLY)
    assert run.returncode == 0, run.stdout + run.stderr
    checks = {c["nodeid"]: c for c in _gate(project)["checks"]}
    assert checks["smoke/test_version.py::test_items_are_listed"]["stage"] == "smoke"
    assert checks["gonogo/smoke/test_version.py::test_version"]["outcome"] == "passed"
    assert checks["elsewhere/test_marked.py::test_marked_precheck"]["stage"] == "precheck"


def test_stages_run_in_gonogos_order_whatever_the_folder_names(project: Path) -> None:
    # alphabetically a_load/ comes first; its checks are postdeploy by marker, checks/ precheck by folder
    (project / "a_load").mkdir()
    (project / "a_load" / "test_first_alphabetically.py").write_text(
        "import pytest\n\n\n@pytest.mark.postdeploy\ndef test_after_everything(http):\n    assert True\n"
    )
    (project / "checks").mkdir()
    (project / "checks" / "test_z.py").write_text("def test_mine_before_deploy(environment):\n    pass\n")
    run = _pytest(project, "--env", "demo-app", "-p", "no:randomly", "--builtin-checks=off", "-v")
    assert run.returncode == 11, run.stdout + run.stderr  # NO-GO: no smoke check at all (empty-stage)
    order = [c["nodeid"] for c in _gate(project)["checks"]]
    assert order == [
        "checks/test_z.py::test_mine_before_deploy",
        "a_load/test_first_alphabetically.py::test_after_everything",
    ]


def test_under_xdist_every_worker_runs_its_share_in_stage_order(project: Path) -> None:
    (project / "a_load").mkdir()
    (project / "a_load" / "test_post.py").write_text(
        "import pytest\n\n\n"
        + "".join(f"@pytest.mark.postdeploy\ndef test_post_{i}():\n    pass\n\n\n" for i in range(4))
    )
    run = _pytest(project, "--env", "demo-app", "-n", "2", "-v")
    assert run.returncode == 0, run.stdout + run.stderr
    rank = {"precheck": 0, "smoke": 1, "postdeploy": 2}
    stages = {c["nodeid"]: c["stage"] for c in _gate(project)["checks"]}
    finished: dict[str, list[str]] = {}
    # `-v` under xdist prints `[gwN] [ pct%] OUTCOME nodeid` as each check finishes on that worker
    for worker, nodeid in XDIST_LINE.findall(run.stdout):
        finished.setdefault(worker, []).append(nodeid)
    # on a loaded machine one worker may take the whole queue; the order rule holds for each that ran
    assert finished, run.stdout
    assert set(finished) <= {"gw0", "gw1"}, run.stdout
    assert sum(map(len, finished.values())) == len(stages)
    for worker, nodeids in finished.items():
        ranks = [rank[stages[nodeid]] for nodeid in nodeids]
        assert ranks == sorted(ranks), (worker, nodeids)


def test_a_built_in_check_is_switched_off_by_name(project: Path) -> None:
    text = (project / "environments" / "demo-app.toml").read_text()
    (project / "environments" / "demo-app.toml").write_text(
        text + '\n[builtin]\ndisable = ["test_security_headers", "test_dns_resolves"]\n'
    )
    run = _pytest(project, "--env", "demo-app", *SMOKE_ONLY)
    assert run.returncode == 0, run.stdout + run.stderr
    checks = {c["nodeid"]: c for c in _gate(project)["checks"]}
    off = checks["gonogo/smoke/test_security_headers.py::test_security_headers"]
    assert off["outcome"] == "skipped"
    assert off["policy_skip"] is True
    assert off["message"] == (
        "built-in check test_security_headers switched off in environments/demo-app.toml [builtin].disable"
    )
    assert checks["gonogo/checks/test_network.py::test_dns_resolves"]["policy_skip"] is True
    assert checks["gonogo/smoke/test_health.py::test_health"]["outcome"] == "passed"


def test_a_misspelt_built_in_check_name_is_a_usage_error(project: Path) -> None:
    text = (project / "environments" / "demo-app.toml").read_text()
    (project / "environments" / "demo-app.toml").write_text(text + '\n[builtin]\ndisable = ["test_helth"]\n')
    run = _pytest(project, "--env", "demo-app")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "builtin.disable: no built-in check named 'test_helth' (did you mean 'test_health'?)" in run.stderr


def test_builtin_checks_off_leaves_only_the_projects_checks(project: Path) -> None:
    (project / "smoke").mkdir()
    (project / "smoke" / "test_mine.py").write_text("def test_mine(http):\n    assert True\n")
    for args, env in ((("--builtin-checks=off",), {}), ((), {"GONOGO_BUILTIN_CHECKS": "off"})):
        run = _pytest(project, "--env", "demo-app", "--stage", "smoke", *args, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        assert [c["nodeid"] for c in _gate(project)["checks"]] == ["smoke/test_mine.py::test_mine"]
    bad = _pytest(project, "--env", "demo-app", env={"GONOGO_BUILTIN_CHECKS": "maybe"})
    assert bad.returncode == 4
    assert "GONOGO_BUILTIN_CHECKS must be on or off, given: 'maybe'" in bad.stderr


def test_paths_on_the_command_line_run_exactly_those(project: Path) -> None:
    (project / "smoke").mkdir()
    (project / "smoke" / "test_mine.py").write_text("def test_mine(http):\n    assert True\n")
    run = _pytest(project, "--env", "demo-app", "smoke/test_mine.py")
    checks = [c["nodeid"] for c in _gate(project)["checks"]]
    assert checks == ["smoke/test_mine.py::test_mine"], run.stdout


def test_inside_this_repository_nothing_is_collected_twice() -> None:
    child = environ_without((), prefixes=("GONOGO_", "DEPLOY_VERSION"))
    run = run_pytest(
        "--env", "demo", "--collect-only", "-q", "-p", "no:cacheprovider", cwd=REPO, env=child, timeout_s=300
    )  # fmt: skip
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    assert ids, run.stdout + run.stderr
    assert len(ids) == len(set(ids))
    assert not [nodeid for nodeid in ids if nodeid.startswith("gonogo/")]
    names = {nodeid.split("::")[1].split("[")[0] for nodeid in ids}
    assert names == set(catalog.check_names())  # every built-in check once, under its own folder


def test_the_built_in_check_names_are_unique() -> None:
    names = catalog.check_names()
    assert len(names) >= 15
    assert len(names) == len(set(names))


def test_gonogo_checks_lists_them_and_marks_those_switched_off(project: Path) -> None:
    text = (project / "environments" / "demo-app.toml").read_text()
    (project / "environments" / "demo-app.toml").write_text(text + '\n[builtin]\ndisable = ["test_watch"]\n')
    run = run_gonogo("checks", "--env", "demo-app", cwd=project, timeout_s=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["stage", "name", "file", "what", "it", "verifies"]
    rows = {line.split()[1]: line for line in lines[1:]}
    assert set(rows) == set(catalog.check_names())
    assert rows["test_watch"].endswith("(off)")
    assert rows["test_version"].startswith("smoke ")
    assert not rows["test_version"].endswith("(off)")
