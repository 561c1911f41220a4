"""``deployment-report.md``: the DEPLOYMENT REPORT template release engineers know, filled from the run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from gonogo.model import CheckResult, Outcome
from gonogo.reporting.charts import Chart
from gonogo.reporting.gate_json import Metrics, RunInfo, metrics_of
from gonogo.verdict import Decision, Verdict

#: which checks answer the PRE-CHECKS lines, by words in their test file's name
FAMILIES: dict[str, tuple[str, ...]] = {
    "Tests": ("junit", "upstream", "test_results"),
    "Security": ("security", "tls", "headers", "dns"),
    "Config": ("config", "secret", "lockfile", "pins", "wrangler"),
}
ISSUE_LIMIT = 20
_BAD = (Outcome.FAILED, Outcome.ERROR)


def _family(result: CheckResult) -> str | None:
    filename = result.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].lower()
    for family, words in FAMILIES.items():
        if any(word in filename for word in words):
            return family
    return None


def precheck_line(family: str, results: Sequence[CheckResult]) -> str:
    mine = [r for r in results if _family(r) == family and not r.dry_run and not r.policy_skip]
    good, bad = ("VALID", "INVALID") if family == "Config" else ("PASS", "FAIL")
    if not mine:
        return f"- [ ] {family}: n/a (not checked)"
    if any(r.outcome in _BAD for r in mine):
        return f"- [ ] {family}: {bad}"
    if all(r.outcome is Outcome.PASSED for r in mine):
        return f"- [x] {family}: {good}"
    return f"- [ ] {family}: UNKNOWN (skipped or inconclusive)"


def _metric_lines(run: RunInfo, metrics: Metrics) -> list[str]:
    duration = (run.finished_at - run.started_at).total_seconds()
    error = "n/a" if metrics.error_rate is None else f"{metrics.error_rate * 100:.2f}%"
    p95 = "n/a" if metrics.p95_ms is None else f"{metrics.p95_ms:.1f}ms"
    rollback = metrics.rollback_ready or "n/a"
    return [
        f"- Verification time: {duration:.1f}s (this gonogo run; the deploy itself is not timed)",
        f"- Error rate: {error}",
        f"- Latency p95: {p95}",
        f"- Rollback ready: {rollback}",
    ]


def checks_line(verdict: Verdict, results: Sequence[CheckResult]) -> str:
    """What the score counted, and what it left out on purpose (policy skips are not a result)."""
    not_applicable = sum(1 for r in results if r.policy_skip)
    dry = sum(1 for r in results if r.dry_run)
    failed = sum(1 for r in results if r.outcome in _BAD and not r.dry_run)
    line = f"- Checks: {verdict.passed}/{verdict.counted} counted passed, {failed} failed or errored"
    extra = []
    if not_applicable:
        extra.append(f"{not_applicable} not applicable (policy skips, not counted)")
    if dry:
        extra.append(f"{dry} dry run(s), reported only")
    return line + (f"; {', '.join(extra)}" if extra else "")


def _issues(verdict: Verdict, results: Sequence[CheckResult]) -> list[str]:
    lines = []
    for reason in verdict.reasons:
        if reason.decision is None:
            continue
        lines.append(f"- **{reason.code}**: {_one_line(reason.message)}")
    if len(lines) > ISSUE_LIMIT:
        lines = [*lines[:ISSUE_LIMIT], f"- ... and {len(lines) - ISSUE_LIMIT} more (see gate.json)"]
    return lines or ["- None"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def next_steps(verdict: Verdict, run: RunInfo) -> list[str]:
    decision = verdict.decision
    rerun = f"`{run.command}`"
    if decision is Decision.GO:
        steps = [f"- Promote: {run.environment} ({run.base_url}) passed every selected check."]
        if run.baseline_url:
            steps.append(f"- Keep the baseline {run.baseline_url} hot until the post-deploy checks pass.")
        if "postdeploy" not in {stage.value for stage in run.selected_stages}:
            steps.append(f"- After the switch, run `pytest --env {run.environment} --stage postdeploy`.")
        return steps
    if decision is Decision.HOLD:
        return [
            "- Hold: nothing critical failed, but the issues above need a person's decision.",
            f"- Review them, then promote by hand or fix and re-run {rerun}.",
        ]
    if decision is Decision.NO_GO:
        return [
            f"- Do not promote {run.environment}: fix the issues above and redeploy.",
            f"- Then re-run {rerun}.",
        ]
    target = f"the baseline {run.baseline_url}" if run.baseline_url else "the previous version"
    steps = [
        f"- Roll back now: route traffic back to {target}; the live deployment failed a critical "
        "post-deploy check."
    ]
    if run.rollback_command:
        steps.append(f"- Run: `{run.rollback_command}`")
    steps.append("- Then investigate the issues above before redeploying.")
    return steps


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def chart_lines(charts: Sequence[Chart], folder: Path | None) -> list[str]:
    """Images of this run's charts, by paths relative to the report (the files sit beside it)."""
    if not charts:
        return ["- None drawn in this run (no load check, comparison or watch ran)"]
    lines = []
    for chart in charts:
        where = chart.relative_to(folder) if folder is not None else chart.path.as_posix()
        lines += [f"![{chart.caption}]({where})", ""]
    return lines[:-1]


def render(
    verdict: Verdict,
    results: Sequence[CheckResult],
    run: RunInfo,
    *,
    charts: Sequence[Chart] = (),
    folder: Path | None = None,
) -> str:
    """The report; ``charts`` are linked relative to ``folder`` (where the report is written)."""
    metrics = metrics_of(results)
    observed = (
        f" (reports {metrics.observed_version})"
        if metrics.observed_version not in (None, run.expected_version)
        else ""
    )
    lines = [
        "## 🚀 DEPLOYMENT REPORT",
        "",
        f"📋 DEPLOYMENT: {run.environment} v{run.expected_version}{observed}",
        f"🕐 TIME: {_time(run.started_at)} → {_time(run.finished_at)}",
        f"🎯 ENV: {run.environment}{' (sensitive)' if run.sensitive else ''} — {run.base_url or 'n/a'}",
        f"🚦 VERDICT: **{verdict.decision.value}** (exit {run.exit_code}"
        + (f", score {verdict.score:.1f}" if verdict.score is not None else "")
        + ")",
        "",
        "### ✅ PRE-CHECKS",
        *(precheck_line(family, results) for family in FAMILIES),
        "",
        "### 📦 DEPLOYMENT",
        "```bash",
        "# Commands executed",
        run.command,
        "```",
        "",
        "### 📊 METRICS",
        *_metric_lines(run, metrics),
        checks_line(verdict, results),
        "",
        "### 📈 CHARTS",
        *chart_lines(charts, folder),
        "",
        "### 🚨 ISSUES",
        *_issues(verdict, results),
        "",
        "### 📝 NEXT STEPS",
        *next_steps(verdict, run),
        "",
    ]
    return "\n".join(lines)
