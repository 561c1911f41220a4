"""`gonogo init`: what it writes, that the environment files validate, and that it never overwrites."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from gonogo import scaffold
from gonogo.environment import load
from gonogo.environment.reference import markdown
from tests.support.runs import environ_without, run_gonogo

WRITTEN = [relative for _, relative in scaffold.FILES]


def _gonogo(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    child = environ_without(("DEPLOY_VERSION",), prefixes=("GONOGO_",), extra=env)
    return run_gonogo(*args, cwd=cwd, env=child, timeout_s=60)


def test_init_writes_the_environments_a_conftest_and_both_ci_files(tmp_path: Path) -> None:
    run = _gonogo("init", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert WRITTEN == [
        "environments/staging.toml",
        "environments/production.toml",
        "conftest.py",
        ".github/workflows/gonogo.yml",
        ".gitlab-ci.yml",
    ]
    for relative in WRITTEN:
        assert (tmp_path / relative).is_file(), relative
        assert f"  wrote       {relative}\n" in run.stdout
        assert (tmp_path / relative).stat().st_mode & 0o044, relative  # readable by the CI user too


def test_the_environment_files_validate_with_the_variables_they_name(tmp_path: Path) -> None:
    _gonogo("init", cwd=tmp_path)
    for name, secret in (("staging", "API_TOKEN"), ("production", "PRODUCTION_API_TOKEN")):
        unset = _gonogo("validate", name, cwd=tmp_path)
        assert unset.returncode == 4, unset.stdout
        assert "${DEPLOY_VERSION} is not set" in unset.stderr
        run = _gonogo("validate", name, cwd=tmp_path, env={"DEPLOY_VERSION": "1.4.3", secret: "x"})
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith(f"environments/{name}.toml: valid (")


def test_production_is_sensitive_and_staging_is_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scaffold.init(tmp_path)
    monkeypatch.setenv("DEPLOY_VERSION", "1.4.3")
    staging = load("staging", tmp_path / "environments").model
    production = load("production", tmp_path / "environments").model
    assert staging.sensitive is False
    assert production.sensitive is True
    assert production.secret_names() == ["PRODUCTION_API_TOKEN"]


COMMENTED_KEY = re.compile(r"^# ((?:\[[a-z_.]+\].*)|(?:[a-z_]+ = .*))$")


def test_every_key_of_the_staging_file_is_documented_and_the_commented_examples_are_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scaffold.init(tmp_path)
    path = tmp_path / "environments" / "staging.toml"
    text = path.read_text()
    assert "gonogo schema --markdown" in text  # where every key is explained
    reference = markdown()
    keys = re.findall(r"^(?:# )?([a-z_]+) = ", text, re.M)
    assert len(keys) >= 30
    undocumented = sorted({key for key in keys if f"`{key}`" not in reference})
    assert not undocumented
    # the commented-out examples, switched on, still make a valid file
    uncommented = "\n".join(
        match.group(1).split("  #")[0] if (match := COMMENTED_KEY.match(line)) else line
        for line in text.splitlines()
    )
    assert uncommented.count("\n[precheck]") == 1
    assert uncommented.count("\n[baseline]") == 1
    path.write_text(uncommented)
    monkeypatch.setenv("DEPLOY_VERSION", "1.4.3")
    model = load("staging", tmp_path / "environments").model
    assert model.baseline is not None
    assert model.precheck.junit == ["reports/qa/*.xml"]
    assert model.routes[0].schema_file == "schemas/items.json"


def test_init_never_overwrites_and_says_which_files_it_left_alone(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("# mine\n")
    run = _gonogo("init", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "conftest.py").read_text() == "# mine\n"
    assert "  left alone  conftest.py (it exists; `gonogo init --force` replaces it)" in run.stdout
    assert "  wrote       environments/staging.toml" in run.stdout
    again = _gonogo("init", cwd=tmp_path)
    assert again.stdout.count("left alone") == len(WRITTEN)
    forced = _gonogo("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "  replaced    conftest.py" in forced.stdout
    assert (tmp_path / "conftest.py").read_text() == scaffold.render("conftest.py.tmpl")


def test_the_ci_files_install_the_gonogo_that_wrote_them(tmp_path: Path) -> None:
    scaffold.init(tmp_path, version="9.8.7")
    for relative in (".github/workflows/gonogo.yml", ".gitlab-ci.yml"):
        text = (tmp_path / relative).read_text()
        assert 'GONOGO_VERSION: "9.8.7"' in text, relative
        assert scaffold.VERSION_TOKEN not in text
