"""The pytest side of the blue-green checks: fixtures' work, terminal lines, findings, attachments.

The check files stay thin (load/test_compare.py, smoke/test_parity.py, load/test_watch.py). The rule
for where a problem lands:

* the environment file asks for something impossible, or the metric source is down before the watch:
  ``pytest.fail`` in a fixture -> the check errors in setup -> NO-GO (the run could not verify);
* nothing to verify (no ``[baseline]``, no watch asked for): :func:`gonogo.suite.not_applicable`;
* the candidate is measurably worse: the check fails -> NO-GO before the switch, ROLLBACK after it;
* it cannot be decided (too few samples, marginal, a watch limit on inconclusive measurements):
  inconclusive findings on a passed check -> HOLD.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from pydantic import SecretStr

from gonogo.bluegreen import parity as parity_mod
from gonogo.bluegreen import plots
from gonogo.bluegreen import watch as watch_mod
from gonogo.bluegreen.compare import (
    COMPARABLE_METHODS,
    CompareConfigError,
    ComparisonReport,
    judge,
    select_routes,
)
from gonogo.bluegreen.prometheus import PrometheusError
from gonogo.bluegreen.stats import Classification, LatencyComparison
from gonogo.bluegreen.traffic import Side, send_interleaved
from gonogo.context import CONTEXT_KEY, RunContext
from gonogo.environment import Environment, LoadedEnvironment, RouteConfig, WatchConfig, shown
from gonogo.evidence import Evidence, FindingRecorder
from gonogo.http import build_client, tls_verify
from gonogo.probes.fetch import fetch
from gonogo.results import FindingVerdict
from gonogo.suite import not_applicable

#: the option ``--watch`` (gonogo/plugin.py) stores its seconds here
WATCH_OPTION = "gonogo_watch"
FOLDER = "bluegreen"


# --- shared -------------------------------------------------------------------------------------


def terminal_writer(config: pytest.Config) -> Callable[[str], None]:
    """Write a line right away, past pytest's capture (progress of a long check), secrets scrubbed."""
    context = config.stash.get(CONTEXT_KEY, None)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        if reporter is None:
            return
        text = context.redactor.text(line) if context is not None else line
        disabled = capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()
        with disabled:
            reporter.ensure_newline()
            reporter.write_line(text)

    return write


def output_folder(request: pytest.FixtureRequest, context: RunContext) -> Path:
    """``reports/<env>/bluegreen/``: the JSON records and plots, also kept as CI artifacts."""
    if context.reports_dir is not None:
        folder = context.reports_dir / FOLDER
    else:
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        folder = factory.mktemp(FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def client_for(
    env: Environment,
    loaded: LoadedEnvironment,
    context: RunContext,
    secrets: Mapping[str, SecretStr],
    *,
    base_url: str,
    record: bool,
    retries: int | None = None,
) -> httpx.Client:
    """A client with the file's headers, timeouts, TLS and token; ``retries=0`` for measuring (a retried
    request's time is not a latency, and a probe error must count as one)."""
    model = env
    if retries is not None:
        model = env.model_copy(update={"http": env.http.model_copy(update={"retries": retries})})
    return build_client(
        model,
        base_url=base_url,
        secrets=secrets,
        redactor=context.redactor,
        record=context.exchanges.append if record else None,
        verify=tls_verify(env, loaded.path.parent),
    )


def _fail_setup(context: RunContext, message: str) -> NoReturn:
    pytest.fail(context.redactor.text(message), pytrace=False)


# --- comparison ---------------------------------------------------------------------------------


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
    context: RunContext = request.getfixturevalue("gonogo_context")
    loaded: LoadedEnvironment = request.getfixturevalue("loaded_environment")
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
        _fail_setup(context, f"{shown(loaded.path)}: {exc}")
    if not routes:
        not_applicable(
            request, f"{shown(loaded.path)} has no GET route that changes nothing: no request to compare with"
        )
    candidate_url: str = request.getfixturevalue("base_url")
    secrets: Mapping[str, SecretStr] = request.getfixturevalue("secrets")
    urls: dict[Side, str] = {"baseline": env.baseline.base_url, "candidate": candidate_url}
    with contextlib.ExitStack() as stack:
        clients: dict[Side, httpx.Client] = {
            side: stack.enter_context(
                client_for(env, loaded, context, secrets, base_url=url, record=False, retries=0)
            )
            for side, url in urls.items()
        }
        yield ComparePlan(env, shown(loaded.path), routes, clients, urls, env.baseline.compare.stage)


def run_comparison(
    request: pytest.FixtureRequest, plan: ComparePlan, findings: FindingRecorder, evidence: Evidence
) -> ComparisonReport:
    assert plan.env.baseline is not None
    config = plan.env.baseline.compare
    write = terminal_writer(request.config)
    context: RunContext = request.getfixturevalue("gonogo_context")
    write(
        f"gonogo compare: {config.requests} request pair(s) per route over {len(plan.routes)} route(s), "
        f"{config.concurrency} at a time, at most {config.max_duration_s:g} s: "
        f"baseline {plan.urls['baseline']} vs candidate {plan.urls['candidate']}"
    )
    for route in plan.routes:  # warm-up, discarded: connections opened, first-request costs paid on both
        for client in plan.clients.values():
            fetch(client, route.method, route.path)
    traffic = send_interleaved(
        plan.clients,
        plan.routes,
        requests=config.requests,
        concurrency=config.concurrency,
        max_duration_s=config.max_duration_s,
        seed=config.seed,
    )
    report = judge(
        traffic, plan.routes, config, baseline_url=plan.urls["baseline"], candidate_url=plan.urls["candidate"]
    )
    for finding in report.findings():
        findings.record(
            finding.name,
            finding.value,
            verdict=finding.verdict,
            limit=finding.limit,
            unit=finding.unit,
            detail=finding.detail,
        )
    table = report.table()
    for line in table:
        write(line)
    folder = output_folder(request, context)
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
    chart.write_text(svg, encoding="utf-8")
    (folder / "compare.json").write_text(_json(report.to_dict()), encoding="utf-8")
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


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)


# --- parity -------------------------------------------------------------------------------------


def parity_routes(env: Environment) -> list[tuple[str, RouteConfig]]:
    """``(id, route)`` for the parity check: GET/HEAD routes that change nothing."""
    return [(r.name, r) for r in env.routes if r.method in COMPARABLE_METHODS and not r.destructive]


def check_parity(
    route: RouteConfig,
    *,
    baseline: httpx.Client,
    candidate: httpx.Client,
    loaded: LoadedEnvironment,
    findings: FindingRecorder,
    evidence: Evidence,
) -> str | None:
    """Compare one route on both colours; returns the failure message, or None when they agree."""
    env = loaded.model
    assert env.baseline is not None
    config = env.baseline.parity
    base = fetch(baseline, route.method, route.path)
    cand = fetch(candidate, route.method, route.path)
    name = f"parity [{route.name}]"
    if base.response is None or cand.response is None:
        silent = [
            f"{side}: {f.describe()}"
            for side, f in (("baseline", base), ("candidate", cand))
            if f.response is None
        ]
        findings.inconclusive(name, None, detail="could not compare: " + "; ".join(silent))
        return None
    differences = parity_mod.compare_responses(
        base, cand, mode=config.compare, volatile=config.volatile_fields
    )
    record = {
        "route": route.name,
        "request": f"{route.method} {route.path}",
        "baseline": {"url": base.url, "status": base.status},
        "candidate": {"url": cand.url, "status": cand.status},
        "compare": config.compare,
        "volatile_fields": list(config.volatile_fields),
        "differences": [d.to_dict() for d in differences],
    }
    evidence.json(f"parity diff: {route.name}", record)
    shown_differences = differences[: parity_mod.SHOWN]
    detail = "; ".join(d.text() for d in shown_differences[:3])
    findings.record(
        name,
        len(differences),
        verdict=FindingVerdict.FAIL if differences else FindingVerdict.PASS,
        limit=0,
        unit="differences",
        detail=detail or f"same status ({base.status}) and {config.compare} on both colours",
    )
    if not differences:
        return None
    lines = [
        f"route {route.name!r}: {len(differences)} difference(s) between the baseline ({base.describe()}) "
        f"and the candidate ({cand.describe()}), comparing {config.compare}:",
        *(f"  - {d.text()}" for d in shown_differences),
    ]
    if len(differences) > len(shown_differences):
        lines.append(f"  ... and {len(differences) - len(shown_differences)} more in the attached JSON diff")
    lines.append(
        "Fix: a client of the old version may break on the new shape: keep the old fields (add, don't "
        "rename), or accept the change; fields that differ by nature (timestamps, ids) go in "
        f"[baseline.parity].volatile_fields of {shown(loaded.path)}."
    )
    return "\n".join(lines)


# --- watch --------------------------------------------------------------------------------------


def watch_duration(config: pytest.Config, env: Environment) -> float | None:
    """Seconds to watch: ``--watch`` / ``GONOGO_WATCH`` first, then ``[watch].duration_s``; None: no watch."""
    option = config.getoption(WATCH_OPTION, None)
    if option is not None:
        return float(option) or None
    return env.watch.duration_s if env.watch is not None else None


@dataclass(frozen=True)
class WatchPlan:
    env: Environment
    env_file: str
    config: WatchConfig
    duration_s: float
    prober: watch_mod.Prober
    max_error_rate: float
    p95_ms: float


@contextlib.contextmanager
def watch_plan(request: pytest.FixtureRequest) -> Iterator[WatchPlan]:
    context: RunContext = request.getfixturevalue("gonogo_context")
    loaded: LoadedEnvironment = request.getfixturevalue("loaded_environment")
    env = loaded.model
    duration = watch_duration(request.config, env)
    if duration is None:
        not_applicable(
            request,
            "no watch asked for: pass --watch DURATION (or GONOGO_WATCH), "
            f"or add [watch] to {shown(loaded.path)}",
        )
    config = env.watch or WatchConfig()
    base_url: str = request.getfixturevalue("base_url")
    secrets: Mapping[str, SecretStr] = request.getfixturevalue("secrets")
    routes = [r for r in env.routes if r.method in COMPARABLE_METHODS and not r.destructive]
    max_error_rate = config.max_error_rate if config.max_error_rate is not None else env.load.max_error_rate
    p95_ms = config.p95_ms if config.p95_ms is not None else env.load.p95_ms
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(
            client_for(env, loaded, context, secrets, base_url=base_url, record=False, retries=0)
        )
        source = None
        if config.prometheus is not None:
            prom_client = stack.enter_context(httpx.Client(timeout=config.prometheus.timeout_s))
            source = watch_mod.PrometheusSource(prom_client, config.prometheus)
            try:
                source.validate()
            except PrometheusError as exc:
                _fail_setup(
                    context,
                    f"[watch.prometheus] in {shown(loaded.path)}: {exc} The watch cannot use its metric "
                    "source; fix the URL or the query before watching.",
                )
        prober = watch_mod.Prober(
            client,
            health=env.health,
            version=env.version,
            expected_version=env.expected_version,
            routes=routes,
            sample_requests=config.sample_requests,
            max_error_rate=max_error_rate,
            p95_ms=p95_ms,
            prometheus=source,
        )
        yield WatchPlan(env, shown(loaded.path), config, duration, prober, max_error_rate, p95_ms)


def run_watch(
    request: pytest.FixtureRequest, plan: WatchPlan, findings: FindingRecorder, evidence: Evidence
) -> watch_mod.WatchResult:
    write = terminal_writer(request.config)
    context: RunContext = request.getfixturevalue("gonogo_context")
    config = plan.config
    limits = watch_mod.Limits(config.failure_limit, config.consecutive_error_limit, config.inconclusive_limit)
    source = " and Prometheus" if config.prometheus is not None else ""
    write(
        f"gonogo watch: {plan.duration_s:g} s, a measurement every {config.interval_s:g} s (health, version, "
        f"{config.sample_requests} request(s){source}); limits: failure {limits.failure_limit}, "
        f"errors in a row {limits.consecutive_error_limit}, inconclusive {limits.inconclusive_limit}"
    )

    def progress(m: watch_mod.Measurement, tally: watch_mod.Tally) -> None:
        numbers = []
        if m.sample_answered:
            numbers.append(f"errors {m.sample_errors}/{m.sample_answered}")
        if m.p95_ms is not None:
            numbers.append(f"p95 {m.p95_ms:.1f} ms")
        if m.prometheus_error_rate is not None:
            numbers.append(f"prometheus error rate {m.prometheus_error_rate:.2%}")
        if m.prometheus_p95_ms is not None:
            numbers.append(f"prometheus p95 {m.prometheus_p95_ms:.1f} ms")
        why = f": {'; '.join(m.reasons)}" if m.reasons else ""
        write(
            f"gonogo watch: #{m.index} at {m.t_s:.1f} s {m.phase.value.upper()} "
            f"({', '.join(numbers) or 'no sample'}){why} [failed {tally.failed}/{limits.failure_limit}, "
            f"errors in a row {tally.errors_in_a_row}/{limits.consecutive_error_limit}, inconclusive "
            f"{tally.inconclusive}/{limits.inconclusive_limit}]"
        )

    result = watch_mod.run(
        plan.prober.measure,
        duration_s=plan.duration_s,
        interval_s=config.interval_s,
        limits=limits,
        on_measurement=progress,
    )
    consequence = {
        watch_mod.End.PASSED: "GO as far as the watch goes",
        watch_mod.End.FAILED: "the check fails: ROLLBACK",
        watch_mod.End.ERRORED: "the check fails: ROLLBACK",
        watch_mod.End.INCONCLUSIVE: "inconclusive: HOLD",
    }[result.end]
    early = "" if result.end is watch_mod.End.PASSED else f" (stopped early, {plan.duration_s:g} s planned)"
    write(
        f"gonogo watch: {result.end.value.upper()} after {result.elapsed_s:.2f} s{early}, time to verdict "
        f"{result.elapsed_s:.2f} s: {result.reason} -> {consequence}"
    )
    _watch_findings(result, findings)
    folder = output_folder(request, context)
    data = result.to_dict()
    (folder / "watch.json").write_text(_json(data), encoding="utf-8")
    chart = folder / "watch.svg"
    chart.write_text(
        plots.watch_svg(
            result,
            p95_limit_ms=plan.p95_ms,
            error_rate_limit=plan.max_error_rate,
            title=f"watch of {plan.prober.client.base_url}: "
            f"{result.end.value.upper()} after {result.elapsed_s:.1f} s",
        ),
        encoding="utf-8",
    )
    evidence.json("watch measurements (JSON)", data)
    evidence.file(chart, "watch over time")
    return result


def _watch_findings(result: watch_mod.WatchResult, findings: FindingRecorder) -> None:
    tally, limits = result.tally, result.limits
    findings.record(
        "watch time to verdict",
        round(result.elapsed_s, 3),
        unit="s",
        detail=f"{result.end.value}: {result.reason}",
    )
    findings.measure("watch failed measurements", tally.failed, limit=limits.failure_limit)
    findings.measure(
        "watch errors in a row", tally.most_errors_in_a_row, limit=limits.consecutive_error_limit
    )
    if tally.inconclusive > limits.inconclusive_limit:
        findings.inconclusive(
            "watch inconclusive measurements",
            tally.inconclusive,
            limit=limits.inconclusive_limit,
            detail=_last_reasons(result, watch_mod.Phase.INCONCLUSIVE),
        )
    else:
        findings.measure(
            "watch inconclusive measurements", tally.inconclusive, limit=limits.inconclusive_limit
        )


def watch_failure(result: watch_mod.WatchResult, plan: WatchPlan) -> str:
    phase = watch_mod.Phase.FAILED if result.end is watch_mod.End.FAILED else watch_mod.Phase.ERROR
    return (
        f"the watch of {plan.prober.client.base_url} ended {result.end.value} after {result.elapsed_s:.2f} s "
        f"(time to verdict): {result.reason}. Last: {_last_reasons(result, phase)}.\n"
        "Fix: roll back to the baseline (switch traffic back), then look at the measurements attached "
        f"(watch.json, watch.svg). The limits are [watch] in {plan.env_file}."
    )


def _last_reasons(result: watch_mod.WatchResult, phase: watch_mod.Phase) -> str:
    last = next((m for m in reversed(result.measurements) if m.phase is phase), None)
    if last is None:
        return "none"
    return f"#{last.index} at {last.t_s:.1f} s: " + "; ".join(last.reasons)


def classification_failed(report: ComparisonReport) -> bool:
    return report.classification is Classification.FAIL
