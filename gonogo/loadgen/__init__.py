"""gonogo's load runner: locust in a child process, accurate percentiles, the open model, bounded runs.

Not to be confused with the suite's ``load/`` folder (the locust profile ``load/locustfile.py`` and the
check ``load/test_latency.py``). Modules:

    plan       LoadPlan: what a run does, from the environment file (routes, users, rate, caps)
    recorder   Recorder / Aggregate: every sample in HdrHistograms, mergeable across processes
    results    LoadResults: a results file read back, percentiles recomputed
    judge      results + limits -> findings, failures, inconclusive reasons
    runner     run_locust(): the child process, its time bound, its progress lines
    chart      latency_svg(); table: format_table()
    profile    the locust side (imports locust: only ever imported by a locustfile, in the child)
    check      the pytest side of load/test_latency.py (imports pytest)

Nothing imported here imports locust or pytest.
"""

from __future__ import annotations

from gonogo.loadgen.chart import latency_svg
from gonogo.loadgen.judge import Judgement, Measured, judge
from gonogo.loadgen.plan import LoadPlan, NothingToLoad, PlanError, RoutePlan, apply_sensitive_caps, build_plan
from gonogo.loadgen.recorder import Aggregate, Recorder
from gonogo.loadgen.results import LoadResults, ResultsError
from gonogo.loadgen.runner import RunFiles, RunOutcome, locust_command, run_locust
from gonogo.loadgen.table import format_table

__all__ = [
    "Aggregate",
    "Judgement",
    "LoadPlan",
    "LoadResults",
    "Measured",
    "NothingToLoad",
    "PlanError",
    "Recorder",
    "ResultsError",
    "RoutePlan",
    "RunFiles",
    "RunOutcome",
    "apply_sensitive_caps",
    "build_plan",
    "format_table",
    "judge",
    "latency_svg",
    "locust_command",
    "run_locust",
]
