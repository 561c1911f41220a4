"""Where the pytest wing hands text to the redactor: the run header (URL credentials and interpolated
values in it, warnings about values too short to scrub), junit.xml's skip messages and properties, collection
reports, and ``gonogo validate``. Each secret is set through the environment, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PASSWORD = "ci-pass=word-41f9"
KEY = "path-prefix-key+=-83c2"
ENV = (
    'base_url = "http://ci:${API_PASS}@127.0.0.1:9/${API_KEY}"\n'
    'expected_version = "1.0.0"\n'
    '[secrets]\nrequired = ["SHORT_SECRET"]\n'
)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("API_PASS", PASSWORD)
    monkeypatch.setenv("API_KEY", KEY)
    monkeypatch.setenv("SHORT_SECRET", "tiny5")
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "staging.toml").write_text(ENV)
    pytester.makeini("[pytest]\naddopts = --import-mode=importlib -p no:cacheprovider\n")
    return pytester


def test_the_header_masks_credentials_and_interpolated_values(project: pytest.Pytester) -> None:
    project.makepyfile(test_ok="def test_ok(): pass\n")
    result = project.runpytest_subprocess("--env", "staging", "--collect-only", timeout=120)
    result.stdout.fnmatch_lines(["gonogo: base URL http://***@127.0.0.1:9/***"])
    output = result.stdout.str() + result.stderr.str()
    assert PASSWORD not in output
    assert KEY not in output


def test_a_secret_too_short_to_scrub_is_warned_about_by_name(project: pytest.Pytester) -> None:
    project.makepyfile(test_ok="def test_ok(): pass\n")
    result = project.runpytest_subprocess("--env", "staging", "--collect-only", timeout=120)
    result.stdout.fnmatch_lines(
        ["gonogo: warning: secret SHORT_SECRET is shorter than 8 characters: it is not scrubbed*"]
    )
    assert "tiny5" not in result.stdout.str()


def test_junit_skip_messages_properties_and_module_skips_are_scrubbed(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_skips=(
            "import os, pytest\n"
            "def test_skipped():\n"
            "    pytest.skip('no: ' + os.environ['API_KEY'])\n"
            "def test_property(record_property):\n"
            "    record_property('url', '/x?k=' + os.environ['API_KEY'])\n"
            "@pytest.mark.xfail(reason='known')\n"
            "def test_xfail():\n"
            "    pytest.xfail('gave up on ' + os.environ['API_PASS'])\n"
        ),
        test_module_skip=(
            "import os, pytest\npytest.skip('module: ' + os.environ['API_PASS'], allow_module_level=True)\n"
        ),
    )
    result = project.runpytest_subprocess("--env", "staging", "-rA", "--junitxml=junit.xml", timeout=120)
    junit = (project.path / "junit.xml").read_text()
    assert "no: ***" in junit
    assert 'value="/x?k=***"' in junit
    assert "module: ***" in junit
    output = result.stdout.str() + result.stderr.str()
    for secret in (PASSWORD, KEY):
        assert secret not in junit
        assert secret not in output
    result.stdout.fnmatch_lines(["SKIPPED*no: ***"])


def test_gonogo_validate_prints_no_secret(project: pytest.Pytester) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "gonogo", "validate", "staging"],
        cwd=project.path,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "valid (http://***@127.0.0.1:9/***" in completed.stdout
    for secret in (PASSWORD, KEY):
        assert secret not in completed.stdout + completed.stderr
