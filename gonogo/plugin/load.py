"""The pytest side of the postdeploy load check: plan, run (or read) the load, show progress, report.

``load/test_latency.py`` stays thin::

    run = load_check.run(request, locustfile=LOCUSTFILE)
    judgement = load_check.report(run, findings, evidence)
    assert not judgement.failures, ...

Options (``gonogo/plugin.py``): ``--load-processes N``, ``--load-results FILE`` (judge an external
locust master's results instead of running locust), ``--allow-full-load`` (lift a sensitive
environment's caps); ``--allow-destructive`` also lets destructive routes take part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gonogo.environment import shown
from gonogo.plugin.api import not_applicable
from gonogo.plugin.context import RunContext
from gonogo.plugin.evidence import Evidence, FindingRecorder
from gonogo.plugin.option_types import positive_int
from gonogo.plugin.output import output_folder, terminal_writer

if TYPE_CHECKING:
    from gonogo.loadgen.judge import Judgement
    from gonogo.loadgen.measurements import LoadMeasurements
    from gonogo.loadgen.plan import LoadPlan
    from gonogo.loadgen.runner import RunFiles, RunOutcome

# The plan, the judge, the measurements, the runner (SciPy, numpy, HdrHistogram) and the chart are
# imported when a load check runs: this module is registered at every pytest start-up, and most runs
# load nothing.


def add_options(parser: pytest.Parser) -> None:
    """The load check's options (docs/load.md)."""
    load = parser.getgroup("gonogo load", "gonogo postdeploy load check")
    load.addoption(
        "--load-processes",
        dest="gonogo_load_processes",
        type=positive_int,
        metavar="N",
        help="locust processes on this machine, >= 1 (locust --processes); overrides [load].processes.",
    )
    load.addoption(
        "--load-results",
        dest="gonogo_load_results",
        metavar="FILE",
        help="judge this results file (written by a locust master running load/locustfile.py with "
        "--gonogo-results FILE) instead of running locust.",
    )
    load.addoption(
        "--allow-full-load",
        dest="gonogo_allow_full_load",
        action="store_true",
        default=False,
        help="lift a sensitive environment's caps on load users and rate ([load].sensitive_max_*).",
    )


@dataclass(frozen=True)
class LoadRun:
    """What the check ran or read: the plan that judges, the results, or why there are none."""

    plan: LoadPlan
    env_file: str
    results: LoadMeasurements | None
    #: why there are no usable results, or why they cannot judge this deployment
    problem: str | None
    files: RunFiles | None
    outcome: RunOutcome | None = None
    results_file: Path | None = None


def run(request: pytest.FixtureRequest, *, locustfile: Path) -> LoadRun:
    """Build the plan from the environment and run it in a locust child (or read ``--load-results``)."""
    from gonogo.loadgen.plan import NothingToLoad, build_plan
    from gonogo.loadgen.runner import run_locust

    context: RunContext = request.getfixturevalue("gonogo_context")
    loaded = request.getfixturevalue("loaded_environment")
    base_url: str = request.getfixturevalue("base_url")
    config = request.config
    try:
        plan = build_plan(
            loaded,
            base_url=base_url,
            allow_destructive=context.settings.allow_destructive,
            allow_full_load=bool(config.getoption("gonogo_allow_full_load", False)),
            processes=config.getoption("gonogo_load_processes", None),
        )
    except NothingToLoad as exc:
        not_applicable(request, str(exc))
    env_file = f"{shown(loaded.path)} [load]"
    write = terminal_writer(config)
    results_path = config.getoption("gonogo_load_results", None)
    if results_path:
        return _read_external(plan, env_file, Path(results_path), write)
    folder = output_folder(request, context, "load")
    write(
        f"gonogo load: {plan.model} against {plan.base_url} for {plan.duration_s:g} s "
        f"({plan.warmup_s:g} s warm-up), time bound {plan.hard_timeout_s():.0f} s; files in {shown(folder)}"
    )
    for cap in plan.caps:
        write(
            f"gonogo load: capped on sensitive environment {loaded.name}: {cap} (--allow-full-load lifts it)"
        )
    outcome = run_locust(plan, locustfile=locustfile, folder=folder, on_line=write)
    return LoadRun(plan, env_file, outcome.results, outcome.error, outcome.files, outcome)


def report(
    run: LoadRun, findings: FindingRecorder, evidence: Evidence, *, write: Callable[[str], None] | None = None
) -> Judgement:
    """Record the findings, attach the evidence, print the table; returns the judgement to assert on."""
    from gonogo.loadgen.judge import Judgement, judge
    from gonogo.loadgen.table import format_table

    if run.results is None or run.problem is not None:
        problem = run.problem or "no results"
        findings.inconclusive("load run", "no results", detail=problem)
        if run.files is not None and run.files.log.is_file():
            evidence.file(run.files.log, "locust log")
        if write is not None:
            write(f"gonogo load: INCONCLUSIVE: {problem}")
        return Judgement(findings=(), failures=(), inconclusive=(problem,))
    judgement = judge(run.results, run.plan, env_file=run.env_file)
    for item in judgement.findings:
        findings.add(item)
    table = format_table(run.results, judgement, limits=run.plan)
    if write is not None:
        for line in table:
            write(line)
    _attach(run, evidence, table)
    return judgement


def failure_message(judgement: Judgement) -> str:
    return "\n".join(judgement.failures)


# --- helpers ------------------------------------------------------------------------------------


def _read_external(plan: LoadPlan, env_file: str, path: Path, write: Callable[[str], None]) -> LoadRun:
    from gonogo.loadgen.measurements import LoadMeasurements, MeasurementsError
    from gonogo.loadgen.plan import host_pattern

    write(f"gonogo load: judging results from {path} (--load-results); no load is sent by this run")
    try:
        results = LoadMeasurements.read(path)
    except MeasurementsError as exc:
        return LoadRun(plan, env_file, None, str(exc), None, results_file=path)
    problem = None
    if not host_pattern(plan.base_url).fullmatch(results.plan.base_url):
        problem = (
            f"{path} measured {results.plan.base_url}, not this environment's base URL {plan.base_url}: "
            "it is no evidence for this deployment. Fix: point the locust master at the base URL, or pass "
            "the results of this deployment's run"
        )
    return LoadRun(plan, env_file, results, problem, None, results_file=path)


def _attach(run: LoadRun, evidence: Evidence, table: list[str]) -> None:
    from gonogo.reporting import charts
    from gonogo.reporting.charts.latency import latency_svg

    results = run.results
    assert results is not None
    evidence.text("load summary", "\n".join(table))
    svg = latency_svg(
        results.intervals,
        interval_s=results.interval_s,
        warmup_s=results.plan.warmup_s,
        p95_limit_ms=run.plan.p95_ms,
        title=f"{results.plan.environment}: latency over time ({results.model})",
    )
    if run.files is not None:
        run.files.chart.write_text(svg, encoding="utf-8")
        charts.save(run.files.folder.parent, "latency.svg", svg)  # reports/<env>/charts/, beside the report
        evidence.file(run.files.chart, "latency over time (p50, p95, errors)")
        for path, name in (
            (run.files.stats_csv, "locust statistics (CSV)"),
            (run.files.results, "load results (JSON, with HdrHistograms)"),
        ):
            if path.is_file():
                evidence.file(path, name)
        _attach_locust_report(run.files.html, run.plan.duration_s, evidence)
    elif run.results_file is not None:
        evidence.text("latency over time (p50, p95, errors)", svg, extension="svg")
        csv_path = run.results_file.with_name(run.results_file.stem + "_locust_stats.csv")
        if csv_path.is_file():
            evidence.file(csv_path, "locust statistics (CSV)")
        evidence.file(run.results_file, "load results (JSON, with HdrHistograms)")


#: locust's HTML report charts a point every few seconds: a shorter run leaves its charts empty
LOCUST_REPORT_MIN_S = 15.0


def _attach_locust_report(path: Path, duration_s: float, evidence: Evidence) -> None:
    """Attach locust's own HTML report only when it can hold something, else say why it is not there."""
    if not path.is_file():
        return
    if duration_s >= LOCUST_REPORT_MIN_S:
        evidence.file(path, "locust report (HTML)")
        return
    evidence.text(
        "locust report (HTML): left out",
        f"This run lasted {duration_s:g} s. locust's HTML report charts a point every few seconds, "
        f"so for a run under {LOCUST_REPORT_MIN_S:g} s its charts stay empty. Every sample is in the "
        "latency chart, the load summary and the load results attached here; the locust report is kept "
        f"at {path.name} in the run's load folder.",
    )


class LoadCheck:
    """The ``load_check`` fixture: ``load_check.run(locustfile)`` loads the target and judges it."""

    def __init__(self, request: pytest.FixtureRequest, findings: FindingRecorder, evidence: Evidence) -> None:
        self._request = request
        self._findings = findings
        self._evidence = evidence

    def run(self, locustfile: Path) -> Judgement:
        """Run locust with this profile (or read ``--load-results``), record findings, attach evidence."""
        loaded = run(self._request, locustfile=locustfile)
        return report(loaded, self._findings, self._evidence, write=terminal_writer(self._request.config))

    @staticmethod
    def failure_message(judgement: Judgement) -> str:
        return failure_message(judgement)


@pytest.fixture
def load_check(request: pytest.FixtureRequest, findings: FindingRecorder, evidence: Evidence) -> LoadCheck:
    """Runs the postdeploy load profile against the target and judges it (docs/load.md)."""
    return LoadCheck(request, findings, evidence)
