"""Mistakes in how pytest is invoked, caught before they cost a run: ``--env PATH`` with a space, bad
option values, no environment at all. Each is one usage error (exit 4) that names the fix."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteProject
from tests.plugin.gate_runs import GateSuite
from tests.support.runs import output, run_pytest


def test_env_path_given_with_a_space_is_a_usage_error_naming_the_equals_form(suite: GateSuite) -> None:
    # the file lives outside the project: pytest would root itself at its folder and lose the ini
    outside = suite.path.parent / f"{suite.path.name}-elsewhere"
    outside.mkdir()
    (outside / "staging.toml").write_text((suite.path / "environments" / "staging.toml").read_text())

    run = suite.run("--env", str(outside / "staging.toml"), env_name=None)

    assert run.ret == 4, run.output
    assert f"ERROR: --env {outside / 'staging.toml'}: pytest took" in run.stderr
    assert f"instead of {suite.path} with {suite.path / 'tox.ini'}" in run.stderr
    assert f"Write --env={outside / 'staging.toml'}" in run.stderr
    assert "collected" not in run.stdout


def test_env_path_with_equals_works(suite: GateSuite) -> None:
    run = suite.run(env_name="environments/staging.toml")

    assert (run.ret, run.gate and run.gate["verdict"]) == (0, "GO"), run.output


def test_a_path_option_split_in_pytest_addopts_is_caught_too(suite: GateSuite) -> None:
    outside = suite.path.parent / f"{suite.path.name}-reports"
    outside.mkdir()

    run = suite.run(env={"PYTEST_ADDOPTS": f"--reports-dir {outside}"})

    assert run.ret == 4, run.output
    assert f"Write --reports-dir={outside}" in run.stderr
    assert "configfile" not in run.stdout


def test_a_split_path_that_leaves_rootdir_and_ini_as_they_are_works(suite: GateSuite) -> None:
    # inside the project pytest finds the same ini from the path's folder upwards: nothing went wrong
    run = suite.run("--env", "environments/staging.toml", env_name=None)

    assert (run.ret, run.gate and run.gate["verdict"]) == (0, "GO"), run.output


def test_an_environment_name_that_is_no_path_may_take_a_space(suite: GateSuite) -> None:
    run = suite.run("--env", "staging", env_name=None)

    assert (run.ret, run.gate and run.gate["verdict"]) == (0, "GO"), run.output


#: each option: the start of its error (which ends ``, given: 'VALUE'``), and values it refuses
BAD_CLI_VALUES = {
    "--load-processes": ("argument --load-processes: must be a whole number >= 1", ["0", "-5", "two"]),
    "--notify-timeout": ("must be a finite number of seconds > 0", ["nan", "-1", "0", "inf"]),
}


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [(option, value, message) for option, (message, values) in BAD_CLI_VALUES.items() for value in values],
)
def test_cli_values_are_validated_like_the_file(
    suite: GateSuite, option: str, value: str, message: str
) -> None:
    run = suite.run(f"{option}={value}")

    assert run.ret == 4, run.output
    assert f"{message}, given: {value!r}" in run.stderr
    assert "Traceback" not in run.output


def test_valid_cli_values_are_accepted(suite: GateSuite) -> None:
    run = suite.run("--notify-timeout=2.5", "--load-processes=2")

    assert (run.ret, run.gate and run.gate["verdict"]) == (0, "GO"), run.output


def test_plain_pytest_without_an_environment_says_so_once(suite_project: SuiteProject) -> None:
    run = suite_project.run("-p", "no:randomly")

    assert run.returncode == 4, run.output
    assert run.output.count("need an environment") == 1
    assert "pass --env NAME (or set GONOGO_ENV, or ini gonogo_env). Environments in" in run.stderr
    assert "ERROR at setup" not in run.output


def test_plain_pytest_on_tests_that_need_no_environment_is_untouched(suite: GateSuite) -> None:
    completed = run_pytest("-q", cwd=suite.path, env=suite.environ(), timeout_s=120)

    assert completed.returncode == 0, output(completed)
