"""The response parity check's pytest side (smoke/test_parity.py): same status and JSON shape on both
colours."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gonogo.bluegreen import parity as parity_mod
from gonogo.bluegreen.parity import COMPARABLE_METHODS
from gonogo.environment import Environment, LoadedEnvironment, RouteConfig, shown
from gonogo.model import FindingVerdict
from gonogo.plugin.api import not_applicable, parametrize_from_env
from gonogo.plugin.evidence import Evidence, FindingRecorder
from gonogo.probes.fetch import fetch


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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_from_env(metafunc, "parity_route", parity_routes)


@pytest.fixture
def response_parity(  # noqa: PLR0917 (pytest passes fixtures by position)
    request: pytest.FixtureRequest,
    baseline_http: httpx.Client,
    http: httpx.Client,
    loaded_environment: LoadedEnvironment,
    findings: FindingRecorder,
    evidence: Evidence,
) -> Callable[[RouteConfig | None], str | None]:
    """``response_parity(route)``: the route's differences between the colours, or None when they agree.

    Not applicable without ``[baseline]``, with ``[baseline.parity].enabled = false`` or without a route.
    """

    def compare(route: RouteConfig | None) -> str | None:
        if route is None:
            not_applicable(request, "no GET route that changes nothing in [[routes]]: nothing to compare")
        assert loaded_environment.model.baseline is not None  # baseline_http is not applicable without it
        if not loaded_environment.model.baseline.parity.enabled:
            not_applicable(request, f"[baseline.parity].enabled = false in {shown(loaded_environment.path)}")
        return check_parity(
            route,
            baseline=baseline_http,
            candidate=http,
            loaded=loaded_environment,
            findings=findings,
            evidence=evidence,
        )

    return compare
