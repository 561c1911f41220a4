"""The release artifact, and gonogo used from it in a repository that holds only what `gonogo init` wrote.

Issue 12's walk-through, as a new user would take it: the wheel installed (not editable) into a fresh
venv, an empty folder, `gonogo init`, an environment file for the demo, then `pytest --env NAME`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gonogo.model import STAGE_ORDER
from gonogo.suite import catalog
from tests.adoption.conftest import (
    DEMO_APP_TOML,
    Artifacts,
    FreshVenv,
    wheel_members,
    wheel_metadata,
)
from tests.conftest import REPO
from tests.support.runs import Finished, run_python
from tests.support.tools import system_tool


def _project_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    assert match is not None
    return match.group(1)


def test_build_makes_an_sdist_and_a_wheel_that_twine_accepts(artifacts: Artifacts) -> None:
    completed = run_python(
        "-m", "twine", "check", "--strict", str(artifacts.wheel), str(artifacts.sdist), timeout_s=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.count("PASSED") == 2, completed.stdout


def test_the_wheel_metadata_is_what_an_index_shows(artifacts: Artifacts) -> None:
    metadata = wheel_metadata(artifacts.wheel)
    assert f"Version: {_project_version()}\n" in metadata
    assert "License-Expression: MIT\n" in metadata
    assert "License-File: LICENSE\n" in metadata
    for classifier in ("Framework :: Pytest", "Programming Language :: Python :: 3.11", "Typing :: Typed"):
        assert f"Classifier: {classifier}\n" in metadata
    urls = re.findall(r"^Project-URL: (\w+), (https://\S+)$", metadata, re.M)
    assert {name for name, _ in urls} >= {"Homepage", "Documentation", "Changelog", "Issues"}
    assert "Description-Content-Type: text/markdown" in metadata
    assert "## Use it in your repository" in metadata  # the README is the long description


def test_the_wheel_carries_the_built_in_suite_once_and_the_generator_lock(artifacts: Artifacts) -> None:
    members = wheel_members(artifacts.wheel)
    for folder in ("checks", "smoke", "load"):
        shipped = sorted(
            m.removeprefix("gonogo/suite/") for m in members if m.startswith(f"gonogo/suite/{folder}/")
        )
        in_repo = sorted(p.relative_to(REPO).as_posix() for p in (REPO / folder).glob("*.py") if p.is_file())
        assert shipped == in_repo, folder
    assert "gonogo/reporting/allure/package-lock.json" in members
    assert "gonogo/scaffold/templates/github-workflow.yml.tmpl" in members
    assert not [m for m in members if "__pycache__" in m or m.endswith(".pyc")]
    # the source tree's own suite folders are not packages anywhere else in the wheel
    assert not [m for m in members if m.startswith(("checks/", "smoke/", "load/"))]


def test_gonogo_version_matches_the_wheel(fresh_venv: FreshVenv, user_repo: Path) -> None:
    completed = fresh_venv.run("gonogo", "--version", cwd=user_repo)
    assert completed.returncode == 0, completed.output
    assert completed.stdout.strip() == f"gonogo {_project_version()}"
    where = fresh_venv.run("python", "-c", "import gonogo; print(gonogo.__file__)", cwd=user_repo)
    assert Path(where.stdout.strip()).is_relative_to(fresh_venv.root), where.output  # not this checkout


def _init_with_demo(fresh_venv: FreshVenv, repo: Path) -> None:
    init = fresh_venv.run("gonogo", "init", cwd=repo)
    assert init.returncode == 0, init.output
    (repo / "environments" / "demo-app.toml").write_text(DEMO_APP_TOML, encoding="utf-8")


def test_init_then_pytest_is_go_with_the_built_in_checks_in_stage_order(
    fresh_venv: FreshVenv, user_repo: Path
) -> None:
    _init_with_demo(fresh_venv, user_repo)
    # a project folder whose name sorts before smoke/: pytest would collect it first
    (user_repo / "load").mkdir()
    (user_repo / "load" / "test_after_switch.py").write_text(
        "def test_still_serving(http):\n    assert http.get('/health').status_code == 200\n"
    )
    run = fresh_venv.run("pytest", "--env", "demo-app", "-v", "-p", "no:randomly", cwd=user_repo)
    assert run.returncode == 0, run.output
    assert re.search(
        r"^GO for demo-app: \d+/\d+ counted checks passed, score 100\.0; exit 0$", run.stdout, re.M
    )
    gate = json.loads((user_repo / "reports" / "demo-app" / "gate.json").read_text())
    # gate.json lists the checks in the order they reported: here, one process, the order they ran
    ranks = [[stage.value for stage in STAGE_ORDER].index(check["stage"]) for check in gate["checks"]]
    assert ranks == sorted(ranks), [check["nodeid"] for check in gate["checks"]]
    ran = {check["nodeid"].split("::")[1].split("[")[0] for check in gate["checks"]}
    assert ran >= set(catalog.check_names())  # every built-in check reported (run or policy-skipped)
    by_id = {check["nodeid"]: check for check in gate["checks"]}
    assert by_id["gonogo/smoke/test_version.py::test_version"]["outcome"] == "passed"
    assert by_id["gonogo/load/test_latency.py::test_latency_under_load"]["stage"] == "postdeploy"
    assert by_id["load/test_after_switch.py::test_still_serving"]["outcome"] == "passed"
    assert gate["run"]["stages_run"] == ["precheck", "smoke", "postdeploy"]


def test_a_wrong_expected_version_is_no_go(fresh_venv: FreshVenv, user_repo: Path) -> None:
    _init_with_demo(fresh_venv, user_repo)
    run = fresh_venv.run(
        "pytest", "--env", "demo-app", "--stage", "smoke", cwd=user_repo, env={"DEPLOY_VERSION": "9.9.9"}
    )
    assert run.returncode == 11, run.output
    assert re.search(r"^NO-GO for demo-app: .*; exit 11$", run.stdout, re.M), run.stdout
    assert "critical-failed: Critical smoke check gonogo/smoke/test_version.py::test_version" in run.stdout


def test_a_users_failing_smoke_check_is_no_go_naming_it(fresh_venv: FreshVenv, user_repo: Path) -> None:
    _init_with_demo(fresh_venv, user_repo)
    (user_repo / "smoke").mkdir()
    # same file name as a built-in check: both are collected, neither shadows the other
    (user_repo / "smoke" / "test_health.py").write_text(
        "from gonogo import Environment\n\n\n"
        "def test_orders_page(http, environment: Environment):\n"
        "    response = http.get('/api/orders')\n"
        "    assert response.status_code == 200, f'GET /api/orders answered {response.status_code}'\n"
    )
    run = fresh_venv.run("pytest", "--env", "demo-app", "--stage", "smoke", cwd=user_repo)
    assert run.returncode == 11, run.output
    assert "critical-failed: Critical smoke check smoke/test_health.py::test_orders_page failed" in run.stdout
    gate = json.loads((user_repo / "reports" / "demo-app" / "gate.json").read_text())
    outcomes = {check["nodeid"]: check["outcome"] for check in gate["checks"]}
    assert outcomes["gonogo/smoke/test_health.py::test_health"] == "passed"
    assert outcomes["smoke/test_health.py::test_orders_page"] == "failed"


def test_gonogo_report_installs_the_pinned_generator_and_renders_html(
    fresh_venv: FreshVenv, user_repo: Path, tmp_path: Path
) -> None:
    system_tool("java", what="the Allure 2 generator")
    system_tool("npm", what="installing the pinned Allure generator")
    _init_with_demo(fresh_venv, user_repo)
    run = fresh_venv.run("pytest", "--env", "demo-app", "--stage", "smoke", cwd=user_repo)
    assert run.returncode == 0, run.output
    cache = tmp_path / "cache"

    def report() -> Finished:
        return fresh_venv.run(
            "gonogo", "report", "--env", "demo-app", cwd=user_repo, env={"GONOGO_CACHE_DIR": str(cache)},
            timeout_s=600,
        )  # fmt: skip

    # no allure on PATH, no GONOGO_ALLURE, no node_modules anywhere near: the first use installs it
    first = report()
    assert first.returncode == 0, first.output
    assert "installing the Allure 2 generator 2.46.1 into" in first.output
    assert not (user_repo / "package.json").exists()
    reports = user_repo / "reports" / "demo-app"
    html = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*.html"))
    assert html, first.output
    again = report()
    assert again.returncode == 0, again.output
    assert "installing" not in again.output  # the cache is reused
