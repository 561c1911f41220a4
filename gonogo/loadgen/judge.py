"""Results + limits -> findings, failures and reasons for an inconclusive result (pure; no pytest, no locust).

Failures are what the gate turns into ROLLBACK, so a latency figure is only failed when the measurement
is valid. Two things make it invalid, and the p95 is then inconclusive instead:

* a saturated load generator inflates latency (+11 % on p95 at ~98 % CPU, measured);
* in the open model, a schedule not kept (achieved rate short of the plan) means requests waited for a
  free user on the generator's side, and that wait is in the latency timed from the schedule.

Except when the p95 timed from the actual send (a lower bound) is over the limit as well: then the target
is too slow whatever the generator did. Errors are errors whatever the generator's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gonogo.loadgen.bounds import (
    CONFIDENCE,
    P95,
    Interval,
    p95_interval,
    rate_interval,
    requests_to_decide_p95,
    requests_to_decide_rate,
)
from gonogo.loadgen.measurements import LoadMeasurements
from gonogo.loadgen.plan import LoadPlan
from gonogo.model import Finding, FindingVerdict
from gonogo.names import (
    FINDING_ACHIEVED_RATE,
    FINDING_ERROR_RATE,
    FINDING_GENERATOR_CPU,
    FINDING_LOAD_CAPPED,
    FINDING_LOAD_RUN,
    FINDING_LOCUST_P95,
    FINDING_P50,
    FINDING_P95,
    FINDING_P99,
    FINDING_REQUESTS,
)
from gonogo.stats_bounds import need_more, samples_for_quantile_bound

PASS, FAIL, INCONCLUSIVE = FindingVerdict.PASS, FindingVerdict.FAIL, FindingVerdict.INCONCLUSIVE


@dataclass(frozen=True)
class Judgement:
    findings: tuple[Finding, ...]
    #: one message per broken limit, naming value, limit, target and fix
    failures: tuple[str, ...]
    #: why the run cannot decide (too few samples, saturated generator, rate short, incomplete)
    inconclusive: tuple[str, ...]

    @property
    def verdict(self) -> FindingVerdict:
        if self.failures:
            return FAIL
        return INCONCLUSIVE if self.inconclusive else PASS


@dataclass
class _Judging:
    results: LoadMeasurements
    limits: LoadPlan
    env_file: str
    findings: list[Finding] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"against {self.results.plan.base_url} ({self.results.model})"

    @property
    def window(self) -> str:
        return f"in {self.results.measured_s:.1f} s after {self.results.plan.warmup_s:g} s warm-up"


def judge(
    results: LoadMeasurements, limits: LoadPlan, *, env_file: str = "the environment file"
) -> Judgement:
    """Judge ``results`` against the ``[load]`` limits of ``limits`` (the plan of the gating environment)."""
    state = _Judging(results, limits, env_file)
    if results.plan.caps:
        state.findings.append(
            Finding(
                FINDING_LOAD_CAPPED,
                "; ".join(results.plan.caps),
                detail="sensitive environment; --allow-full-load lifts the caps",
            )
        )
    if not results.complete:
        reason = "; ".join(results.problems) or "the load run did not finish normally"
        state.inconclusive.append(f"the load results are incomplete: {reason}")
        state.findings.append(Finding(FINDING_LOAD_RUN, "incomplete", INCONCLUSIVE, detail=reason))
    saturated = _generator(state)
    schedule_missed = _rate(state)
    _requests(state)
    _errors(state)
    _latency(state, unreliable=saturated or schedule_missed)
    return Judgement(tuple(state.findings), tuple(state.failures), tuple(state.inconclusive))


def _generator(state: _Judging) -> bool:
    """Record the generator's CPU; True when it was saturated."""
    cpu = state.results.generator_cpu
    if cpu is None or cpu.mean is None:
        return False
    limit = state.limits.max_generator_cpu
    detail = (
        f"mean over {cpu.samples} s after warm-up, busiest of {state.results.processes} process(es); "
        f"max {cpu.max or 0:.0f}%"
    )
    if cpu.mean <= limit:
        state.findings.append(Finding(FINDING_GENERATOR_CPU, round(cpu.mean, 1), PASS, limit, "%", detail))
        return False
    state.inconclusive.append(
        f"the load generator was saturated: CPU {cpu.mean:.0f}% of a core on average (limit {limit:g}%, "
        "max_generator_cpu), which inflates latency. Fix: more locust processes (--load-processes or "
        "[load].processes), workers on other hosts, or fewer users"
    )
    state.findings.append(
        Finding(FINDING_GENERATOR_CPU, round(cpu.mean, 1), INCONCLUSIVE, limit, "%", detail)
    )
    return True


def _rate(state: _Judging) -> bool:
    """Record the achieved rate; True when an open-model schedule was not kept."""
    ran, rate = state.results.plan, state.results.achieved_rate_per_s
    if ran.mode != "open" or not ran.rate_per_s:
        state.findings.append(
            Finding(FINDING_ACHIEVED_RATE, round(rate, 1), unit="req/s", detail=state.results.model)
        )
        return False
    floor = ran.rate_per_s * (1 - state.limits.rate_tolerance)
    detail = f"planned {ran.rate_per_s:g} req/s (open model); {_open_detail(state.results)}"
    if rate >= floor:
        state.findings.append(
            Finding(FINDING_ACHIEVED_RATE, round(rate, 1), PASS, round(floor, 1), "req/s", detail)
        )
        return False
    state.inconclusive.append(
        f"achieved {rate:.1f} req/s, short of the planned {ran.rate_per_s:g} req/s by more than "
        f"{state.limits.rate_tolerance:.0%} (rate_tolerance): the schedule was not kept, so requests waited "
        f"for one of the {ran.users} users and the target did not get the planned load. "
        f"{_open_detail(state.results)}. Fix: more users (requests in flight) or processes; a target "
        "answering slowly needs rate x latency requests in flight"
    )
    state.findings.append(
        Finding(FINDING_ACHIEVED_RATE, round(rate, 1), INCONCLUSIVE, round(floor, 1), "req/s", detail)
    )
    return True


def _requests(state: _Judging) -> None:
    requests, least = state.results.requests, state.limits.min_requests
    if requests >= least:
        state.findings.append(Finding(FINDING_REQUESTS, requests, PASS, least, "", state.window))
        return
    state.inconclusive.append(
        f"only {requests} requests {state.window} (min_requests = {least} in {state.env_file}): "
        "too few to judge. Fix: a longer duration_s, more users, or a lower min_requests"
    )
    state.findings.append(
        Finding(FINDING_REQUESTS, requests, INCONCLUSIVE, least, "", f"{state.window}; too few")
    )


def _errors(state: _Judging) -> None:
    total, limit = state.results.total, state.limits.max_error_rate
    if not total.requests:
        state.inconclusive.append(f"no request completed {state.window} {state.where}")
        return
    detail = _error_detail(state.results)
    where = f"(max_error_rate in {state.env_file})"
    if limit <= 0:
        # no bound can show a rate of 0: a limit of 0 asks for no failed request at all, and is judged so
        verdict = PASS if total.errors == 0 else FAIL
        detail += "; max_error_rate = 0: judged on the count, any failure fails"
    else:
        lower, upper = rate_interval(total.errors, total.requests)
        detail += f"; 95% bounds {lower:.2%} to {upper:.2%} (Clopper-Pearson)"
        if upper <= limit:
            verdict = PASS
        elif lower > limit:
            verdict = FAIL
        else:
            verdict = INCONCLUSIVE
            more = requests_to_decide_rate(total.errors, total.requests, limit)
            state.inconclusive.append(
                f"error rate {total.error_rate:.2%} in {total.requests} requests cannot tell a rate under "
                f"{limit:.2%} {where} from one over it: the 95% bounds are {lower:.2%} to {upper:.2%}; "
                f"{_more(state, more)}. Fix: a longer duration_s or more users"
            )
    if verdict == FAIL:
        state.failures.append(
            f"error rate {total.error_rate:.2%} > limit {limit:.2%} {where} {state.where}: {detail}. "
            "Fix: look at the failing routes and the target's logs, or roll back"
        )
    state.findings.append(Finding(FINDING_ERROR_RATE, total.error_rate, verdict, limit, "", detail))


def _latency(state: _Judging, *, unreliable: bool) -> None:
    results, limit = state.results, state.limits.p95_ms
    latency = results.total.latency
    if latency.p95_ms is None:
        return
    bounds = p95_interval(results.total.buckets)
    locust_p95 = results.locust.p95_ms if results.locust else None
    detail = (
        f"gonogo, from all {results.requests} samples after warm-up, within 0.1%; "
        f"95% bounds {_ms(bounds.lower)} to {_ms(bounds.upper)} (order statistics, distribution-free)"
    )
    if locust_p95 is not None:
        detail += f"; locust's own p95: {locust_p95:g} ms (rounded)"
    service = results.service
    service_lower = p95_interval(service.buckets).lower if service is not None and service.requests else None
    if service is not None and service.latency.p95_ms is not None:
        detail += f"; timed from the actual send: {service.latency.p95_ms:.1f} ms"
    # timed from the actual send a request cannot look slower than it was: surely over the limit even
    # so, the target is too slow whatever the generator did
    surely_over_anyway = service_lower is not None and service_lower > limit
    if bounds.upper is not None and bounds.upper <= limit:
        verdict = PASS  # a saturated generator only inflates latency: a pass stands
    elif bounds.lower is not None and bounds.lower > limit and (not unreliable or surely_over_anyway):
        verdict = FAIL
        locust_text = f", locust's own figure {locust_p95:g} ms" if locust_p95 is not None else ""
        state.failures.append(
            f"p95 latency {latency.p95_ms:.1f} ms > limit {limit:g} ms (p95_ms in {state.env_file}) "
            f"{state.where}: measured over {results.requests} requests {state.window}, at least "
            f"{bounds.lower:.1f} ms at 95% confidence (p50 {_ms(latency.p50_ms)}, p99 {_ms(latency.p99_ms)}"
            f"{locust_text}). Fix: find what slowed this deployment (latency chart and locust report "
            "attached), or roll back"
        )
    else:
        verdict = INCONCLUSIVE
        if not unreliable or bounds.lower is None or bounds.lower <= limit:
            state.inconclusive.append(_p95_undecided(state, latency.p95_ms, bounds, limit))
    state.findings.append(Finding(FINDING_P95, latency.p95_ms, verdict, limit, "ms", detail))
    state.findings.append(Finding(FINDING_P50, latency.p50_ms, unit="ms"))
    state.findings.append(Finding(FINDING_P99, latency.p99_ms, unit="ms"))
    if locust_p95 is not None:
        state.findings.append(
            Finding(
                FINDING_LOCUST_P95,
                locust_p95,
                unit="ms",
                detail="locust's statistics: response times rounded to 2 significant digits; "
                "reported, not judged",
            )
        )


def _p95_undecided(state: _Judging, p95: float, bounds: Interval, limit: float) -> str:
    total = state.results.total
    more = requests_to_decide_p95(total.buckets, limit)
    if bounds.upper is None:
        why = f"an upper bound on a p95 needs at least {samples_for_quantile_bound(P95, CONFIDENCE)} requests"
    else:
        why = f"its 95% bounds are {_ms(bounds.lower)} to {_ms(bounds.upper)}, on both sides of the limit"
    return (
        f"p95 latency {p95:.1f} ms over {total.requests} requests cannot tell a p95 under {limit:g} ms "
        f"(p95_ms in {state.env_file}) from one over it: {why}; {_more(state, more)}. "
        "Fix: a longer duration_s or more users"
    )


def _more(state: _Judging, total_needed: int | None) -> str:
    if total_needed is None:
        return "no number of requests would tell while it stays this close to the limit"
    rate = state.results.achieved_rate_per_s
    return need_more(max(total_needed - state.results.requests, 1), rate_per_s=rate or None)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def _error_detail(results: LoadMeasurements) -> str:
    total = results.total
    if not results.errors:
        return f"{total.errors} of {total.requests} requests failed"
    top = ", ".join(f"{kind.route}: {kind.error} x{kind.count}" for kind in results.errors[:3])
    more = f" (+{len(results.errors) - 3} more kinds)" if len(results.errors) > 3 else ""
    return f"{total.errors} of {total.requests} requests failed: {top}{more}"


def _open_detail(results: LoadMeasurements) -> str:
    counts = results.open
    if counts is None:
        return "no schedule counts"
    return (
        f"{counts.sent} sent, {counts.late} late (> 10 ms after their scheduled time, timed from it), "
        f"{counts.dropped} never sent, {counts.unfinished} unanswered at the end"
    )
