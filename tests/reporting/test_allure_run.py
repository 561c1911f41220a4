"""The Allure results of a real run (`pytest --env demo -n 2` against a faulty demo): where they go, what the
controller adds, the labels each worker puts on its checks, the categories real failures fall into, and no
secret anywhere. No generator or browser needed (see test_html_report.py for those)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from gonogo.plugin.allure import check_family, severity_of
from gonogo.redaction import Redactor
from gonogo.reporting import categories, properties
from gonogo.reporting.run_files import VERDICT_FULL_NAME
from tests.conftest import SuiteProject, SuiteRun, copy_suite
from tests.reporting.conftest import LEAKY_CHECK, find_secret, make_secret

FAULTS = {"GONOGO_DEMO_VERSION": "9.9.9", "GONOGO_DEMO_ERROR_RATE": "1", "GONOGO_DEMO_LEAK_HEADERS": "1"}


@dataclass
class FaultyRun:
    project: SuiteProject
    run: SuiteRun
    secret: str
    stale: Path
    foreign: Path

    @property
    def results_dir(self) -> Path:
        return self.project.path / "reports" / "demo" / "allure-results"

    def results(self) -> list[dict[str, object]]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in self.results_dir.glob("*-result.json")]

    def by_name(self) -> dict[str, dict[str, object]]:
        return {str(result["name"]): result for result in self.results()}


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> FaultyRun:
    project = copy_suite(tmp_path_factory.mktemp("allure") / "project")
    (project.path / "smoke" / "test_leaky.py").write_text(LEAKY_CHECK, encoding="utf-8")
    results = project.path / "reports" / "demo" / "allure-results"
    results.mkdir(parents=True)
    # what a previous run left: an Allure result (to be removed) and a file that is not Allure's (kept)
    stale = results / f"{uuid.uuid4()}-result.json"
    stale.write_text(json.dumps({"name": "stale", "status": "passed"}), encoding="utf-8")
    foreign = results / "notes.txt"
    foreign.write_text("not Allure's", encoding="utf-8")
    secret = make_secret()
    run = project.run("--env", "demo", "-n", "2", env={"DEMO_API_TOKEN": secret, **FAULTS})
    assert run.returncode in (10, 11, 12), run.output[-3000:]
    return FaultyRun(project, run, secret, stale, foreign)


def test_results_go_to_the_environments_reports_folder_and_replace_the_previous_run(
    faulty_run: FaultyRun,
) -> None:
    assert not faulty_run.stale.exists()
    assert faulty_run.foreign.read_text(encoding="utf-8") == "not Allure's"
    names = faulty_run.by_name()
    assert "stale" not in names
    assert {"test_version", "test_health", "test_environment_file_is_valid"} <= set(names)
    assert [name for name in names if name.startswith("gonogo verdict: ")] != []


def test_every_check_carries_environment_stage_family_and_severity_labels(faulty_run: FaultyRun) -> None:
    checks = [r for r in faulty_run.results() if r.get("fullName") != VERDICT_FULL_NAME]
    gate = json.loads(
        (faulty_run.project.path / "reports" / "demo" / "gate.json").read_text(encoding="utf-8")
    )
    # what the gate knows of each check (its @pytest.mark.gate), by Allure's module and test name
    counted = {}
    for check in gate["checks"]:
        path, _, name = check["nodeid"].partition("::")
        counted[(path.removesuffix(".py").replace("/", "."), name)] = check
    assert len(checks) >= 10
    severities = set()
    for result in checks:
        labels = {label["name"]: label["value"] for label in result["labels"]}  # type: ignore[union-attr]
        module = str(result["fullName"]).split("#")[0]
        folder, file = module.split(".")[:2]
        expected_stage = {"checks": "precheck", "smoke": "smoke", "load": "postdeploy"}[folder]
        assert labels["epic"] == "demo", module
        assert labels["feature"] == expected_stage, module
        assert labels["story"] == file.removeprefix("test_"), module
        gate_check = counted[(module, str(result["name"]))]
        assert labels["severity"] == severity_of(gate_check), module
        severities.add(labels["severity"])
    assert "critical" in severities
    # both xdist workers wrote into the one folder
    threads = {label["value"] for r in checks for label in r["labels"] if label["name"] == "thread"}  # type: ignore[union-attr]
    assert len(threads) >= 2


def test_the_controller_writes_environment_executor_and_categories(faulty_run: FaultyRun) -> None:
    rows = properties.parse_properties(
        (faulty_run.results_dir / "environment.properties").read_text(encoding="latin-1")
    )
    gate = json.loads(
        (faulty_run.project.path / "reports" / "demo" / "gate.json").read_text(encoding="utf-8")
    )
    assert list(rows)[:5] == ["verdict", "reasons", "environment", "expected_version", "observed_version"]
    assert rows["verdict"] == gate["verdict"]
    assert "smoke/test_version.py::test_version" in rows["reasons"]
    assert rows["expected_version"] == "1.4.2"
    assert rows["observed_version"] == "9.9.9"
    assert rows["base_url"].startswith("http://127.0.0.1:")
    assert rows["xdist_workers"] == "2"
    assert {"gonogo", "pytest", "python", "git_commit", "stages"} <= set(rows)
    executor = json.loads((faulty_run.results_dir / "executor.json").read_text(encoding="utf-8"))
    assert executor["type"] in ("local", "github", "gitlab", "jenkins") or executor["name"]
    assert executor["buildOrder"] >= 1
    written = json.loads((faulty_run.results_dir / "categories.json").read_text(encoding="utf-8"))
    assert written == categories.build()


def test_the_verdict_is_a_result_with_the_gates_files_attached(faulty_run: FaultyRun) -> None:
    verdicts = [r for r in faulty_run.results() if r.get("fullName") == VERDICT_FULL_NAME]
    assert len(verdicts) == 1
    verdict = verdicts[0]
    gate_path = faulty_run.project.path / "reports" / "demo" / "gate.json"
    gate = json.loads(gate_path.read_text(encoding="utf-8"))
    assert verdict["name"] == f"gonogo verdict: {gate['verdict']}"
    assert verdict["status"] == "failed"
    attached = {a["name"]: faulty_run.results_dir / a["source"] for a in verdict["attachments"]}  # type: ignore[union-attr]
    assert set(attached) == {"gate.json", "deployment-report.md"}
    assert json.loads(attached["gate.json"].read_text(encoding="utf-8"))["verdict"] == gate["verdict"]
    assert "DEPLOYMENT REPORT" in str(verdict["description"])


def test_real_failures_fall_into_one_gonogo_category_each(faulty_run: FaultyRun) -> None:
    rules = categories.build()
    filed = {}
    for result in faulty_run.results():
        if result["status"] not in ("failed", "broken"):
            continue
        details = result.get("statusDetails") or {}
        assert isinstance(details, dict)
        filed[str(result["name"])] = categories.matching_categories(
            rules, status=str(result["status"]), message=details.get("message"), trace=details.get("trace")
        )
    assert filed["test_version"] == ["Version mismatch"]
    assert filed["test_security_headers"] == ["Security headers"]
    for route in ("list items", "get item", "create item"):
        assert filed[f"test_route[{route}]"] == ["Availability"]
    if "test_latency_under_load" in filed:  # the load check, once it measures (error rate 100 %)
        assert filed["test_latency_under_load"] == ["Latency / error-rate regression"]
    assert filed["test_leaks_the_token_everywhere[***]"] == ["Product defects"]
    assert [name for name, found in filed.items() if found == ["Gate verdict"]] == [
        name for name in filed if name.startswith("gonogo verdict")
    ]


def test_no_form_of_the_secret_is_in_the_results(faulty_run: FaultyRun) -> None:
    assert find_secret(faulty_run.project.path / "reports", faulty_run.secret) == []
    leaky = faulty_run.by_name()["test_leaks_the_token_everywhere[***]"]
    details = leaky["statusDetails"]
    assert isinstance(details, dict)
    # pytest's own truncated repr of the value ('head...tail') is masked too
    assert "assert '***...***' == ''" in str(details["message"])


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
