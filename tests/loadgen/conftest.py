"""Helpers for the load tests: environment files for the demo, synthetic measurements, gate findings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from gonogo.loadgen.aggregate import Aggregate
from gonogo.loadgen.measurements import LoadMeasurements, LocustFigures
from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.recorder import Recorder
from tests.support.samples import CREATE_ITEM, GET_ITEM

REPO = Path(__file__).resolve().parents[2]

ROUTES = (
    """
[[routes]]
name = "list items"
path = "/api/items"
weight = 3
"""
    + GET_ITEM
    + CREATE_ITEM
)


def demo_env(
    load: str, *, sensitive: bool = False, base_url: str = "http://127.0.0.1:{port}", extra: str = ""
) -> str:
    """An environment file for the demo with this ``[load]`` body (launched unless ``base_url`` is given)."""
    launch = (
        '[launch]\ncommand = ["{python}", "-m", "gonogo.demo", "--port", "{port}", '
        '"--token-env", "DEMO_API_TOKEN"]\ngenerate_secrets = ["DEMO_API_TOKEN"]\n'
        if "{port}" in base_url
        else ""
    )
    return (
        f'base_url = "{base_url}"\nexpected_version = "1.4.2"\nsensitive = {str(sensitive).lower()}\n'
        f'{launch}[http]\nbearer_secret = "DEMO_API_TOKEN"\n{ROUTES}\n[load]\n{load}\n{extra}'
    )


def gate_check(
    project: Path, env: str, nodeid: str = "load/test_latency.py::test_latency_under_load"
) -> dict[str, Any]:
    """The load check's entry in the gate's ``reports/<env>/gate.json``."""
    gate = json.loads((project / "reports" / env / "gate.json").read_text(encoding="utf-8"))
    check: dict[str, Any] = next(item for item in gate["checks"] if item["nodeid"] == nodeid)
    check["verdict"] = gate["verdict"]
    check["by_name"] = {finding["name"]: finding for finding in check["findings"]}
    return check


def plan(**changes: Any) -> LoadPlan:
    base = LoadPlan(
        environment="staging",
        base_url="http://127.0.0.1:8000",
        routes=(RoutePlan("list items", "GET", "/api/items", 200, 1),),
        users=10,
        duration_s=12.0,
        warmup_s=2.0,
        p95_ms=100.0,
        max_error_rate=0.01,
        min_requests=100,
    )
    return replace(base, **changes)


def measured(
    latencies_ms: Iterable[float],
    *,
    errors: int = 0,
    run: LoadPlan | None = None,
    cpu: Iterable[float] = (),
    open_counts: dict[str, int] | None = None,
    service_ms: Iterable[float] = (),
    complete: bool = True,
    locust: dict[str, Any] | None = None,
) -> LoadMeasurements:
    """Measurements as the locust child would write them, from samples spread over the measured window."""
    run = run or plan()
    recorder = Recorder(warmup_s=run.warmup_s, duration_s=run.duration_s, clock=lambda: 0.0)
    recorder.begin(0.0)
    values = list(latencies_ms)
    times = np.linspace(run.warmup_s, run.duration_s, num=len(values), endpoint=False)
    for index, (value, at) in enumerate(zip(values, times, strict=True)):
        ok = index >= errors
        recorder.add("list items", value, ok, float(at))
        if not ok:
            recorder.error("list items", "HTTP 500 (expected 200)", float(at))
    for value in service_ms:
        recorder.add_service(value, run.warmup_s)
    for percent in cpu:
        recorder.cpu(percent, run.warmup_s + 1)
    if open_counts:
        for _ in range(open_counts.get("sent", 0)):
            recorder.open_sent(late=False, at=run.warmup_s)
        recorder.open_missed(
            dropped=open_counts.get("dropped", 0), unfinished=open_counts.get("unfinished", 0)
        )
    aggregate = Aggregate()
    aggregate.merge("local", recorder.take_delta(final=True, now=run.duration_s))
    written = aggregate.to_measurements(
        plan=run,
        locust=LocustFigures.from_dict(locust) if locust else None,
        complete=complete,
        problems=() if complete else ("the run was stopped before its end (interrupted)",),
    )
    # through the file, as the check reads what the locust child wrote
    return LoadMeasurements.from_dict(json.loads(written.to_json()))
