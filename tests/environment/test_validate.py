"""`gonogo validate` runs every check the run's own loading does, including the files an environment names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from gonogo.cli import main
from gonogo.environment import EnvironmentFileError, check_referenced_files, load_file

REPO = Path(__file__).resolve().parents[2]
ROUTE = '[[routes]]\nname = "items"\npath = "/api/items"\nschema = "{schema}"\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: environments/ with the bundled schemas, and a lock file at the root."""
    shutil.copytree(REPO / "environments" / "schemas", tmp_path / "environments" / "schemas")
    (tmp_path / "requirements.lock").write_text("httpx==0.28.1\n", encoding="utf-8")
    return tmp_path


def validate(project: Path, capsys: pytest.CaptureFixture[str], name: str = "staging") -> tuple[int, str]:
    code = main(["validate", name, "--env-dir", str(project / "environments")])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_bundled_environments_validate_with_every_file_they_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("demo", "demo-tls", "demo-bluegreen", "worker-staging", "worker-production", "worker-green"):
        code = main(["validate", name, "--env-dir", str(REPO / "environments")])
        out = capsys.readouterr().out
        assert (code, "valid" in out) == (0, True), (name, out)


def test_a_misspelt_schema_file_is_exit_4_naming_the_route_and_the_key(
    project: Path, env_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    env_file(ROUTE.format(schema="schemas/item.json"), name="good")
    env_file(ROUTE.format(schema="schemas/itemz.json"))
    assert validate(project, capsys, "good")[0] == 0
    code, output = validate(project, capsys)
    assert code == 4
    assert "environments/staging.toml: 1 problem(s) with the files it names:" in output
    assert "routes[0].schema ('items'): schema file " in output
    assert (
        "schemas/itemz.json does not exist. Fix: correct the path (relative to the environment file)"
        in output
    )


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"type": "thing"}', "is not a valid JSON Schema"),
        ("{not json", "is not valid JSON"),
        ("[]", "expected an object"),
    ],
)
def test_a_schema_file_that_is_not_a_usable_schema_is_refused(
    project: Path, env_file: Callable[..., Path], content: str, why: str
) -> None:
    (project / "environments" / "schemas" / "bad.json").write_text(content, encoding="utf-8")
    loaded = load_file(env_file(ROUTE.format(schema="schemas/bad.json")), environ={})
    with pytest.raises(EnvironmentFileError, match=r"routes\[0\]\.schema \('items'\): ") as caught:
        check_referenced_files(loaded)
    assert why in str(caught.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            '[precheck]\nlockfiles = ["requirements.lok"]\n',
            "precheck.lockfiles[0]: 'requirements.lok' is not a file",
        ),
        (
            '[precheck]\nwrangler_toml = "worker/wrangler.toml"\n',
            "precheck.wrangler_toml: 'worker/wrangler.toml'",
        ),
        ('[http]\nca_bundle = "ca.pem"\n', "http.ca_bundle: "),
        ('[launch]\ncommand = ["true"]\ncwd = "service"\n', "launch.cwd: "),
    ],
)
def test_missing_precheck_inputs_ca_bundles_and_launch_folders_are_exit_4(
    project: Path,
    env_file: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    text: str,
    key: str,
) -> None:
    env_file(text)
    code, output = validate(project, capsys)
    assert code == 4
    assert key in output
    assert "Fix:" in output


def test_a_ca_file_that_holds_no_certificate_is_refused_and_a_real_one_is_accepted(
    project: Path, env_file: Callable[..., Path]
) -> None:
    (project / "environments" / "ca.pem").write_text("not a certificate\n", encoding="utf-8")
    path = env_file('[http]\nca_bundle = "ca.pem"\n')
    with pytest.raises(EnvironmentFileError, match=r"http\.ca_bundle: .*ca\.pem cannot be used as a CA file"):
        check_referenced_files(load_file(path, environ={}))
    trustme.CA().cert_pem.write_to_path(str(project / "environments" / "ca.pem"))
    check_referenced_files(load_file(path, environ={}))


def test_a_ca_file_a_launched_target_makes_as_it_starts_is_not_required_yet(
    project: Path, env_file: Callable[..., Path]
) -> None:
    text = '[launch]\ncommand = ["true"]\n[http]\nca_bundle = "../reports/tls/ca.pem"\n'
    check_referenced_files(load_file(env_file(text), environ={}))
    assert not (project / "reports").exists()


def test_present_precheck_inputs_pass_and_junit_globs_need_no_match_yet(
    project: Path, env_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "service").mkdir()
    env_file(
        '[precheck]\nlockfiles = ["requirements.lock"]\njunit = ["reports/qa/*.xml"]\n'
        '[launch]\ncommand = ["true"]\ncwd = "../service"\n'
    )
    code, output = validate(project, capsys)
    assert (code, output.count("valid")) == (0, 1), output


def test_a_precheck_file_that_links_out_of_the_project_is_refused(
    project: Path, env_file: Callable[..., Path]
) -> None:
    outside = project.parent / "outside.lock"
    outside.write_text("x==1\n", encoding="utf-8")
    (project / "linked.lock").symlink_to(outside)
    loaded = load_file(env_file('[precheck]\nlockfiles = ["linked.lock"]\n'), environ={})
    with pytest.raises(EnvironmentFileError, match=r"precheck\.lockfiles\[0\]: 'linked\.lock' leads outside"):
        check_referenced_files(loaded)


def test_validate_never_prints_url_credentials_and_prints_load_warnings(
    project: Path,
    env_file: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHORT", "ab")
    env_file(
        'base_url = "https://ci:hunter2-pass@staging.example.test/${SHORT}"\nexpected_version = "1"\n',
        minimal=False,
    )
    code, output = validate(project, capsys)
    assert code == 0
    assert "hunter2-pass" not in output
    assert "valid (https://***@staging.example.test/ab, expected version 1)" in output
    assert "gonogo: warning: " in output
    assert "base_url: ${SHORT} puts a value of 2 character(s) there" in output


def test_a_deeply_nested_file_is_exit_4_from_the_command_line_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text('base_url = "http://127.0.0.1:9"\nexpected_version = "1"\nx = ' + "[" * 5000 + "]" * 5000)
    completed = subprocess.run(
        [sys.executable, "-m", "gonogo", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 4, completed.stderr
    assert completed.stderr.startswith("gonogo: deep.toml: line 3: x: nested more than 32 levels deep")
    assert "Traceback" not in completed.stderr
