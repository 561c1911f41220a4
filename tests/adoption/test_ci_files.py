"""The CI files `gonogo init` writes: valid for their CI systems, and their commands work as written.

The schema checks use the keys each system documents as required: a GitHub Actions workflow needs ``on``
and ``jobs``, each job ``runs-on`` and ``steps``, each step exactly one of ``uses`` or ``run``; a GitLab
CI job needs ``script`` (directly or through ``extends``) and a ``stage`` listed in ``stages``. Then the
shell of every ``run:`` step and every job's ``before_script`` + ``script`` runs, in the order the CI
would run them, with the fresh venv's gonogo against the demo. Steps that call a GitHub action
(``uses:``: checkout, setup-python, upload-artifact) are the CI's own and are not run here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from gonogo import __version__
from tests.adoption.conftest import DEMO_APP_TOML, FreshVenv

GITLAB_RESERVED = {
    "default", "include", "stages", "variables", "workflow", "image", "services", "cache",
    "before_script", "after_script",
}  # fmt: skip
JOB_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
#: what GitHub fills in from `${{ ... }}` expressions, for the demo
EXPRESSIONS = {"${{ github.sha }}": "1.4.2", "${{ secrets.API_TOKEN }}": "demo-token"}


def _init(fresh_venv: FreshVenv, repo: Path) -> None:
    completed = fresh_venv.run("gonogo", "init", cwd=repo)
    assert completed.returncode == 0, completed.output
    (repo / "environments" / "demo-app.toml").write_text(DEMO_APP_TOML, encoding="utf-8")


def _load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def _github(repo: Path) -> dict[str, Any]:
    workflow = _load(repo / ".github" / "workflows" / "gonogo.yml")
    # YAML 1.1 reads a bare `on` key as true; GitHub reads it as "on"
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def _expand(value: str) -> str:
    for expression, replacement in EXPRESSIONS.items():
        value = value.replace(expression, replacement)
    assert "${{" not in value, f"an expression the test does not know: {value}"
    return value


def _job_order(jobs: dict[str, Any]) -> list[str]:
    order: list[str] = []
    while len(order) < len(jobs):
        ready = [
            name
            for name, job in jobs.items()
            if name not in order and all(need in order for need in _needs(job))
        ]
        assert ready, f"a cycle in needs: {jobs.keys() - set(order)}"
        order += ready
    return order


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def test_the_github_workflow_has_the_keys_github_requires(fresh_venv: FreshVenv, user_repo: Path) -> None:
    _init(fresh_venv, user_repo)
    workflow = _github(user_repo)
    assert workflow["on"], "a workflow needs `on`"
    jobs = workflow["jobs"]
    assert list(jobs) == ["precheck", "deploy", "smoke", "switch", "postdeploy"]
    for name, job in jobs.items():
        assert JOB_ID.match(name), name
        assert isinstance(job["runs-on"], str), name
        assert all(need in jobs for need in _needs(job)), name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
    assert workflow["env"]["GONOGO_VERSION"] == __version__
    for name in ("precheck", "smoke", "postdeploy"):
        steps = jobs[name]["steps"]
        installs = [s["run"] for s in steps if "pip install" in s.get("run", "")]
        assert installs == ['python -m pip install "gonogo==$GONOGO_VERSION"'], name
        uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert len(uploads) == 1, name
        assert uploads[0]["if"] == "always()", name
        assert uploads[0]["with"]["path"] == "reports/", name
        gate = next(s["run"] for s in steps if "pytest --env" in s.get("run", ""))
        assert f'pytest --env "$GONOGO_ENV" --stage {name}' in gate
    assert _job_order(jobs) == ["precheck", "deploy", "smoke", "switch", "postdeploy"]


def test_the_gitlab_pipeline_has_the_keys_gitlab_requires(fresh_venv: FreshVenv, user_repo: Path) -> None:
    _init(fresh_venv, user_repo)
    pipeline = _load(user_repo / ".gitlab-ci.yml")
    stages = pipeline["stages"]
    assert stages == ["precheck", "deploy", "smoke", "switch", "postdeploy"]
    jobs = _gitlab_jobs(pipeline)
    assert [job["stage"] for job in jobs.values()] == stages
    for name, job in jobs.items():
        assert all(isinstance(line, str) for line in job["script"]), name
    for name in ("gonogo-precheck", "gonogo-smoke", "gonogo-postdeploy"):
        job = jobs[name]
        assert job["artifacts"]["when"] == "always", name
        assert "reports/" in job["artifacts"]["paths"], name
        assert 'python -m pip install "gonogo==$GONOGO_VERSION"' in job["before_script"], name
    assert pipeline["variables"]["GONOGO_VERSION"] == __version__


def _gitlab_jobs(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Jobs with `extends` resolved (one level, as these files use it), in file order."""
    jobs = {}
    for name, body in pipeline.items():
        if name in GITLAB_RESERVED or name.startswith("."):
            continue
        job = dict(body)
        parent = job.pop("extends", None)
        if parent is not None:
            job = {**pipeline[parent], **job}
        assert "script" in job, f"GitLab needs `script` in job {name}"
        assert job["stage"] in pipeline["stages"], name
        jobs[name] = job
    return jobs


def _bash(fresh_venv: FreshVenv, repo: Path, script: str, env: dict[str, str]) -> tuple[int, str]:
    # GitHub runs `shell: bash` steps as `bash --noprofile --norc -eo pipefail {0}`; GitLab's bash
    # executor stops at the first failing line too
    completed = fresh_venv.run(
        "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script, cwd=repo, env=env, timeout_s=300
    )
    return completed.returncode, completed.output


def _github_env(workflow: dict[str, Any], repo: Path, **extra: str) -> dict[str, str]:
    env = {key: _expand(str(value)) for key, value in workflow["env"].items()}
    env.update(GONOGO_ENV="demo-app", GITHUB_STEP_SUMMARY=str(repo / "github-summary.md"))
    env.update(extra)
    return env


ON_OUTPUT = re.compile(r"^failure\(\) && steps\.(\w+)\.outputs\.(\w+) == '(\w+)'$")


def _outputs(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def _run_github_job(
    fresh_venv: FreshVenv, repo: Path, workflow: dict[str, Any], name: str, **extra: str
) -> dict[str, tuple[int, str]]:
    """The job's `run:` steps as GitHub runs them: after a failure only `if: failure() && ...` steps."""
    ran: dict[str, tuple[int, str]] = {}
    outputs: dict[str, dict[str, str]] = {}
    failed = False
    for index, step in enumerate(workflow["jobs"][name]["steps"]):
        if "run" not in step:
            continue
        condition = step.get("if")
        if condition is None and failed:
            continue
        if condition is not None:
            match = ON_OUTPUT.match(condition)
            assert match, f"a condition the test does not know: {condition}"
            step_id, key, wanted = match.groups()
            if not failed or outputs.get(step_id, {}).get(key) != wanted:
                continue
        output_file = repo / f"github-output-{name}-{index}"
        env = _github_env(workflow, repo, **extra, GITHUB_OUTPUT=str(output_file))
        env.update({key: _expand(str(value)) for key, value in step.get("env", {}).items()})
        code, output = _bash(fresh_venv, repo, _expand(step["run"]), env)
        ran[step.get("name", step["run"])] = (code, output)
        if "id" in step:
            outputs[step["id"]] = _outputs(output_file)
        failed = failed or code != 0
    return ran


def test_the_github_workflow_runs_as_written_to_go(fresh_venv: FreshVenv, user_repo: Path) -> None:
    _init(fresh_venv, user_repo)
    workflow = _github(user_repo)
    steps = 0
    for name in _job_order(workflow["jobs"]):
        for step, (code, output) in _run_github_job(fresh_venv, user_repo, workflow, name).items():
            assert code == 0, f"{name} / {step}: exit {code}\n{output}"
            steps += 1
    assert steps == 8  # 3 installs, 3 gonogo stages, the deploy and switch placeholders; no rollback
    # gonogo appended its deployment report to the job summary in each of the three stages
    assert (user_repo / "github-summary.md").read_text().count("DEPLOYMENT REPORT") == 3
    assert (user_repo / "reports" / "demo-app" / "gate.json").is_file()  # what the artifact keeps


def test_the_github_workflow_stops_on_no_go_and_rolls_back_on_rollback(
    fresh_venv: FreshVenv, user_repo: Path
) -> None:
    _init(fresh_venv, user_repo)
    workflow = _github(user_repo)
    smoke = _run_github_job(fresh_venv, user_repo, workflow, "smoke", DEPLOY_VERSION="9.9.9")
    code, output = smoke["gonogo smoke"]
    assert code == 11, output
    assert "::error::gonogo smoke: exit 11 (NO-GO or a usage error): traffic stays where it is" in output
    post = _run_github_job(fresh_venv, user_repo, workflow, "postdeploy", GONOGO_DEMO_ERROR_RATE="0.5")
    assert post["gonogo postdeploy"][0] == 12, post["gonogo postdeploy"][1]
    assert "::error::ROLLBACK" in post["gonogo postdeploy"][1]
    assert post["Roll back"][0] == 0  # the rollback step ran, because the exit code was 12


def test_the_gitlab_pipeline_runs_as_written_to_go_and_rolls_back_on_rollback(
    fresh_venv: FreshVenv, user_repo: Path
) -> None:
    _init(fresh_venv, user_repo)
    pipeline = _load(user_repo / ".gitlab-ci.yml")
    variables = {key: str(value) for key, value in pipeline["variables"].items()}
    variables.update(GONOGO_ENV="demo-app", DEPLOY_VERSION="1.4.2")
    for name, job in _gitlab_jobs(pipeline).items():
        script = "\n".join([*job.get("before_script", []), *job["script"]])
        code, output = _bash(fresh_venv, user_repo, script, variables)
        assert code == 0, f"{name}: exit {code}\n{output}"
    post = _gitlab_jobs(pipeline)["gonogo-postdeploy"]
    script = "\n".join([*post["before_script"], *post["script"]])
    code, output = _bash(fresh_venv, user_repo, script, {**variables, "GONOGO_DEMO_ERROR_RATE": "0.5"})
    assert code == 12, output
    assert "ROLLBACK - send demo-app traffic back to the previous deployment here" in output
