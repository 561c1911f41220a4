"""gonogo's load generator: locust in a child process, accurate percentiles, the open model, bounded runs.

Not to be confused with the suite's ``load/`` folder (the locust profile ``load/locustfile.py`` and the
check ``load/test_latency.py``). Modules:

    plan          LoadPlan: what a run does, from the environment file (routes, users, rate, caps)
    histograms    HdrHistograms of response times: grouped recording, wire format, order statistics
    recorder      Recorder: every sample of one load-generating process, handed out as deltas
    aggregate     Aggregate: the deltas of every process merged, progress lines, the measurements
    measurements  LoadMeasurements: one run's figures and its file (written and read through one model)
    judge         measurements + limits -> findings, failures, inconclusive reasons
    runner        run_locust(): the child process, its time bound, its progress lines
    table         format_table(): the end-of-run table
    profile       the locust side (imports locust: only ever imported by a locustfile, in the child)

The pytest side is ``gonogo.plugin.load`` (the ``load_check`` fixture); the latency chart is
``gonogo.reporting.charts``. Nothing imported here imports locust or pytest; the names are imported
on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gonogo.lazy import lazy_attribute

if TYPE_CHECKING:
    from gonogo.loadgen.aggregate import Aggregate
    from gonogo.loadgen.judge import Judgement, judge
    from gonogo.loadgen.measurements import LoadMeasurements, MeasurementsError
    from gonogo.loadgen.plan import (
        LoadPlan,
        NothingToLoad,
        PlanError,
        RoutePlan,
        apply_sensitive_caps,
        build_plan,
    )
    from gonogo.loadgen.recorder import Recorder
    from gonogo.loadgen.runner import RunFiles, RunOutcome, locust_command, run_locust
    from gonogo.loadgen.table import format_table

#: public name -> the module that defines it, imported on first use: the locust child imports this
#: package for its profile and must not pay for SciPy (the judge's bounds) unless it judges
_LAZY = {
    "Aggregate": ".aggregate",
    "Judgement": ".judge",
    "judge": ".judge",
    "LoadMeasurements": ".measurements",
    "MeasurementsError": ".measurements",
    "LoadPlan": ".plan",
    "NothingToLoad": ".plan",
    "PlanError": ".plan",
    "RoutePlan": ".plan",
    "apply_sensitive_caps": ".plan",
    "build_plan": ".plan",
    "Recorder": ".recorder",
    "RunFiles": ".runner",
    "RunOutcome": ".runner",
    "locust_command": ".runner",
    "run_locust": ".runner",
    "format_table": ".table",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(globals(), _LAZY, name)


__all__ = [
    "Aggregate",
    "Judgement",
    "LoadMeasurements",
    "LoadPlan",
    "MeasurementsError",
    "NothingToLoad",
    "PlanError",
    "Recorder",
    "RoutePlan",
    "RunFiles",
    "RunOutcome",
    "apply_sensitive_caps",
    "build_plan",
    "format_table",
    "judge",
    "locust_command",
    "run_locust",
]
