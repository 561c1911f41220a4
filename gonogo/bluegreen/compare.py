"""Judging the comparison: traffic in, per-route classifications, findings, a table and a JSON record out.

Per route: the latency shift and the p95 ratio (:mod:`gonogo.bluegreen.stats`), over the requests
that answered with the route's expected status. Errors (no answer, or another status) are pooled over
all routes into one error-rate comparison: errors are rare events, and pooling gives the test the
power that a route's share of them would lack. The check's classification is the worst of them.

A classification becomes a finding for the gate: pass -> pass, fail -> fail (the check fails: NO-GO
before the switch, ROLLBACK after it), marginal and inconclusive -> inconclusive (HOLD: a person decides).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
from gonogo.model import Finding, FindingVerdict

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
COMPARABLE_METHODS = frozenset({"GET", "HEAD"})


class CompareConfigError(ValueError):
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
class ComparisonReport:
    baseline_url: str
    candidate_url: str
    confidence: float
    routes: tuple[RouteComparison, ...]
    errors: ErrorRateComparison
    traffic: Traffic

    @property
    def classification(self) -> Classification:
        return worst([*(r.classification for r in self.routes), self.errors.classification])

    def findings(self) -> list[Finding]:
        found: list[Finding] = []
        for route in self.routes:
            found.append(_latency_finding(route, self.confidence))
            found.append(_p95_finding(route, self.confidence))
        found.append(_error_finding(self.errors, self.confidence))
        return found

    def failures(self) -> list[str]:
        """One line per failed measure, naming both URLs, expected vs actual."""
        lines = []
        for route in self.routes:
            lat = route.latency
            if lat.classification is Classification.FAIL and lat.shift is not None:
                lines.append(
                    f"route {route.route!r} ({route.path}): the candidate is slower by "
                    f"{lat.shift.estimate:+.2f} ms "
                    f"({self.confidence:.0%} CI {lat.shift.ci_low:+.2f} to {lat.shift.ci_high:+.2f} ms, "
                    f"p = {_p(lat.p_value)}), more than the tolerated {lat.tolerance_ms:.2f} ms: "
                    f"p50 {_ms(lat.baseline_p50)} on {self.baseline_url} vs {_ms(lat.candidate_p50)} "
                    f"on {self.candidate_url}"
                )
            p95 = route.p95
            if p95.classification is Classification.FAIL and p95.ratio is not None:
                lines.append(
                    f"route {route.route!r} ({route.path}): the candidate's p95 is {p95.ratio:.2f}x the "
                    f"baseline's ({_ms(lat.candidate_p95)} vs {_ms(lat.baseline_p95)}; "
                    f"{self.confidence:.0%} CI "
                    f"{p95.ci_low:.2f}x to {p95.ci_high:.2f}x), over the limit {p95.limit:.2f}x"
                )
        errors = self.errors
        if errors.classification is Classification.FAIL:
            lines.append(
                f"error rate: {_rate(errors.candidate_errors, errors.candidate_n)} on {self.candidate_url} "
                "vs "
                f"{_rate(errors.baseline_errors, errors.baseline_n)} on {self.baseline_url} "
                f"(increase {errors.increase:+.2%}, {self.confidence:.0%} CI {errors.ci_low:+.2%} to "
                f"{errors.ci_high:+.2%}, p = {_p(errors.p_value)}), more than the allowed "
                f"{errors.allowed_increase:+.2%}"
            )
        return lines

    def table(self) -> list[str]:
        """A fixed-width table for the terminal and the report."""
        header = (
            f"{'route':<22} {'side':<9} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8}  "
            f"{'shift ms (CI)':<26} {'p':>9}  {'p95 ratio':>9}  verdict"
        )
        lines = [
            f"gonogo compare: baseline {self.baseline_url} vs candidate {self.candidate_url} "
            f"({self.confidence:.0%} confidence; {self.traffic.sent_pairs} request pairs in "
            f"{self.traffic.duration_s:.1f} s)",
            header,
            "-" * len(header),
        ]
        for route in self.routes:
            lat = route.latency
            shift = (
                f"{lat.shift.estimate:+.2f} ({lat.shift.ci_low:+.2f}, {lat.shift.ci_high:+.2f})"
                if lat.shift
                else "-"
            )
            ratio = f"{route.p95.ratio:.2f}" if route.p95.ratio is not None else "-"
            name = route.route[:22]
            lines.append(
                f"{name:<22} {'baseline':<9} {route.baseline_n:>5} {route.baseline_errors:>4} "
                f"{_num(lat.baseline_p50):>8} {_num(lat.baseline_p95):>8}"
            )
            lines.append(
                f"{'':<22} {'candidate':<9} {route.candidate_n:>5} {route.candidate_errors:>4} "
                f"{_num(lat.candidate_p50):>8} {_num(lat.candidate_p95):>8}  {shift:<26} "
                f"{_p(lat.p_value):>9}  {ratio:>9}  {route.classification.value.upper()}"
            )
        errors = self.errors
        increase = f"{errors.increase:+.2%}" if errors.increase is not None else "-"
        lines.append(
            f"error rate: baseline {_rate(errors.baseline_errors, errors.baseline_n)}, candidate "
            f"{_rate(errors.candidate_errors, errors.candidate_n)}, increase {increase} "
            f"(allowed {errors.allowed_increase:+.2%}, p = {_p(errors.p_value)}): "
            f"{errors.classification.value.upper()}"
        )
        lines.append(f"comparison: {self.classification.value.upper()}")
        if self.traffic.cut_short:
            lines.append(f"note: {self.traffic.cut_short}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """Everything measured, for the JSON attachment (samples included, so the plot can be redrawn)."""
        cleaned: dict[str, Any] = _clean(
            {
                "baseline_url": self.baseline_url,
                "candidate_url": self.candidate_url,
                "confidence": self.confidence,
                "classification": self.classification.value,
                "traffic": {
                    "planned_pairs": self.traffic.planned_pairs,
                    "sent_pairs": self.traffic.sent_pairs,
                    "duration_s": round(self.traffic.duration_s, 3),
                    "cut_short": self.traffic.cut_short,
                },
                "routes": [
                    {
                        "route": r.route,
                        "path": r.path,
                        "classification": r.classification.value,
                        "latency": _latency_dict(r.latency),
                        "p95": {
                            "classification": r.p95.classification.value,
                            "ratio": r.p95.ratio,
                            "ci": [r.p95.ci_low, r.p95.ci_high],
                            "limit": r.p95.limit,
                            "reason": r.p95.reason,
                        },
                        "errors": {
                            "baseline": [r.baseline_errors, r.baseline_n],
                            "candidate": [r.candidate_errors, r.candidate_n],
                        },
                    }
                    for r in self.routes
                ],
                "error_rate": {
                    "classification": self.errors.classification.value,
                    "baseline": [self.errors.baseline_errors, self.errors.baseline_n],
                    "candidate": [self.errors.candidate_errors, self.errors.candidate_n],
                    "increase": self.errors.increase,
                    "ci": [self.errors.ci_low, self.errors.ci_high],
                    "p_value": self.errors.p_value,
                    "allowed_increase": self.errors.allowed_increase,
                    "reason": self.errors.reason,
                },
                "samples": [sample.to_dict() for sample in self.traffic.samples],
            }
        )
        return cleaned


def judge(
    traffic: Traffic,
    routes: Sequence[RouteConfig],
    config: CompareConfig,
    *,
    baseline_url: str,
    candidate_url: str,
) -> ComparisonReport:
    compared = []
    for index, route in enumerate(routes):
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
        )
        p95 = compare_p95(
            cand_ms,
            base_ms,
            confidence=config.confidence,
            increase_limit=config.p95_increase_limit,
            min_samples=config.min_samples,
            seed=(config.seed or 0) + index,
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
    )
    return ComparisonReport(baseline_url, candidate_url, config.confidence, tuple(compared), errors, traffic)


def worst(classifications: Sequence[Classification]) -> Classification:
    return max(classifications, key=_SEVERITY.__getitem__, default=Classification.PASS)


def finding_verdict(classification: Classification) -> FindingVerdict:
    return _FINDING[classification]


# --- findings ---------------------------------------------------------------------------------


def _latency_finding(route: RouteComparison, confidence: float) -> Finding:
    lat = route.latency
    sides = (
        f"baseline p50 {_ms(lat.baseline_p50)} / p95 {_ms(lat.baseline_p95)}, "
        f"candidate p50 {_ms(lat.candidate_p50)} / p95 {_ms(lat.candidate_p95)}, "
        f"n {lat.baseline_n}/{lat.candidate_n}"
    )
    if lat.shift is None or lat.tolerance_ms is None:
        detail = f"{lat.reason}; {sides}"
        return Finding(
            f"latency shift [{route.route}]",
            "too few samples",
            _FINDING[lat.classification],
            None,
            "",
            detail,
        )
    detail = (
        f"{_prefix(lat.classification)}Hodges-Lehmann shift {lat.shift.estimate:+.2f} ms, "
        f"{confidence:.0%} CI {lat.shift.ci_low:+.2f} to {lat.shift.ci_high:+.2f} ms, "
        f"Mann-Whitney p = {_p(lat.p_value)}; "
        f"{sides}; {lat.reason}"
    )
    return Finding(
        f"latency shift [{route.route}]",
        round(lat.shift.estimate, 3),
        _FINDING[lat.classification],
        round(lat.tolerance_ms, 3),
        "ms",
        detail,
    )


def _p95_finding(route: RouteComparison, confidence: float) -> Finding:
    p95 = route.p95
    lat = route.latency
    if p95.ratio is None:
        shown = "too few samples" if lat.classification is Classification.INCONCLUSIVE else "not measured"
        return Finding(
            f"p95 ratio [{route.route}]", shown, _FINDING[p95.classification], None, "", p95.reason
        )
    detail = (
        f"{_prefix(p95.classification)}candidate p95 {_ms(lat.candidate_p95)} / baseline p95 "
        f"{_ms(lat.baseline_p95)} = {p95.ratio:.3f}, {confidence:.0%} bootstrap CI {p95.ci_low:.3f} to "
        f"{p95.ci_high:.3f}; {p95.reason}"
    )
    return Finding(
        f"p95 ratio [{route.route}]",
        round(p95.ratio, 4),
        _FINDING[p95.classification],
        round(p95.limit, 4),
        "x",
        detail,
    )


def _error_finding(errors: ErrorRateComparison, confidence: float) -> Finding:
    counts = (
        f"baseline {_rate(errors.baseline_errors, errors.baseline_n)}, "
        f"candidate {_rate(errors.candidate_errors, errors.candidate_n)}"
    )
    if errors.increase is None:
        detail = f"{errors.reason}; {counts}"
        return Finding(
            "error rate increase", "too few requests", _FINDING[errors.classification], None, "", detail
        )
    detail = (
        f"{_prefix(errors.classification)}{counts}; increase {errors.increase:+.2%}, {confidence:.0%} CI "
        f"{errors.ci_low:+.2%} to {errors.ci_high:+.2%}, Fisher p = {_p(errors.p_value)}; {errors.reason}"
    )
    return Finding(
        "error rate increase",
        round(errors.increase, 5),
        _FINDING[errors.classification],
        errors.allowed_increase,
        "",
        detail,
    )


# --- formatting ---------------------------------------------------------------------------------


def _prefix(classification: Classification) -> str:
    """``marginal: `` (a marginal result reaches the gate as an inconclusive finding: say which it is)."""
    return "marginal: " if classification is Classification.MARGINAL else ""


def _latency_dict(lat: LatencyComparison) -> dict[str, Any]:
    return {
        "classification": lat.classification.value,
        "baseline": {"n": lat.baseline_n, "p50_ms": lat.baseline_p50, "p95_ms": lat.baseline_p95},
        "candidate": {"n": lat.candidate_n, "p50_ms": lat.candidate_p50, "p95_ms": lat.candidate_p95},
        "shift_ms": None if lat.shift is None else lat.shift.estimate,
        "ci_ms": None if lat.shift is None else [lat.shift.ci_low, lat.shift.ci_high],
        "p_value": lat.p_value,
        "tolerance_ms": lat.tolerance_ms,
        "reason": lat.reason,
    }


def _clean(node: Any) -> Any:
    """JSON has no NaN or infinity: None (and the reader sees why in the reasons)."""
    if isinstance(node, float):
        return node if math.isfinite(node) else None
    if isinstance(node, dict):
        return {key: _clean(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_clean(value) for value in node]
    return node


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _rate(errors: int, n: int) -> str:
    return f"{errors}/{n}" + (f" ({errors / n:.2%})" if n else "")
