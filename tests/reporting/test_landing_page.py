"""The page QA opens, in real headless Chromium (Playwright driving /usr/bin/chromium): for each verdict,
the verdict word in its colour, the environment, the version and the reasons are inside the first screen
(1366x768) without a click; the failing check links into Allure's one-file report, which opens it.

A small project of its own (no network: the checks only pass, fail or stay inconclusive), one run per
verdict, then `gonogo report`. Screenshots go to the test's folder (and to docs/img with
GONOGO_DOCS_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gonogo.reporting.landing import COLOURS
from tests.reporting.conftest import GENERATOR, REPO
from tests.support.runs import environ_without, run_gonogo, run_pytest
from tests.support.samples import launch_demo
from tests.support.tools import npm_ci, require

pytestmark = pytest.mark.browser
CHROMIUM = Path(os.environ.get("GONOGO_CHROMIUM", "/usr/bin/chromium"))
VIEWPORT = {"width": 1366, "height": 768}

#: the demo as the target, so that gonogo's built-in checks pass; the project's own checks set the verdict
ENVIRONMENT = (
    """
description = "landing page test"
base_url = "http://127.0.0.1:{port}"
expected_version = "1.4.2"

"""
    + launch_demo()
    + """
[load]
users = 2
spawn_rate = 2
duration_s = 2
warmup_s = 0
min_requests = 1
"""
)
SMOKE = """
import os

import pytest


def test_target_answers():
    pass


def test_release_notes_match(findings):
    mode = os.environ.get("LANDING_MODE")
    if mode == "inconclusive":
        findings.inconclusive("version", "unknown", detail="the version endpoint timed out once")
    if mode == "fail":
        pytest.fail("release notes name version 1.9.9, the deployment is 1.4.2")
"""
POSTDEPLOY = """
import os


def test_checkout_p95(findings):
    p95 = 900.0 if os.environ.get("LANDING_MODE") == "slow" else 120.0
    findings.measure("p95 latency", p95, limit=500, unit="ms")
    assert p95 <= 500, f"p95 latency {p95:g} ms > limit 500 ms"
"""
#: verdict -> (pytest arguments, LANDING_MODE)
RUNS: dict[str, tuple[tuple[str, ...], str]] = {
    "GO": (("--stage", "smoke"), ""),
    "HOLD": (("--stage", "smoke"), "inconclusive"),
    "NO-GO": (("--stage", "smoke"), "fail"),
    "ROLLBACK": (("--stage", "postdeploy"), "slow"),
}


def _require_tools() -> Any:
    missing = []
    if shutil.which("java") is None:
        missing.append("java 17+: `apt-get install openjdk-17-jre-headless`")
    if not CHROMIUM.is_file():
        missing.append("chromium: `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("playwright: `pip install -e '.[dev]'`")
    if missing:
        require("the landing page tests need " + "; ".join(missing))  # the one rule: tests/support/tools.py
    npm_ci(REPO, GENERATOR)  # pinned by the project's own package-lock.json: installed, never skipped
    return sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _require_tools()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def _run(project: Path, verdict: str) -> Path:
    args, mode = RUNS[verdict]
    env = environ_without(
        (), prefixes=("GONOGO_", "GITHUB_"), extra={"LANDING_MODE": mode, "GONOGO_ALLURE": str(GENERATOR)}
    )
    completed = run_pytest(
        "-p", "no:cacheprovider", "-p", "no:randomly", "--env", "landing", *args, cwd=project, env=env
    )
    assert f"gonogo verdict: {verdict}" in completed.stdout, completed.stdout[-3000:]
    rendered = run_gonogo(
        "report", "--env", "landing", "--reports-dir", "reports", cwd=project, env=env, timeout_s=300
    )
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    return project / "reports" / "landing" / "report" / "index.html"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    (root / "environments").mkdir()
    (root / "environments" / "landing.toml").write_text(ENVIRONMENT, encoding="utf-8")
    (root / "smoke").mkdir()
    (root / "smoke" / "test_smoke.py").write_text(SMOKE, encoding="utf-8")
    (root / "load").mkdir()
    (root / "load" / "test_postdeploy.py").write_text(POSTDEPLOY, encoding="utf-8")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.fixture(scope="module")
def pages(project: Path) -> dict[str, Path]:
    """Every verdict's run, in the order of RUNS, each with a copy of the report it rendered: a test sees
    its own verdict's page whichever xdist worker runs it, and the last page's trend holds all four."""
    rendered = {}
    for verdict in RUNS:
        page = _run(project, verdict)
        copy = project / "rendered" / verdict
        shutil.copytree(page.parent, copy)
        rendered[verdict] = copy / page.name
    return rendered


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _inside(box: dict[str, float] | None) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]


@pytest.mark.parametrize("verdict", list(RUNS))
def test_the_verdict_fills_the_first_screen_in_its_colour_with_its_reasons(
    verdict: str, pages: dict[str, Path], browser: Any, tmp_path: Path
) -> None:
    page_path = pages[verdict]
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(page_path.as_uri())
        word = page.locator(".verdict .word")
        assert word.inner_text() == verdict
        assert _inside(word.bounding_box())
        banner = page.locator("#verdict")
        assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(COLOURS[verdict])
        what = page.locator(".verdict .what")
        assert "landing" in what.inner_text()
        assert "1.4.2" in what.inner_text()
        assert _inside(what.bounding_box())
        reasons = page.locator(".verdict .reasons")
        assert reasons.is_visible()
        assert _inside(reasons.bounding_box())
        text = reasons.inner_text()
        if verdict == "GO":
            assert text == "No reason against it."
        else:
            assert {
                "HOLD": "inconclusive",
                "NO-GO": "test_release_notes_match",
                "ROLLBACK": "test_checkout_p95",
            }[verdict] in text
        shot = page.screenshot(path=str(tmp_path / f"landing-{verdict}.png"))
        assert shot
        print(f"screenshot: {tmp_path / f'landing-{verdict}.png'}")
        if os.environ.get("GONOGO_DOCS_SCREENSHOTS") == "1":
            (REPO / "docs" / "img" / f"report-{verdict.lower()}.png").write_bytes(shot)
        failing = {"NO-GO": "test_release_notes_match", "ROLLBACK": "test_checkout_p95"}.get(verdict)
        if failing is not None:
            # the failing check's link opens its own result in Allure's one-file report
            link = page.locator(f"#failing a.check-link:has-text('{failing}')").first
            href = link.get_attribute("href") or ""
            assert href.startswith("allure.html#testresult/")
            link.click()
            page.wait_for_selector("text=Failed", timeout=30_000)
            assert page.locator(f"text={failing}").first.is_visible()
    finally:
        page.close()


def test_the_verdict_trend_lists_every_run_with_its_gate_json(pages: dict[str, Path], browser: Any) -> None:
    # the page of the last run: its trend holds all four, newest first
    index = pages[list(RUNS)[-1]]
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(index.as_uri())
        rows = page.locator("#trend tr[data-order]")
        verdicts = [rows.nth(i).locator(".pill").inner_text() for i in range(rows.count())]
        assert verdicts[: len(RUNS)] == list(reversed(RUNS))[: len(verdicts)]
        href = rows.first.locator("a").get_attribute("href") or ""
        assert (index.parent / href).is_file()
        assert '"verdict": "ROLLBACK"' in (index.parent / href).read_text(encoding="utf-8")
    finally:
        page.close()
