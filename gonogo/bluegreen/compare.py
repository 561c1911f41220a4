"""Judging the comparison: traffic in, per-route classifications, findings, a table and a JSON record out.

Per route: the latency shift and the p95 ratio (:mod:`gonogo.bluegreen.stats`), over the requests
that answered with the route's expected status. Errors (no answer, or another status) are pooled over
all routes into one error-rate comparison: errors are rare events, and pooling gives the test the
power that a route's share of them would lack. The check's classification is the worst of them.

A classification becomes a finding for the gate: pass -> pass, fail -> fail (the check fails: NO-GO
before the switch, ROLLBACK after it), marginal and inconclusive -> inconclusive (HOLD: a person decides),
saying how many more request pairs would probably decide it and how long they would take.

:func:`judge` is one look at the traffic so far; :mod:`gonogo.bluegreen.looks` repeats it as the
traffic grows, and :mod:`gonogo.bluegreen.compare_text` writes the table and the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gonogo.bluegreen import compare_text as text
from gonogo.bluegreen.parity import COMPARABLE_METHODS
from gonogo.bluegreen.stats import (
    Classification,
    ErrorRateComparison,
    LatencyComparison,
    P95Comparison,
    compare_error_rates,
    compare_latency,
    compare_p95,
)
from gonogo.bluegreen.traffic import Traffic
from gonogo.environment import CompareConfig, Environment, RouteConfig
from gonogo.errors import GonogoError
from gonogo.model import Finding, FindingVerdict
from gonogo.stats_bounds import need_more

_SEVERITY = {
    Classification.PASS: 0,
    Classification.INCONCLUSIVE: 1,
    Classification.MARGINAL: 2,
    Classification.FAIL: 3,
}
_FINDING = {
    Classification.PASS: FindingVerdict.PASS,
    Classification.MARGINAL: FindingVerdict.INCONCLUSIVE,
    Classification.INCONCLUSIVE: FindingVerdict.INCONCLUSIVE,
    Classification.FAIL: FindingVerdict.FAIL,
}


class CompareConfigError(GonogoError, ValueError):
    """``[baseline.compare]`` asks for something the environment cannot give (a route that is not there)."""


def select_routes(env: Environment) -> list[RouteConfig]:
    """The routes to compare: GET/HEAD and not destructive; only those named in ``compare.routes``."""
    assert env.baseline is not None
    config = env.baseline.compare
    eligible = [r for r in env.routes if r.method in COMPARABLE_METHODS and not r.destructive]
    if config.routes is None:
        return eligible
    by_name = {route.name: route for route in env.routes}
    chosen = []
    for name in config.routes:
        route = by_name.get(name)
        if route is None:
            known = ", ".join(repr(r.name) for r in env.routes) or "none"
            raise CompareConfigError(
                f"[baseline.compare].routes names {name!r}, but there is no [[routes]] entry with that name "
                f"(routes: {known})"
            )
        if route not in eligible:
            raise CompareConfigError(
                f"[baseline.compare].routes names {name!r}, a {route.method} route"
                + (" marked destructive" if route.destructive else "")
                + ": only GET and HEAD routes that change nothing are sent to both colours"
            )
        chosen.append(route)
    return chosen


@dataclass(frozen=True)
class RouteComparison:
    route: str
    path: str
    latency: LatencyComparison
    p95: P95Comparison
    baseline_errors: int
    baseline_n: int
    candidate_errors: int
    candidate_n: int
    baseline_latencies: tuple[float, ...]
    candidate_latencies: tuple[float, ...]

    @property
    def classification(self) -> Classification:
        return worst([self.latency.classification, self.p95.classification])


@dataclass(frozen=True)
class Look:
    """One look of a sequential comparison: how much it had seen, its critical value, what it said."""

    index: int
    #: request pairs per route so far (the fewest of any route)
    pairs_per_route: int
    #: pairs so far / the most the comparison may send
    fraction: float
    #: the two-sided critical value of the repeated confidence intervals at this look
    critical: float
    classification: Classification
    #: seconds since the traffic began
    elapsed_s: float


@dataclass(frozen=True)
class ComparisonReport:
    baseline_url: str
    candidate_url: str
    confidence: float
    routes: tuple[RouteComparison, ...]
    errors: ErrorRateComparison
    traffic: Traffic
    #: every look taken, the last one this report's (empty: judged once, at the fixed-sample level)
    looks: tuple[Look, ...] = ()
    #: why the comparison stopped where it did
    stopped: str = ""
    spending: str = ""
    #: the critical value the report's intervals use
    critical: float | None = None

    @property
    def classification(self) -> Classification:
        return worst([*(r.classification for r in self.routes), self.errors.classification])

    @property
    def pair_rate_per_s(self) -> float | None:
        """Request pairs per second, all routes together, as measured while sending."""
        if self.traffic.duration_s <= 0 or self.traffic.sent_pairs == 0:
            return None
        return self.traffic.sent_pairs / self.traffic.duration_s

    def more_text(self, more_per_route: float | None) -> str:
        """``need about N more request pairs per route (about T s at the rate measured)``."""
        if more_per_route is None:
            return (
                "more samples would probably not decide it: the estimate sits on the limit; "
                "decide by hand, or move the limit"
            )
        rate = self.pair_rate_per_s
        per_route = rate / len(self.routes) if rate is not None and self.routes else None
        return need_more(
            more_per_route, rate_per_s=per_route, unit="request pairs per route", rate_unit="pairs per route"
        )

    def findings(self) -> list[Finding]:
        found: list[Finding] = []
        for route in self.routes:
            found.append(_latency_finding(self, route))
            found.append(_p95_finding(self, route))
        found.append(_error_finding(self))
        return found

    def failures(self) -> list[str]:
        """One line per failed measure, naming both URLs, expected vs actual."""
        return text.failures(self)

    def table(self) -> list[str]:
        """A fixed-width table for the terminal and the report."""
        return text.table(self)

    def to_dict(self) -> dict[str, Any]:
        """Everything measured, for the JSON attachment (samples included, so the plot can be redrawn)."""
        return text.record(self)


def judge(
    traffic: Traffic,
    routes: Sequence[RouteConfig],
    config: CompareConfig,
    *,
    baseline_url: str,
    candidate_url: str,
    critical: float | None = None,
) -> ComparisonReport:
    """One look at ``traffic``: every measure's interval at ``critical`` (fixed-sample z when None)."""
    compared = []
    for route in routes:
        base = traffic.of("baseline", route.name)
        cand = traffic.of("candidate", route.name)
        base_ms = [s.elapsed_ms for s in base if s.ok]
        cand_ms = [s.elapsed_ms for s in cand if s.ok]
        latency = compare_latency(
            cand_ms,
            base_ms,
            confidence=config.confidence,
            tolerance=config.latency_tolerance,
            tolerance_ms=config.latency_tolerance_ms,
            min_samples=config.min_samples,
            critical=critical,
        )
        p95 = compare_p95(
            cand_ms,
            base_ms,
            confidence=config.confidence,
            increase_limit=config.p95_increase_limit,
            min_samples=config.min_samples,
            critical=critical,
        )
        compared.append(
            RouteComparison(
                route.name,
                route.path,
                latency,
                p95,
                sum(not s.ok for s in base),
                len(base),
                sum(not s.ok for s in cand),
                len(cand),
                tuple(base_ms),
                tuple(cand_ms),
            )
        )
    errors = compare_error_rates(
        candidate_errors=sum(r.candidate_errors for r in compared),
        candidate_n=sum(r.candidate_n for r in compared),
        baseline_errors=sum(r.baseline_errors for r in compared),
        baseline_n=sum(r.baseline_n for r in compared),
        confidence=config.confidence,
        allowed_increase=config.error_rate_increase,
        min_samples=config.min_samples,
        critical=critical,
    )
    return ComparisonReport(
        baseline_url, candidate_url, config.confidence, tuple(compared), errors, traffic, critical=critical
    )


def worst(classifications: Sequence[Classification]) -> Classification:
    return max(classifications, key=_SEVERITY.__getitem__, default=Classification.PASS)


def finding_verdict(classification: Classification) -> FindingVerdict:
    return _FINDING[classification]


# --- findings ---------------------------------------------------------------------------------


def _undecided(report: ComparisonReport, classification: Classification, more: float | None) -> str:
    """``; need about N more ...`` for a finding the samples did not decide, else nothing."""
    if classification not in (Classification.MARGINAL, Classification.INCONCLUSIVE):
        return ""
    if report.classification is Classification.FAIL:
        return "; not decided: the comparison stopped when another measure failed"
    return f"; {report.more_text(more)}"


def _interval(report: ComparisonReport, low: str, high: str) -> str:
    """``98% CI a to b``, and which look's repeated interval it is when there were several."""
    shown = f"{report.confidence:.0%} CI {low} to {high}"
    if len(report.looks) > 1 and report.critical is not None:
        shown += f" (repeated CI: look {len(report.looks)}, z = {report.critical:.2f})"
    return shown


def _latency_finding(report: ComparisonReport, route: RouteComparison) -> Finding:
    lat = route.latency
    sides = (
        f"baseline p50 {text.ms(lat.baseline_p50)} / p95 {text.ms(lat.baseline_p95)}, "
        f"candidate p50 {text.ms(lat.candidate_p50)} / p95 {text.ms(lat.candidate_p95)}, "
        f"n {lat.baseline_n}/{lat.candidate_n}"
    )
    more = _undecided(report, lat.classification, lat.more)
    if lat.shift is None or lat.tolerance_ms is None:
        detail = f"{lat.reason}; {sides}{more}"
        return Finding(
            f"latency shift [{route.route}]",
            "too few samples",
            _FINDING[lat.classification],
            None,
            "",
            detail,
        )
    detail = (
        f"{text.prefix(lat.classification)}Hodges-Lehmann shift {lat.shift.estimate:+.2f} ms, "
        f"{_interval(report, f'{lat.shift.ci_low:+.2f}', f'{lat.shift.ci_high:+.2f} ms')}, "
        f"Mann-Whitney p = {text.p(lat.p_value)}; {sides}; {lat.reason}{more}"
    )
    return Finding(
        f"latency shift [{route.route}]",
        round(lat.shift.estimate, 3),
        _FINDING[lat.classification],
        round(lat.tolerance_ms, 3),
        "ms",
        detail,
    )


def _p95_finding(report: ComparisonReport, route: RouteComparison) -> Finding:
    p95 = route.p95
    lat = route.latency
    more = _undecided(report, p95.classification, p95.more)
    if p95.ratio is None:
        return Finding(
            f"p95 ratio [{route.route}]",
            "too few samples",
            _FINDING[p95.classification],
            None,
            "",
            f"{p95.reason}{more}",
        )
    detail = (
        f"{text.prefix(p95.classification)}candidate p95 {text.ms(lat.candidate_p95)} / baseline p95 "
        f"{text.ms(lat.baseline_p95)} = {p95.ratio:.3f}, "
        f"{_interval(report, f'{p95.ci_low:.3f}', f'{p95.ci_high:.3f}')}; {p95.reason}{more}"
    )
    return Finding(
        f"p95 ratio [{route.route}]",
        round(p95.ratio, 4),
        _FINDING[p95.classification],
        round(p95.limit, 4),
        "x",
        detail,
    )


def _error_finding(report: ComparisonReport) -> Finding:
    errors = report.errors
    counts = (
        f"baseline {text.rate(errors.baseline_errors, errors.baseline_n)}, "
        f"candidate {text.rate(errors.candidate_errors, errors.candidate_n)}"
    )
    if kinds := text.errors_text(report.traffic, "candidate", shown=1):
        counts += f" ({kinds})"
    # the errors are pooled over the routes: per route, a share of the requests still needed
    more_per_route = None if errors.more is None else errors.more / max(len(report.routes), 1)
    more = _undecided(report, errors.classification, more_per_route)
    if errors.increase is None:
        detail = f"{errors.reason}; {counts}{more}"
        return Finding(
            "error rate increase", "too few requests", _FINDING[errors.classification], None, "", detail
        )
    detail = (
        f"{text.prefix(errors.classification)}{counts}; increase {errors.increase:+.2%}, "
        f"{_interval(report, f'{errors.ci_low:+.2%}', f'{errors.ci_high:+.2%}')}, "
        f"Fisher p = {text.p(errors.p_value)}; {errors.reason}{more}"
    )
    return Finding(
        "error rate increase",
        round(errors.increase, 5),
        _FINDING[errors.classification],
        errors.allowed_increase,
        "",
        detail,
    )
