"""The end-of-run table, for the terminal, the locust child's stderr and the report."""

from __future__ import annotations

from gonogo.loadgen.bounds import p95_interval, rate_interval
from gonogo.loadgen.judge import Judgement
from gonogo.loadgen.measurements import LoadMeasurements, RouteMeasurement
from gonogo.loadgen.plan import LoadPlan
from gonogo.model import FindingVerdict


def format_table(
    results: LoadMeasurements, judgement: Judgement | None = None, limits: LoadPlan | None = None
) -> list[str]:
    """The run, one row per route and the total, then what the judgement says (``limits``: its plan)."""
    plan = results.plan
    limits = limits or plan
    lines = [
        f"gonogo load: {results.model} against {plan.base_url}: {plan.duration_s:g} s run, "
        f"{plan.warmup_s:g} s warm-up, {results.measured_s:.1f} s measured",
    ]
    header = (
        f"  {'route':<24} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'locust p95':>10}"
    )
    lines.append(header)
    locust_routes = results.locust.routes if results.locust else {}
    for route in results.routes:
        locust_p95 = locust_routes.get(route.name, {}).get("p95_ms")
        lines.append(_row(route, results.measured_s, locust_p95))
    lines.append(_row(results.total, results.measured_s, results.locust.p95_ms if results.locust else None))
    extra = []
    cpu = results.generator_cpu
    if cpu is not None and cpu.mean is not None:
        extra.append(
            f"generator CPU {cpu.mean:.0f}% of a core (mean after warm-up, busiest of {results.processes})"
        )
    if results.open is not None:
        counts = results.open
        extra.append(
            f"schedule: {counts.sent} sent, {counts.late} late, {counts.dropped} never sent, "
            f"{counts.unfinished} unanswered at the end"
        )
    if plan.caps:
        extra.append("capped: " + "; ".join(plan.caps))
    lines.extend(f"  {line}" for line in extra)
    for kind in results.errors[:5]:
        lines.append(f"  error x{kind.count} on {kind.route}: {kind.error}")
    if judgement is not None:
        if judgement.failures:
            lines.extend(f"  FAIL: {message}" for message in judgement.failures)
        if judgement.inconclusive:
            lines.extend(f"  INCONCLUSIVE: {message}" for message in judgement.inconclusive)
        if judgement.verdict == FindingVerdict.PASS:
            total = results.total
            p95_upper = p95_interval(total.buckets).upper
            rate_upper = rate_interval(total.errors, total.requests)[1]
            p95_text = "-" if p95_upper is None else f"{p95_upper:.1f} ms"
            rate_text = (
                f"(at most {rate_upper:.2%} at 95%) <= {limits.max_error_rate:.2%}"
                if limits.max_error_rate > 0
                else "(none failed, as max_error_rate = 0 asks)"
            )
            lines.append(
                f"  PASS: p95 {total.latency.p95_ms:.1f} ms (at most {p95_text} at 95%) "
                f"<= {limits.p95_ms:g} ms, error rate {results.error_rate:.2%} {rate_text}"
            )
    return lines


def _row(route: RouteMeasurement, measured_s: float, locust_p95: float | None) -> str:
    latency = route.latency
    rate = route.requests / measured_s if measured_s > 0 else 0.0
    name = route.name if len(route.name) <= 24 else route.name[:23] + "~"
    return (
        f"  {name:<24} {route.requests:>9} {route.errors:>7} {rate:>8.1f} {_ms(latency.p50_ms)} "
        f"{_ms(latency.p95_ms)} {_ms(latency.p99_ms)} {_ms(latency.max_ms)} "
        f"{'-' if locust_p95 is None else f'{locust_p95:g}':>10}"
    )


def _ms(value: float | None) -> str:
    return f"{'-':>8}" if value is None else f"{value:>8.1f}"
