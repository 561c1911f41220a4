"""Stages from folders and markers, --stage selection, and the sensitive-environment policy."""

from __future__ import annotations

import pytest

ENV = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n'


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "staging.toml").write_text(ENV)
    (pytester.path / "environments" / "production.toml").write_text(ENV + "sensitive = true\n")
    for folder in ("checks", "smoke", "load", "other"):
        (pytester.path / folder).mkdir()
    (pytester.path / "checks" / "test_pre.py").write_text("def test_pre(): pass\n")
    (pytester.path / "smoke" / "test_smoke.py").write_text(
        "import pytest\n"
        "def test_smoke(): pass\n"
        "@pytest.mark.postdeploy\n"
        "def test_marked_postdeploy(): pass\n"
        "@pytest.mark.destructive\n"
        "def test_destructive(): pass\n"
    )
    (pytester.path / "load" / "test_load.py").write_text("def test_load(): pass\n")
    (pytester.path / "other" / "test_other.py").write_text("def test_other(): pass\n")
    pytester.makeini("[pytest]\naddopts = --import-mode=importlib\n")
    return pytester


def test_stage_comes_from_the_folder_and_a_marker_overrides_it(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--env", "staging", "-m", "postdeploy", "-v")
    result.stdout.fnmatch_lines(["*load/test_load.py::test_load PASSED*", "*test_marked_postdeploy PASSED*"])
    result.assert_outcomes(passed=2, deselected=4)


def test_stage_option_selects_stages_and_is_repeatable(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--env", "staging", "--stage", "precheck", "--stage", "postdeploy", "-v")
    result.assert_outcomes(passed=3, deselected=3)
    result.stdout.fnmatch_lines(["gonogo: stages precheck, postdeploy"])
    assert "test_other" not in result.stdout.str()


def test_stage_from_environment_variable(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONOGO_STAGES", "smoke")
    result = suite.runpytest("--env", "staging")
    result.assert_outcomes(passed=2, deselected=4)


def test_unknown_stage_is_a_usage_error(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--env", "staging", "--stage", "smok")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["ERROR: --stage: unknown stage 'smok'; choose from precheck, smoke, postdeploy"]
    )


def test_stage_markers_are_registered_strictly(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.precheck:*", "@pytest.mark.smoke:*", "@pytest.mark.postdeploy:*"]
    )


def test_sensitive_environment_skips_destructive_checks_naming_it(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--env", "production", "-rs")
    result.assert_outcomes(passed=5, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "gonogo: sensitive environment: destructive checks skipped",
            "SKIPPED*destructive check skipped on sensitive environment 'production' "
            "(pass --allow-destructive to run it)",
        ]
    )


def test_allow_destructive_runs_them_on_a_sensitive_environment(suite: pytest.Pytester) -> None:
    suite.runpytest("--env", "production", "--allow-destructive").assert_outcomes(passed=6)


def test_non_sensitive_environment_runs_everything(suite: pytest.Pytester) -> None:
    suite.runpytest("--env", "staging").assert_outcomes(passed=6)
