"""The comparison for people and for the record: the terminal table, the failure lines, the JSON.

Kept apart from :mod:`gonogo.bluegreen.compare` (which judges) so each module holds one thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gonogo.bluegreen.stats import Classification, LatencyComparison
from gonogo.bluegreen.traffic import SIDES, Side, Traffic

if TYPE_CHECKING:  # the report's type only: compare imports this module
    from gonogo.bluegreen.compare import ComparisonReport, Look


@dataclass(frozen=True)
class ErrorKind:
    """Requests of one side that failed the same way on the same route, and when in the traffic."""

    side: Side
    route: str
    #: ``HTTP 500``, or the transport error (``ConnectError: ...``)
    what: str
    count: int
    first_s: float
    last_s: float

    def text(self) -> str:
        when = f"at {self.first_s:.2f} s" if self.count == 1 else f"{self.first_s:.2f}-{self.last_s:.2f} s"
        return f"{self.count} x {self.what} on {self.route!r} ({when} into the comparison)"


def error_kinds(traffic: Traffic, side: Side) -> list[ErrorKind]:
    """What the failed requests of one side got, most frequent first: when errors cluster at the start
    (a target not ready yet) or spread over the run, and what they were, is what the reader needs."""
    grouped: dict[tuple[str, str], list[float]] = {}
    for sample in traffic.samples:
        if sample.side != side or sample.ok:
            continue
        what = f"HTTP {sample.status}" if sample.status is not None else (sample.error or "no response")
        grouped.setdefault((sample.route, what[:160]), []).append(sample.sent_s)
    kinds = [
        ErrorKind(side, route, what, len(times), min(times), max(times))
        for (route, what), times in grouped.items()
    ]
    return sorted(kinds, key=lambda kind: (-kind.count, kind.first_s))


def errors_text(traffic: Traffic, side: Side, shown: int = 3) -> str:
    """``11 x HTTP 500 on 'config' (0.00-0.31 s into the comparison); 1 other kind`` or ``""``."""
    kinds = error_kinds(traffic, side)
    text = "; ".join(kind.text() for kind in kinds[:shown])
    if len(kinds) > shown:
        text += f"; {len(kinds) - shown} other kind(s) in the JSON record"
    return text


def failures(report: ComparisonReport) -> list[str]:
    """One line per failed measure, naming both URLs, expected vs actual."""
    ci = f"{report.confidence:.0%} CI"
    lines = []
    for route in report.routes:
        where = f"route {route.route!r} ({route.path})"
        lat, p95 = route.latency, route.p95
        if lat.classification is Classification.FAIL and lat.shift is not None:
            lines.append(
                f"{where}: the candidate is slower by {lat.shift.estimate:+.2f} ms "
                f"({ci} {lat.shift.ci_low:+.2f} to {lat.shift.ci_high:+.2f} ms, "
                f"p = {p(lat.p_value)}), more than the tolerated {lat.tolerance_ms:.2f} ms: "
                f"p50 {ms(lat.baseline_p50)} on {report.baseline_url} vs {ms(lat.candidate_p50)} "
                f"on {report.candidate_url}"
            )
        if p95.classification is Classification.FAIL and p95.ratio is not None:
            lines.append(
                f"{where}: the candidate's p95 is {p95.ratio:.2f}x the "
                f"baseline's ({ms(lat.candidate_p95)} vs {ms(lat.baseline_p95)}; {ci} "
                f"{p95.ci_low:.2f}x to {p95.ci_high:.2f}x), over the limit {p95.limit:.2f}x"
            )
    errors = report.errors
    if errors.classification is Classification.FAIL:
        lines.append(
            f"error rate: {rate(errors.candidate_errors, errors.candidate_n)} on {report.candidate_url} vs "
            f"{rate(errors.baseline_errors, errors.baseline_n)} on {report.baseline_url} "
            f"(increase {errors.increase:+.2%}, {ci} {errors.ci_low:+.2%} to "
            f"{errors.ci_high:+.2%}, p = {p(errors.p_value)}), more than the allowed "
            f"{errors.allowed_increase:+.2%}"
        )
    if lines and len(report.looks) > 1:
        lines[-1] += f" ({sequential_note(report)})"
    # what the failed requests got, after the measures (the look note belongs to the last measure)
    if errors.classification is Classification.FAIL and (kinds := errors_text(report.traffic, "candidate")):
        lines.append(f"the candidate's errors: {kinds}")
    return lines


def sequential_note(report: ComparisonReport) -> str:
    """``decided at look 3 of at most 20, 300 pairs per route; repeated CIs at z = 2.95``."""
    look = report.looks[-1]
    critical = f"; repeated CIs at z = {report.critical:.2f}" if report.critical is not None else ""
    return f"{report.stopped} at look {look.index}, {look.pairs_per_route} pairs per route{critical}"


def look_line(look: Look) -> str:
    """``gonogo compare: look 3 at 300 pairs per route (z = 2.95, 1.2 s): INCONCLUSIVE, sending more``."""
    going = (
        "sending more" if look.classification not in (Classification.PASS, Classification.FAIL) else "stop"
    )
    return (
        f"gonogo compare: look {look.index} at {look.pairs_per_route} pairs per route "
        f"(z = {look.critical:.2f}, {look.elapsed_s:.1f} s): {look.classification.value.upper()}, {going}"
    )


def table(report: ComparisonReport) -> list[str]:
    """A fixed-width table for the terminal and the report."""
    header = (
        f"{'route':<22} {'side':<9} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8}  "
        f"{'shift ms (CI)':<26} {'p':>9}  {'p95 ratio':>9}  verdict"
    )
    traffic = report.traffic
    lines = [
        f"gonogo compare: baseline {report.baseline_url} vs candidate {report.candidate_url} "
        f"({report.confidence:.0%} confidence; {traffic.sent_pairs} request pairs in "
        f"{traffic.duration_s:.1f} s)",
        header,
        "-" * len(header),
    ]
    for route in report.routes:
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
            f"{num(lat.baseline_p50):>8} {num(lat.baseline_p95):>8}"
        )
        lines.append(
            f"{'':<22} {'candidate':<9} {route.candidate_n:>5} {route.candidate_errors:>4} "
            f"{num(lat.candidate_p50):>8} {num(lat.candidate_p95):>8}  {shift:<26} "
            f"{p(lat.p_value):>9}  {ratio:>9}  {route.classification.value.upper()}"
        )
    errors = report.errors
    increase = f"{errors.increase:+.2%}" if errors.increase is not None else "-"
    lines.append(
        f"error rate: baseline {rate(errors.baseline_errors, errors.baseline_n)}, candidate "
        f"{rate(errors.candidate_errors, errors.candidate_n)}, increase {increase} "
        f"(allowed {errors.allowed_increase:+.2%}, p = {p(errors.p_value)}): "
        f"{errors.classification.value.upper()}"
    )
    for side in SIDES:
        if kinds := errors_text(report.traffic, side):
            lines.append(f"  {side} errors: {kinds}")
    if report.looks:
        lines.append(f"sequential: {sequential_note(report)} ({report.spending} alpha spending)")
    lines.append(f"comparison: {report.classification.value.upper()}")
    for finding in report.findings():  # what would decide the undecided ones (none after a failure)
        if "need about" in finding.detail or "would probably not decide" in finding.detail:
            lines.append(f"  {finding.name}: {finding.detail.rsplit('; ', 1)[-1]}")
    if traffic.cut_short:
        lines.append(f"note: {traffic.cut_short}")
    return lines


def record(report: ComparisonReport) -> dict[str, Any]:
    """Everything measured, for the JSON attachment (samples included, so the plot can be redrawn)."""
    traffic = report.traffic
    cleaned: dict[str, Any] = clean(
        {
            "baseline_url": report.baseline_url,
            "candidate_url": report.candidate_url,
            "confidence": report.confidence,
            "classification": report.classification.value,
            "traffic": {
                "planned_pairs": traffic.planned_pairs,
                "sent_pairs": traffic.sent_pairs,
                "duration_s": round(traffic.duration_s, 3),
                "cut_short": traffic.cut_short,
            },
            "sequential": {
                "spending": report.spending,
                "stopped": report.stopped,
                "critical": report.critical,
                "looks": [
                    {
                        "index": look.index,
                        "pairs_per_route": look.pairs_per_route,
                        "fraction": round(look.fraction, 4),
                        "critical": round(look.critical, 4),
                        "classification": look.classification.value,
                        "elapsed_s": round(look.elapsed_s, 3),
                    }
                    for look in report.looks
                ],
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
                        "more_pairs": r.p95.more,
                    },
                    "errors": {
                        "baseline": [r.baseline_errors, r.baseline_n],
                        "candidate": [r.candidate_errors, r.candidate_n],
                    },
                }
                for r in report.routes
            ],
            "error_rate": {
                "classification": report.errors.classification.value,
                "baseline": [report.errors.baseline_errors, report.errors.baseline_n],
                "candidate": [report.errors.candidate_errors, report.errors.candidate_n],
                "increase": report.errors.increase,
                "ci": [report.errors.ci_low, report.errors.ci_high],
                "p_value": report.errors.p_value,
                "allowed_increase": report.errors.allowed_increase,
                "reason": report.errors.reason,
                "more_requests": report.errors.more,
                "kinds": [
                    {
                        "side": kind.side,
                        "route": kind.route,
                        "what": kind.what,
                        "count": kind.count,
                        "first_s": round(kind.first_s, 4),
                        "last_s": round(kind.last_s, 4),
                    }
                    for side in SIDES
                    for kind in error_kinds(traffic, side)
                ],
            },
            "samples": [sample.to_dict() for sample in traffic.samples],
        }
    )
    return cleaned


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
        "more_pairs": lat.more,
    }


def prefix(classification: Classification) -> str:
    """``marginal: `` (a marginal result reaches the gate as an inconclusive finding: say which it is)."""
    return "marginal: " if classification is Classification.MARGINAL else ""


def clean(node: Any) -> Any:
    """JSON has no NaN or infinity: None (and the reader sees why in the reasons)."""
    if isinstance(node, float):
        return node if math.isfinite(node) else None
    if isinstance(node, dict):
        return {key: clean(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [clean(value) for value in node]
    return node


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def p(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def rate(errors: int, n: int) -> str:
    return f"{errors}/{n}" + (f" ({errors / n:.2%})" if n else "")
