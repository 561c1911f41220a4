"""The deployment report as HTML: a real report rendered (with the load chart saved beside it), turned into
HTML with Python-Markdown; the p95 chart inline and every failing check linked; text is never markup."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gonogo.loadgen.measurements import IntervalPoint
from gonogo.model import CheckResult, Finding, FindingVerdict, Outcome, Stage
from gonogo.reporting import charts, deployment_html, deployment_report
from gonogo.reporting.charts.latency import latency_svg
from gonogo.reporting.gate_json import RunInfo
from gonogo.verdict import Decision, Reason, Verdict

FAILING = ("load/test_latency.py::test_latency_under_load", "smoke/test_routes.py::test_route[get item]")


def _run(tmp_path: Path) -> RunInfo:
    started = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    return RunInfo(
        environment="staging",
        env_file="environments/staging.toml",
        description="",
        base_url="https://staging.example.com",
        expected_version="1.4.2",
        sensitive=False,
        baseline_url=None,
        rollback_command=None,
        selected_stages=(Stage.SMOKE, Stage.POSTDEPLOY),
        started_at=started,
        finished_at=started + timedelta(seconds=42),
        command="pytest --env staging",
        exit_code=12,
        pytest_exit_status=1,
        gate_mode="enforce",
    )


def _report(tmp_path: Path) -> str:
    points = [IntervalPoint(float(t), 50, 0, 20.0 + t, 300.0 + 40 * t) for t in range(10)]
    charts.save(
        tmp_path,
        "latency.svg",
        latency_svg(points, interval_s=1.0, warmup_s=1.0, p95_limit_ms=500, title="p95"),
    )
    results = [
        CheckResult("smoke/test_health.py::test_health", Stage.SMOKE, Outcome.PASSED),
        CheckResult(FAILING[1], Stage.SMOKE, Outcome.FAILED, critical=False, message="HTTP 500 <html>"),
        CheckResult(
            FAILING[0],
            Stage.POSTDEPLOY,
            Outcome.FAILED,
            message="p95 latency 660 ms > limit 500 ms",
            findings=(Finding("p95 latency", 660.0, FindingVerdict.FAIL, 500, "ms"),),
        ),
        CheckResult(
            "checks/test_network.py::test_tls_certificate", Stage.PRECHECK, Outcome.SKIPPED, policy_skip=True
        ),
    ]
    verdict = Verdict(
        Decision.ROLLBACK,
        (
            Reason(
                "critical-failed",
                f"Critical postdeploy check {FAILING[0]} failed: p95 660 ms",
                nodeid=FAILING[0],
            ),
            Reason(
                "noncritical-failed", f"{FAILING[1]} failed: <script>alert(1)</script>", nodeid=FAILING[1]
            ),
        ),
        66.7,
        3,
        2,
    )
    text = deployment_report.render(
        verdict, results, _run(tmp_path), charts=charts.found(tmp_path), folder=tmp_path
    )
    (tmp_path / "deployment-report.md").write_text(text, encoding="utf-8")
    return text


def test_the_markdown_report_references_the_charts_beside_it(tmp_path: Path) -> None:
    text = _report(tmp_path)
    assert "![Latency over time under load (p50, p95, errors)](charts/latency.svg)" in text
    assert (tmp_path / "charts" / "latency.svg").is_file()
    assert (
        "- Checks: 2/3 counted passed, 2 failed or errored; 1 not applicable (policy skips, not counted)"
        in text
    )


def test_the_html_report_has_the_p95_chart_inline_and_a_link_to_every_failing_check(tmp_path: Path) -> None:
    links = {nodeid: f"allure.html#testresult/{index}" for index, nodeid in enumerate(FAILING)}

    fragment = deployment_html.to_html(_report(tmp_path), folder=tmp_path, links=links)

    root = ET.fromstring(f"<div>{fragment}</div>")
    figures = [f for f in root.iter("figure") if f.get("data-chart") == "latency.svg"]
    assert len(figures) == 1
    svg = figures[0].find("{http://www.w3.org/2000/svg}svg")
    assert svg is not None
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "p95 limit 500 ms" in texts
    anchors = {a.text: a.get("href") for a in root.iter("a")}
    for nodeid, href in links.items():
        assert anchors.get(nodeid) == href, nodeid
    # headings and lists are HTML, not flattened lines; no emoji left to render as empty boxes
    assert [h.text for h in root.iter("h2")] == ["DEPLOYMENT REPORT"]
    assert "METRICS" in [h.text for h in root.iter("h3")]
    assert not deployment_html._EMOJI.search(fragment)


def test_markup_in_a_failure_message_is_shown_as_text(tmp_path: Path) -> None:
    fragment = deployment_html.to_html(_report(tmp_path), folder=tmp_path)
    assert "<script>" not in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment


def test_a_chart_outside_the_reports_folder_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.svg").write_text("<svg>outside</svg>", encoding="utf-8")
    folder = tmp_path / "reports"
    folder.mkdir()
    fragment = deployment_html.to_html("![x](../secret.svg)", folder=folder)
    assert "outside" not in fragment
    assert "chart not found: ../secret.svg" in fragment
