"""The baseline comparison check's pytest side (load/test_compare.py): plan at setup, traffic, findings.

Where a problem lands: an impossible ``[baseline.compare]`` errors at setup (NO-GO); no ``[baseline]`` is
not applicable; a measurably worse candidate fails (NO-GO before the switch, ROLLBACK after it); a
marginal or too small comparison is inconclusive (HOLD).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest

from gonogo.environment import Environment, RouteConfig, shown
from gonogo.plugin.api import not_applicable
from gonogo.plugin.clients import measuring_client
from gonogo.plugin.context import CONTEXT_KEY, RunContext, run_environment
from gonogo.plugin.evidence import Evidence, FindingRecorder
from gonogo.plugin.output import fail_setup, output_folder, terminal_writer, write_chart, write_record
from gonogo.probes.fetch import fetch

if TYPE_CHECKING:
    from gonogo.bluegreen.compare import ComparisonReport
    from gonogo.bluegreen.stats import LatencyComparison
    from gonogo.bluegreen.traffic import Side

# The comparison's statistics and plots (SciPy, numpy) are imported when a comparison runs: this module
# is registered at every pytest start-up, and a run without [baseline] never compares.

FOLDER = "bluegreen"


def compare_stage(config: pytest.Config) -> str:
    """The stage the comparison check belongs to: ``[baseline.compare].stage`` (default postdeploy)."""
    context = config.stash.get(CONTEXT_KEY, None)
    env = context.env if context is not None else None
    if env is None or env.baseline is None:
        return "postdeploy"
    return env.baseline.compare.stage


@dataclass(frozen=True)
class ComparePlan:
    env: Environment
    env_file: str
    routes: list[RouteConfig]
    clients: dict[Side, httpx.Client]
    urls: dict[Side, str]
    stage: str


@contextlib.contextmanager
def compare_plan(request: pytest.FixtureRequest) -> Iterator[ComparePlan]:
    """What the comparison needs, or why it does not apply / cannot run (at setup)."""
    from gonogo.bluegreen.compare import CompareConfigError, select_routes

    context, loaded = run_environment(request)
    env = loaded.model
    if env.baseline is None:
        not_applicable(
            request, f"{shown(loaded.path)} has no [baseline]: nothing to compare the candidate with"
        )
    if not env.baseline.compare.enabled:
        not_applicable(request, f"[baseline.compare].enabled = false in {shown(loaded.path)}")
    try:
        routes = select_routes(env)
    except CompareConfigError as exc:
        fail_setup(context, f"{shown(loaded.path)}: {exc}")
    if not routes:
        not_applicable(
            request, f"{shown(loaded.path)} has no GET route that changes nothing: no request to compare with"
        )
    candidate_url: str = request.getfixturevalue("base_url")
    urls: dict[Side, str] = {"baseline": env.baseline.base_url, "candidate": candidate_url}
    with contextlib.ExitStack() as stack:
        clients: dict[Side, httpx.Client] = {
            side: stack.enter_context(measuring_client(request, url)) for side, url in urls.items()
        }
        yield ComparePlan(env, shown(loaded.path), routes, clients, urls, env.baseline.compare.stage)


def run_comparison(
    request: pytest.FixtureRequest, plan: ComparePlan, findings: FindingRecorder, evidence: Evidence
) -> ComparisonReport:
    from gonogo.bluegreen.compare_text import look_line
    from gonogo.bluegreen.looks import compare_sequentially
    from gonogo.bluegreen.traffic import batch_sender
    from gonogo.reporting.charts import bluegreen as plots

    assert plan.env.baseline is not None
    config = plan.env.baseline.compare
    write = terminal_writer(request.config)
    context: RunContext = request.getfixturevalue("gonogo_context")
    write(
        f"gonogo compare: sequential, at most {config.requests} request pair(s) per route over "
        f"{len(plan.routes)} route(s), {config.concurrency} at a time, at most {config.max_duration_s:g} s: "
        f"baseline {plan.urls['baseline']} vs candidate {plan.urls['candidate']}"
    )
    for route in plan.routes:  # warm-up, discarded: connections opened, first-request costs paid on both
        for client in plan.clients.values():
            fetch(client, route.method, route.path)
    report = compare_sequentially(
        batch_sender(plan.clients, plan.routes, concurrency=config.concurrency, seed=config.seed),
        plan.routes,
        config,
        baseline_url=plan.urls["baseline"],
        candidate_url=plan.urls["candidate"],
        on_look=lambda look, _: write(look_line(look)),
    )
    for finding in report.findings():
        findings.add(finding)
    table = report.table()
    for line in table:
        write(line)
    folder = output_folder(request, context, FOLDER)
    evidence.text("comparison summary", "\n".join(table))
    evidence.json("comparison (JSON: every sample, every estimate)", report.to_dict())
    svg = plots.distributions_svg(
        [
            plots.RouteSamples(
                r.route, r.baseline_latencies, r.candidate_latencies, _caption(r.latency, report.confidence)
            )
            for r in report.routes
        ],
        title=f"latency, baseline vs candidate ({report.classification.value.upper()})",
    )
    chart = folder / "compare-latency.svg"
    write_chart(context, chart, svg)
    write_record(context, folder / "compare.json", report.to_dict())
    evidence.file(chart, "latency distributions, baseline vs candidate")
    write(f"gonogo compare: record and plot in {shown(folder)}")
    return report


def comparison_failure(report: ComparisonReport, plan: ComparePlan) -> str:
    what = (
        "do not switch traffic to the candidate"
        if plan.stage == "smoke"
        else "roll back to the baseline (switch traffic back)"
    )
    # the first line is what the gate's reason quotes: the first failure itself
    first, *others = report.failures() or ["the comparison failed"]
    lines = [
        f"candidate worse than baseline: {first}",
        *(f"  - {line}" for line in others),
        f"Fix: {what}, and find what changed between the two versions on the routes above. If the "
        "difference is expected and accepted, raise the limit in [baseline.compare] of "
        f"{plan.env_file} (latency_tolerance, p95_increase_limit, error_rate_increase).",
    ]
    return "\n".join(lines)


def _caption(latency: LatencyComparison, confidence: float) -> str:
    if latency.shift is None:
        return f"{latency.classification.value.upper()}: {latency.reason}"
    return (
        f"{latency.classification.value.upper()}: shift {latency.shift.estimate:+.2f} ms "
        f"({confidence:.0%} CI {latency.shift.ci_low:+.2f} to {latency.shift.ci_high:+.2f}; "
        f"tolerated {latency.tolerance_ms:.2f})"
    )


def classification_failed(report: ComparisonReport) -> bool:
    from gonogo.bluegreen.stats import Classification

    return report.classification is Classification.FAIL


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "compare_stage" not in metafunc.fixturenames:
        return
    # the stage comes from the environment file: a smoke marker on the parameter overrides the folder
    stage = compare_stage(metafunc.config)
    marks = [pytest.mark.smoke] if stage == "smoke" else []
    metafunc.parametrize("compare_stage", [pytest.param(stage, id=stage, marks=marks)])


@pytest.fixture
def baseline_comparison(
    request: pytest.FixtureRequest, findings: FindingRecorder, evidence: Evidence
) -> Iterator[Callable[[], str | None]]:
    """``baseline_comparison()`` compares the candidate with ``[baseline]``; returns why it failed, or None.

    Not applicable without ``[baseline]``; an impossible ``[baseline.compare]`` errors at setup.
    """
    with compare_plan(request) as plan:

        def compare() -> str | None:
            report = run_comparison(request, plan, findings, evidence)
            return comparison_failure(report, plan) if classification_failed(report) else None

        yield compare
