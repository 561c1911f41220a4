"""Bad environment files through `pytest --env`: exit 4 before any test runs, never INTERNALERROR."""

from __future__ import annotations

import pytest

MINIMAL = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n'


@pytest.fixture(autouse=True)
def _clean_gonogo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GONOGO_ENV", "GONOGO_ENV_DIR", "GONOGO_STAGES", "DEPLOY_VERSION"):
        monkeypatch.delenv(name, raising=False)


def run_with(pytester: pytest.Pytester, text: str) -> pytest.RunResult:
    folder = pytester.path / "environments"
    folder.mkdir(exist_ok=True)
    (folder / "staging.toml").write_text(text, encoding="utf-8")
    pytester.makepyfile("def test_x(): pass")
    return pytester.runpytest("--env", "staging")


def test_a_deeply_nested_file_is_a_usage_error_not_an_internal_error(pytester: pytest.Pytester) -> None:
    result = run_with(pytester, MINIMAL + "x = " + "[" * 3000 + "]" * 3000 + "\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: environments/staging.toml: line 3: x: nested more than 32 levels deep*"]
    )
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert "test_x" not in result.stdout.str()


@pytest.mark.parametrize(
    ("table", "line"),
    [
        (
            '[http]\nverify_tls = "no"\n',
            "  - http.verify_tls: Input should be a valid boolean. Fix: write true or false*",
        ),
        ("[load]\np95_ms = inf\n", "  - load.p95_ms: Input should be a finite number. Fix: *"),
        (
            '[health]\npath = "//other-host.example.test/health"\n',
            "  - health.path: must be a path starting with*",
        ),
        (
            '[precheck]\njunit = ["/var/log/**/*.xml"]\n',
            "  - precheck.junit[[]0]: must be relative to the project root*",
        ),
    ],
)
def test_values_that_would_change_meaning_stop_the_run_naming_file_and_key(
    pytester: pytest.Pytester, table: str, line: str
) -> None:
    result = run_with(pytester, MINIMAL + table)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: environments/staging.toml: 1 problem(s) in the environment file:", line]
    )
    assert "test_x" not in result.stdout.str()


def test_a_file_the_environment_names_that_is_missing_stops_the_run_before_any_test(
    pytester: pytest.Pytester,
) -> None:
    result = run_with(
        pytester, MINIMAL + '[precheck]\nlockfiles = ["uv.lock"]\nwrangler_toml = "wrangler.toml"\n'
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: environments/staging.toml: 2 problem(s) with the files it names:",
            "  - precheck.lockfiles[[]0]: 'uv.lock' is not a file under the project root*",
            "  - precheck.wrangler_toml: 'wrangler.toml' is not a file under the project root*",
        ]
    )
    assert "test_x" not in result.stdout.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_a_run_without_the_precheck_stage_does_not_need_the_precheck_files(pytester: pytest.Pytester) -> None:
    folder = pytester.path / "environments"
    folder.mkdir()
    (folder / "staging.toml").write_text(MINIMAL + '[precheck]\nlockfiles = ["uv.lock"]\n', encoding="utf-8")
    pytester.makepyfile("import pytest\n\n@pytest.mark.smoke\ndef test_x(): pass\n")
    result = pytester.runpytest("--env", "staging", "--stage", "smoke")
    assert "problem(s) with the files it names" not in result.stderr.str()
    result.assert_outcomes(passed=1)
