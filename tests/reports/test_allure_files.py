"""The plain parts of the Allure bundle: cleaning, history, the shared files, the verdict, categories,
the redactor's handling of truncated secrets, and `gonogo report`'s errors. Fast: no run, no generator."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from gonogo.redact import Redactor
from gonogo.reporting import allure_results, categories, html
from gonogo.plugin.allure import check_family, severity_of

REPO = Path(__file__).resolve().parents[2]


def test_cleaning_removes_only_what_allure_wrote(tmp_path: Path) -> None:
    keep = [tmp_path / "notes.txt", tmp_path / "my-result.json", tmp_path / "history.md"]
    drop = [
        tmp_path / f"{uuid.uuid4()}-result.json",
        tmp_path / f"{uuid.uuid4()}-container.json",
        tmp_path / f"{uuid.uuid4()}-attachment.txt",
        tmp_path / f"{uuid.uuid4()}-attachment",
        tmp_path / f"{uuid.uuid4()}-result.json.tmp",
        tmp_path / "environment.properties",
        tmp_path / "executor.json",
        tmp_path / "categories.json",
    ]
    for path in keep + drop:
        path.write_text("x", encoding="utf-8")
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "history-trend.json").write_text("[]", encoding="utf-8")

    removed = allure_results.clean_results(tmp_path)

    assert removed == len(drop)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in keep)


def test_history_is_seeded_from_the_store_and_kept_after_generating(tmp_path: Path) -> None:
    store, results, report = tmp_path / "history", tmp_path / "results", tmp_path / "report"
    results.mkdir()
    assert allure_results.seed_history(store, results) is False
    (report / "history").mkdir(parents=True)
    (report / "history" / "history-trend.json").write_text('[{"buildOrder": 3}]', encoding="utf-8")

    assert allure_results.keep_history(report, store) is True
    assert allure_results.seed_history(store, results) is True

    assert json.loads((results / "history" / "history-trend.json").read_text(encoding="utf-8")) == [
        {"buildOrder": 3}
    ]
    assert allure_results.previous_build_order(store) == 3


def test_environment_properties_round_trip_any_text_in_ascii() -> None:
    rows = {"environment": "démo: staging = blue", "reasons": "a\nb\\c #1", " key with space": "  lead"}
    text = allure_results.format_properties(rows)
    assert text.isascii()
    assert allure_results.parse_properties(text) == rows


def test_environment_rows_put_the_verdict_first_and_pass_through_the_redactor(tmp_path: Path) -> None:
    redactor = Redactor(["s3cr3t-value"])
    allure_results.write_environment(
        tmp_path, {"environment": "demo", "base_url": "http://x/?k=s3cr3t-value"}, redactor.text
    )
    allure_results.update_environment(tmp_path, {"verdict": "GO", "reasons": "none"}, redactor.text)
    rows = allure_results.parse_properties(
        (tmp_path / "environment.properties").read_text(encoding="latin-1")
    )
    assert list(rows) == ["verdict", "reasons", "environment", "base_url"]
    assert rows["base_url"] == "http://x/?k=***"


@pytest.mark.parametrize(
    ("environ", "previous", "expected"),
    [
        ({}, 0, ("local", 1)),
        ({}, 7, ("local", 8)),
        (
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_RUN_NUMBER": "42",
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_RUN_ID": "9",
            },
            7,
            ("github", 42),
        ),
        # a CI number that does not move the trend forward: the trend still gains a later point
        ({"GITHUB_ACTIONS": "true", "GITHUB_RUN_NUMBER": "3"}, 7, ("github", 8)),
        ({"GITLAB_CI": "true", "CI_PIPELINE_IID": "12"}, 0, ("gitlab", 12)),
        ({"JENKINS_URL": "http://j/", "BUILD_NUMBER": "5"}, 0, ("jenkins", 5)),
        ({"CI": "true", "BUILD_NUMBER": "77"}, 0, ("ci", 77)),
    ],
)
def test_executor_names_the_ci_and_orders_the_run_after_the_last(
    environ: dict[str, str], previous: int, expected: tuple[str, int]
) -> None:
    executor = allure_results.detect_executor(environ, previous_order=previous, report_name="gonogo demo")
    assert (executor.type, executor.build_order) == expected
    assert executor.ci is (expected[0] != "local")


def test_github_executor_links_to_the_run() -> None:
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": "123",
        "GITHUB_RUN_NUMBER": "4",
        "GITHUB_RUN_ATTEMPT": "2",
        "GITHUB_WORKFLOW": "deploy",
    }
    data = allure_results.detect_executor(environ, previous_order=0, report_name="gonogo prod").to_dict()
    assert data == {
        "name": "GitHub Actions",
        "type": "github",
        "buildOrder": 4,
        "buildName": "deploy #4 (attempt 2)",
        "url": "https://github.example/acme/shop/actions",
        "buildUrl": "https://github.example/acme/shop/actions/runs/123",
        "reportName": "gonogo prod",
    }


def _gate(tmp_path: Path, verdict: str, secret: str = "") -> list[Path]:
    gate = {
        "verdict": verdict,
        "reasons": [
            {
                "code": "critical-failed",
                "decision": verdict,
                "message": f"smoke failed {secret}",
                "nodeid": "smoke/test_version.py::test_version",
            },
            {"code": "note", "decision": None, "message": "informational"},
        ],
        "environment": {"name": "staging"},
        "run": {"started_at": "2026-01-01T10:00:00+00:00", "finished_at": "2026-01-01T10:01:00+00:00"},
        "summary": {"passed": 4, "counted": 5},
    }
    gate_path = tmp_path / "gate.json"
    gate_path.write_text(json.dumps(gate), encoding="utf-8")
    report = tmp_path / "deployment-report.md"
    report.write_text(f"## DEPLOYMENT REPORT\n{secret}\n", encoding="utf-8")
    return [gate_path, report]


def test_the_verdict_becomes_a_result_with_the_files_and_environment_rows(tmp_path: Path) -> None:
    results = tmp_path / "results"
    redactor = Redactor(["tok-123456"])
    files = _gate(tmp_path, "NO-GO", secret="tok-123456")

    added = allure_results.attach_run_files(results, files, scrub=redactor.text)

    result = json.loads(added.result.read_text(encoding="utf-8"))
    assert result["name"] == "gonogo verdict: NO-GO"
    assert result["status"] == "failed"
    assert result["statusDetails"]["message"] == "gonogo verdict: NO-GO (4/5 counted checks passed)"
    assert "smoke failed ***" in result["statusDetails"]["trace"]
    assert {label["name"]: label["value"] for label in result["labels"]}["epic"] == "staging"
    assert result["stop"] - result["start"] == 60_000
    assert [a["name"] for a in result["attachments"]] == ["gate.json", "deployment-report.md"]
    for path in added.attachments:
        assert "tok-123456" not in path.read_text(encoding="utf-8")
    assert added.rows == {
        "verdict": "NO-GO",
        "reasons": "critical-failed: smoke/test_version.py::test_version",
    }


def test_attaching_again_replaces_the_previous_verdict(tmp_path: Path) -> None:
    results = tmp_path / "results"
    allure_results.attach_run_files(results, _gate(tmp_path, "NO-GO"))
    second = allure_results.attach_run_files(results, _gate(tmp_path, "GO"))
    verdicts = [json.loads(p.read_text(encoding="utf-8")) for p in results.glob("*-result.json")]
    assert [v["name"] for v in verdicts] == ["gonogo verdict: GO"]
    assert verdicts[0]["status"] == "passed"
    assert sorted(p.name for p in results.glob("*-attachment*")) == sorted(p.name for p in second.attachments)


def test_the_committed_categories_are_gonogos_own() -> None:
    # reports/categories.json is what this project's runs use; it must not drift from the built-in list
    committed = json.loads((REPO / "reports" / "categories.json").read_text(encoding="utf-8"))
    assert committed == categories.build()


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        # the shapes of gonogo's own failure messages (gonogo/probes, checks/, smoke/, load/)
        (
            "failed",
            (
                "Failed: secret DEMO_API_TOKEN is not set or empty in the process environment (required "
                "by environments/demo.toml). Fix: export DEMO_API_TOKEN from your CI secret store."
            ),
            "Config and secrets",
        ),
        (
            "failed",
            "AssertionError: environments/x.toml: referenced files are missing: routes[a].schema = 's.json'",
            "Config and secrets",
        ),
        (
            "failed",
            "Failed: [precheck].lockfiles: requirements.lock does not exist under /p",
            "Config and secrets",
        ),
        (
            "failed",
            (
                "Failed: https://x:443: the certificate expires in 3.0 days (not after 2026-01-01 00:00 "
                "UTC), [security].tls_min_days = 14"
            ),
            "TLS",
        ),
        (
            "broken",
            (
                "httpx.ConnectError: GET https://x/health: TLS certificate rejected (self-signed "
                "certificate) (after 3 attempt(s), 0.1 s)"
            ),
            "TLS",
        ),
        (
            "failed",
            (
                "Failed: version mismatch at http://h/version: expected '1.4.2', got '9.9.9' (field "
                "'version'; GET http://h/version -> HTTP 200 in 2 ms)"
            ),
            "Version mismatch",
        ),
        (
            "failed",
            (
                "Failed: version: GET http://h/version -> HTTP 200 in 2 ms: expected version '1.4.2', "
                "got '9.9.9'"
            ),
            "Version mismatch",
        ),
        (
            "failed",
            (
                "Failed: security headers: GET http://h/api/items: forbidden header x-powered-by: "
                "Starlette (+5 more)\n  - GET http://h/api/items -> HTTP 500"
            ),
            "Security headers",
        ),
        (
            "failed",
            (
                "Failed: route 'list items': GET http://h/api/items -> HTTP 200 in 612 ms: took 612 ms, "
                "over max_latency_ms = 500"
            ),
            "Latency / error-rate regression",
        ),
        (
            "failed",
            (
                "AssertionError: error rate 100.00% > limit 1.00% (max_error_rate in "
                "environments/demo.toml [load])"
            ),
            "Latency / error-rate regression",
        ),
        ("failed", "AssertionError: p95 latency 812 ms > limit 250 ms", "Latency / error-rate regression"),
        (
            "failed",
            (
                "Failed: route 'get item': GET http://h/api/items/1 -> HTTP 500 in 2 ms: expected HTTP "
                "200, got 500 (body: {})"
            ),
            "Availability",
        ),
        (
            "failed",
            "Failed: health: GET http://h/health -> HTTP 503 in 1 ms: expected HTTP 200, got 503",
            "Availability",
        ),
        (
            "failed",
            (
                "Failed: health: GET http://127.0.0.1:9/health: connection refused (nothing listens on "
                "that port) (after 3 attempt(s), 0.0 s)"
            ),
            "Availability",
        ),
        (
            "failed",
            (
                "Failed: base URL https://shop.invalid: shop.invalid does not resolve: Name or service "
                "not known. Fix: check the DNS record or base_url"
            ),
            "Availability",
        ),
        (
            "failed",
            "Failed: gonogo: the target's base URL is unknown (was [launch] skipped?)",
            "Availability",
        ),
        ("broken", "KeyError: 'items'", "Infrastructure error"),
        ("broken", "fixture 'nope' not found", "Infrastructure error"),
        ("failed", "AssertionError: assert 2 == 3", "Product defects"),
        ("failed", "gonogo verdict: NO-GO (3/5 counted checks passed)", "Gate verdict"),
    ],
)
def test_each_failure_message_falls_into_one_category(status: str, message: str, expected: str) -> None:
    found = allure_results.matching_categories(categories.build(), status=status, message=message, trace=None)
    assert found == [expected]


def test_category_regexes_stay_within_what_java_and_python_both_read() -> None:
    for category in categories.build():
        pattern = category["messageRegex"]
        re.compile(pattern)
        # no Python-only syntax (named groups, conditionals) that java.util.regex would reject
        assert "(?P" not in pattern, category["name"]
        assert "(?(" not in pattern, category["name"]


def test_check_family_and_severity() -> None:
    assert check_family("smoke/test_routes.py") == "routes"
    assert check_family("load/latency_test.py") == "latency"
    assert severity_of(None) == "critical"
    assert severity_of({"critical": False}) == "normal"
    assert severity_of({"critical": True, "dry_run": True}) == "minor"


def test_the_redactor_masks_a_secret_that_pytest_shows_truncated() -> None:
    secret = "gng0123456789ab/XyZ-uvw+="
    redactor = Redactor([secret])
    shown = f"assert '{secret[:12]}...{secret[-12:]}' == ''"
    assert redactor.text(shown) == "assert '***...***' == ''"
    assert redactor.data(shown.encode()) == b"assert '***...***' == ''"
    assert redactor.text("Loading... done") == "Loading... done"


def test_report_without_the_generator_says_to_run_npm_ci(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}", encoding="utf-8")
    with pytest.raises(
        html.ReportError, match=r"run `npm ci` in .*; it installs the pinned allure-commandline"
    ):
        html.find_generator([tmp_path], environ={})


def test_report_command_without_results_says_to_run_the_checks_first(tmp_path: Path) -> None:
    (tmp_path / "reports" / "demo").mkdir(parents=True)
    completed = subprocess.run(
        [sys.executable, "-m", "gonogo", "report", "--env", "demo", "--reports-dir", "reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GONOGO_ALLURE": str(REPO / "package.json")},
    )
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        "gonogo report: no Allure results in reports/demo/allure-results: run the checks first "
        "(`pytest --env demo`)"
    )


def test_report_command_asks_which_environment_when_several_have_results(tmp_path: Path) -> None:
    for name in ("staging", "production"):
        results = tmp_path / "reports" / name / "allure-results"
        results.mkdir(parents=True)
        (results / f"{uuid.uuid4()}-result.json").write_text("{}", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "gonogo", "report"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 4
    assert "pass --env NAME (environments with results in reports: production, staging)" in completed.stderr
