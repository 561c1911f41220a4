"""The HTML report end to end: two real runs of the suite against the demo, `gonogo report` after each with
the pinned Allure generator, then the files scanned for the run's secret and the report opened in real
headless Chromium.

Run 1: `-n 2`, a healthy demo (plus a check written to leak the secret everywhere it can).
Run 2: serial, the demo with three faults: wrong version, every /api/* request a 500, leaking headers.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.conftest import SuiteRun, copy_suite
from tests.reporting.conftest import (
    LEAKY_CHECK,
    Browser,
    find_secret,
    make_secret,
    render_report,
    require_report_tools,
)

pytestmark = pytest.mark.browser
FAULTS = {"GONOGO_DEMO_VERSION": "9.9.9", "GONOGO_DEMO_ERROR_RATE": "1", "GONOGO_DEMO_LEAK_HEADERS": "1"}
GATE_EXIT_CODES = (10, 11, 12)


@dataclass
class TwoRuns:
    project: Path
    secret: str
    runs: list[SuiteRun]
    renders: list[CompletedProcess[str]]
    render_seconds: list[float]

    @property
    def reports(self) -> Path:
        return self.project / "reports"

    @property
    def env_dir(self) -> Path:
        return self.reports / "demo"

    @property
    def verdict(self) -> str:
        gate = json.loads((self.env_dir / "gate.json").read_text(encoding="utf-8"))
        return str(gate["verdict"])

    def embedded(self, name: str) -> object:
        """A data file as the single-file report embeds it."""
        html = (self.env_dir / "report" / "allure.html").read_text(encoding="utf-8")
        match = re.search(rf"d\('{re.escape(name)}','([A-Za-z0-9+/=]+)'\)", html)
        assert match is not None, f"allure.html embeds no {name}"
        return json.loads(base64.b64decode(match.group(1)))

    def report_data(self, name: str) -> object:
        return json.loads((self.env_dir / "report" / "allure" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> TwoRuns:
    require_report_tools()
    project = copy_suite(tmp_path_factory.mktemp("html") / "project")
    (project.path / "smoke" / "test_leaky.py").write_text(LEAKY_CHECK, encoding="utf-8")
    secret = make_secret()
    runs: list[SuiteRun] = []
    renders: list[CompletedProcess[str]] = []
    seconds: list[float] = []
    for args, faults in ((("-n", "2"), {}), ((), FAULTS)):
        run = project.run("--env", "demo", *args, env={"DEMO_API_TOKEN": secret, **faults})
        assert run.returncode in GATE_EXIT_CODES, run.output[-3000:]
        runs.append(run)
        started = time.monotonic()
        rendered = render_report(project.path)
        seconds.append(time.monotonic() - started)
        assert rendered.returncode == 0, rendered.stdout + rendered.stderr
        renders.append(rendered)
    return TwoRuns(project.path, secret, runs, renders, seconds)


def _results(env_dir: Path) -> list[dict[str, object]]:
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in (env_dir / "allure-results").glob("*-result.json")
    ]


def test_no_form_of_the_secret_is_in_any_file_under_reports(two_runs: TwoRuns) -> None:
    reports = two_runs.reports
    # what the scan covers: results and attachments, both HTML reports, the history, the gate's files
    for expected in (
        "allure-results",
        "report/allure",
        "report/allure.html",
        "report/index.html",
        "gate.json",
        "deployment-report.md",
        "history",
    ):
        assert (two_runs.env_dir / expected).exists(), f"{expected} missing under {two_runs.env_dir}"
    assert find_secret(reports, two_runs.secret) == []
    # and the leaky check really did leak into every channel, which came out masked
    leaky = [
        r
        for r in _results(two_runs.env_dir)
        if str(r.get("fullName", "")).endswith("test_leaks_the_token_everywhere")
    ]
    assert len(leaky) == 1
    assert leaky[0]["status"] == "failed"
    details = leaky[0]["statusDetails"]
    assert isinstance(details, dict)
    assert "the token *** leaked (***, ***)" in details["message"]
    assert leaky[0]["name"] == "test_leaks_the_token_everywhere[***]"
    assert {"name": "masked token", "value": "'***'", "mode": "masked"} in leaky[0]["parameters"]  # type: ignore[operator]
    attachments = {
        a["name"]: (two_runs.env_dir / "allure-results" / a["source"]).read_text(encoding="utf-8")
        for a in leaky[0]["attachments"]  # type: ignore[union-attr]
    }
    assert "stdout: *** *** ***" in attachments["stdout"]
    assert "stderr: ***" in attachments["stderr"]
    assert "log: *** ***" in attachments["log"]
    assert attachments["raw ***"] == "straight to allure: *** *** ***"
    exchange = next(text for name, text in attachments.items() if name.startswith("HTTP 1: GET"))
    assert re.search(r"(?im)^authorization: \*\*\*$", exchange), exchange


def test_the_scan_finds_the_secret_wherever_it_is_planted(two_runs: TwoRuns, tmp_path: Path) -> None:
    # positive control: the same scan over a copy of the same tree, with the secret put back in each form
    copy = tmp_path / "reports"
    shutil.copytree(two_runs.reports, copy)
    env_dir = copy / "demo"
    secret = two_runs.secret
    attachment = next((env_dir / "allure-results").glob("*-attachment.txt"))
    attachment.write_text(attachment.read_text(encoding="utf-8") + f"\n{secret}\n", encoding="utf-8")
    gate = env_dir / "gate.json"
    gate.write_text(
        gate.read_text(encoding="utf-8").replace(
            "{", "{" + json.dumps(urllib.parse.quote(secret, safe="")) + ": 1, ", 1
        )
    )
    history = env_dir / "history" / "history.json"
    history.write_text(history.read_text(encoding="utf-8") + base64.b64encode(secret.encode()).decode())
    # inside one of the base64 documents the single-file report embeds
    html = env_dir / "report" / "allure.html"
    text = html.read_text(encoding="utf-8")
    match = re.search(r"d\('data/attachments/[^']+','([A-Za-z0-9+/=]+)'\)", text)
    assert match is not None, "allure.html embeds no attachment"
    planted = base64.b64encode(base64.b64decode(match.group(1)) + f" Bearer {secret}".encode()).decode()
    html.write_text(text.replace(match.group(1), planted, 1), encoding="utf-8")

    hits = find_secret(copy, secret)

    assert f"demo/allure-results/{attachment.name}: plain" in hits
    assert "demo/gate.json: URL-encoded" in hits
    assert "demo/history/history.json: base64" in hits
    assert "demo/report/allure.html: plain (inside embedded base64)" in hits


def test_the_report_opens_in_chromium_with_the_test_count_and_a_failed_check(
    two_runs: TwoRuns, browser: Browser, tmp_path: Path
) -> None:
    single = two_runs.env_dir / "report" / "allure.html"
    summary = two_runs.embedded("widgets/summary.json")
    assert isinstance(summary, dict)
    total = summary["statistic"]["total"]
    # every check of run 2 plus the gate's verdict
    assert total == len(_results(two_runs.env_dir))

    overview = browser.dom(single.as_uri(), until=">reasons<")
    shot = browser.screenshot(single.as_uri(), tmp_path / "overview.png")
    print(f"screenshot of the overview: {shot}")

    assert re.search(rf'splash__title">{total}</div><div class="splash__subtitle">test cases<', overview), (
        f"the overview does not show {total} test cases"
    )
    # the verdict and its reasons are on the overview (Environment widget), naming the failed checks
    assert two_runs.verdict in ("NO-GO", "ROLLBACK")
    assert re.search(rf">verdict<.*?>{two_runs.verdict}<", overview, re.S)
    assert "smoke/test_version.py::test_version" in overview

    # the failed check's own page: its name, its status and the message that says what is wrong
    cases = two_runs.embedded("data/suites.json")
    uid = _find_uid(cases, "test_version")
    page = browser.dom(f"{single.as_uri()}#testresult/{uid}", until="Version mismatch")
    browser.screenshot(f"{single.as_uri()}#testresult/{uid}", tmp_path / "failed-check.png")
    assert ">test_version<" in page
    assert ">Failed<" in page
    assert "Version mismatch" in page  # its category
    message = re.search(r"Failed: version mismatch[^<]*", page)
    assert message is not None
    assert "1.4.2" in message.group(0)
    assert "9.9.9" in message.group(0)


def _find_uid(tree: object, name: str) -> str:
    if isinstance(tree, dict):
        if tree.get("name") == name and "uid" in tree and "children" not in tree:
            return str(tree["uid"])
        for child in tree.get("children", []):
            try:
                return _find_uid(child, name)
            except LookupError:
                continue
    raise LookupError(name)


def test_two_consecutive_runs_show_both_in_the_trend(two_runs: TwoRuns, browser: Browser) -> None:
    trend = two_runs.report_data("history/history-trend.json")
    summary = two_runs.report_data("widgets/summary.json")
    assert isinstance(trend, list)
    assert isinstance(summary, dict)
    assert [item["buildOrder"] for item in trend] == [2, 1]
    # the latest point is this report's own run; run 1 failed only the leaky check and the verdict
    assert trend[0]["data"] == summary["statistic"]
    assert trend[1]["data"]["failed"] == 2
    overview = browser.dom((two_runs.env_dir / "report" / "allure.html").as_uri(), until="#2</text>")
    labels = re.findall(r"<text[^>]*>(#\d+)</text>", overview)
    assert labels == ["#1", "#2"]
    assert "trend:" in two_runs.renders[1].stdout


def test_real_failures_are_filed_under_gonogo_categories(two_runs: TwoRuns) -> None:
    categories = two_runs.report_data("data/categories.json")
    filed: dict[str, set[str]] = {}
    assert isinstance(categories, dict)
    for category in categories["children"]:
        names: set[str] = set()
        _leaf_names(category, names)
        filed[category["name"]] = names
    assert filed["Version mismatch"] == {"test_version"}
    assert filed["Availability"] == {
        "test_route[list items]",
        "test_route[get item]",
        "test_route[create item]",
    }
    assert filed["Security headers"] == {"test_security_headers"}
    assert filed["Gate verdict"] == {f"gonogo verdict: {two_runs.verdict}"}
    # the leaky check's bare assertion matches no gonogo category: the generator's default
    assert filed["Product defects"] == {"test_leaks_the_token_everywhere[***]"}


def _leaf_names(node: dict[str, object], into: set[str]) -> None:
    children = node.get("children")
    if isinstance(children, list):
        for child in children:
            _leaf_names(child, into)
    else:
        into.add(str(node["name"]))


def test_the_html_calls_nothing_outside_the_file(two_runs: TwoRuns) -> None:
    html = (two_runs.env_dir / "report" / "allure.html").read_text(encoding="utf-8")
    assert "googletagmanager" not in html
    assert "gtag(" not in html
    assert re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']https?://""", html) == []
    for rendered, seconds in zip(two_runs.renders, two_runs.render_seconds, strict=True):
        assert "allure:" in rendered.stdout
        print(f"gonogo report took {seconds:.1f} s")


def test_the_folder_and_the_single_file_report_give_each_check_the_same_id(two_runs: TwoRuns) -> None:
    # a deep link copied from one opens the same result in the other
    assert two_runs.embedded("data/suites.json") == two_runs.report_data("data/suites.json")
    uid = _find_uid(two_runs.report_data("data/suites.json"), "test_version")
    assert (two_runs.env_dir / "report" / "allure" / "data" / "test-cases" / f"{uid}.json").is_file()
    assert two_runs.embedded(f"data/test-cases/{uid}.json") == two_runs.report_data(
        f"data/test-cases/{uid}.json"
    )
