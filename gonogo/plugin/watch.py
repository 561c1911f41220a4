"""The post-promotion watch's pytest side (load/test_watch.py) and its option ``--watch DURATION``.

A metric source that is down before the watch errors at setup (NO-GO: nothing was verified); a watch
limit on failed measurements fails the check (ROLLBACK); inconclusive measurements past their limit hold.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest

from gonogo.bluegreen.durations import duration_option
from gonogo.bluegreen.parity import COMPARABLE_METHODS
from gonogo.environment import Environment, WatchConfig, shown
from gonogo.plugin.api import not_applicable
from gonogo.plugin.clients import measuring_client
from gonogo.plugin.context import RunContext, run_environment
from gonogo.plugin.evidence import Evidence, FindingRecorder
from gonogo.plugin.output import fail_setup, output_folder, terminal_writer, write_chart, write_record

if TYPE_CHECKING:
    from gonogo.bluegreen import watch as watch_mod
    from gonogo.bluegreen.probe import Prober

# The watch, its probe and its plots (SciPy, numpy) are imported when a watch runs: this module is
# registered at every pytest start-up, and most runs watch nothing.

#: the option ``--watch`` stores its seconds here
WATCH_OPTION = "gonogo_watch"
FOLDER = "bluegreen"


def add_options(parser: pytest.Parser) -> None:
    """The post-promotion watch's option (docs/bluegreen.md)."""
    bluegreen = parser.getgroup("gonogo blue-green", "gonogo baseline comparison and post-promotion watch")
    bluegreen.addoption(
        "--watch",
        dest="gonogo_watch",
        type=duration_option,
        # a string default goes through `type` as well: a bad GONOGO_WATCH is a usage error too
        default=os.environ.get("GONOGO_WATCH") or None,
        metavar="DURATION",
        help="watch the candidate after promotion for this long (90s, 5m, 1h30m; 0: off); overrides "
        "[watch].duration_s. Default: $GONOGO_WATCH, then [watch] in the environment file, else no watch.",
    )


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
    prober: Prober
    max_error_rate: float
    p95_ms: float


@contextlib.contextmanager
def watch_plan(request: pytest.FixtureRequest) -> Iterator[WatchPlan]:
    from gonogo.bluegreen import watch as watch_mod
    from gonogo.bluegreen.probe import Prober, PrometheusSource
    from gonogo.bluegreen.prometheus import PrometheusError

    context, loaded = run_environment(request)
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
    routes = [r for r in env.routes if r.method in COMPARABLE_METHODS and not r.destructive]
    max_error_rate = config.max_error_rate if config.max_error_rate is not None else env.load.max_error_rate
    p95_ms = config.p95_ms if config.p95_ms is not None else env.load.p95_ms
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(measuring_client(request, base_url))
        source = None
        if config.prometheus is not None:
            prom_client = stack.enter_context(httpx.Client(timeout=config.prometheus.timeout_s))
            source = PrometheusSource(prom_client, config.prometheus)
            try:
                source.validate()
            except PrometheusError as exc:
                fail_setup(
                    context,
                    f"[watch.prometheus] in {shown(loaded.path)}: {exc} The watch cannot use its metric "
                    "source; fix the URL or the query before watching.",
                )
        prober = Prober(
            client,
            health=env.health,
            version=env.version,
            expected_version=env.expected_version,
            routes=routes,
            sample_requests=config.sample_requests,
            max_error_rate=max_error_rate,
            p95_ms=p95_ms,
            prometheus=source,
            confidence=config.confidence,
            plan=watch_mod.slots(duration, config.interval_s),
        )
        yield WatchPlan(env, shown(loaded.path), config, duration, prober, max_error_rate, p95_ms)


def run_watch(
    request: pytest.FixtureRequest, plan: WatchPlan, findings: FindingRecorder, evidence: Evidence
) -> watch_mod.WatchResult:
    from gonogo.bluegreen import watch as watch_mod
    from gonogo.reporting.charts import bluegreen as plots

    write = terminal_writer(request.config)
    context: RunContext = request.getfixturevalue("gonogo_context")
    config = plan.config
    limits = watch_mod.Limits(config.failure_limit, config.consecutive_error_limit, config.inconclusive_limit)
    source = " and Prometheus" if config.prometheus is not None else ""
    write(
        f"gonogo watch: {plan.duration_s:g} s, a measurement every {config.interval_s:g} s (health, version, "
        f"{plan.prober.requests} request(s){source}, judged over the last {plan.prober.window.size}); "
        f"limits: failure {limits.failure_limit}, "
        f"errors in a row {limits.consecutive_error_limit}, inconclusive {limits.inconclusive_limit}"
    )

    def progress(m: watch_mod.Measurement, tally: watch_mod.Tally) -> None:
        numbers = []
        if m.sample_answered:
            numbers.append(
                f"errors {m.sample_errors}/{m.sample_answered}, window {m.window_errors}/{m.window_requests}"
            )
        if m.p95_ms is not None:
            numbers.append(f"window p95 {m.p95_ms:.1f} ms")
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
        evidence=plan.prober.evidence,
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
    for finding in result.findings():
        findings.add(finding)
    folder = output_folder(request, context, FOLDER)
    data = write_record(context, folder / "watch.json", result.to_dict())
    svg = plots.watch_svg(
        result,
        p95_limit_ms=plan.p95_ms,
        error_rate_limit=plan.max_error_rate,
        title=f"watch of {plan.prober.client.base_url}: "
        f"{result.end.value.upper()} after {result.elapsed_s:.1f} s",
    )
    chart = folder / "watch.svg"
    write_chart(context, chart, svg)
    evidence.json("watch measurements (JSON)", data)
    evidence.file(chart, "watch over time")
    return result


def _watch_findings(result: watch_mod.WatchResult, findings: FindingRecorder) -> None:
    from gonogo.bluegreen import watch as watch_mod

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
    from gonogo.bluegreen import watch as watch_mod

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


@pytest.fixture
def post_promotion_watch(
    request: pytest.FixtureRequest, findings: FindingRecorder, evidence: Evidence
) -> Iterator[Callable[[], str | None]]:
    """``post_promotion_watch()`` watches the candidate (``--watch`` / ``[watch]``); returns why it
    failed, or None. Not applicable without a watch; a metric source that is down errors at setup."""
    from gonogo.bluegreen import watch as watch_mod

    with watch_plan(request) as plan:

        def watch() -> str | None:
            result = run_watch(request, plan, findings, evidence)
            return (
                watch_failure(result, plan)
                if result.end in (watch_mod.End.FAILED, watch_mod.End.ERRORED)
                else None
            )

        yield watch
