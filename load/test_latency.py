"""Post-deploy: latency and error rate under load, measured by locust in a child process.

The profile is ``load/locustfile.py`` (the environment's routes, weighted); ``[load]`` in the environment
file sets users, duration, warm-up and the limits. Fails (ROLLBACK in the gate) when p95 or the error
rate is over its limit; records an inconclusive finding, not a pass, when the run cannot decide (too few
requests, a saturated load generator, an open-model schedule not kept). See docs/load.md.
"""

from __future__ import annotations

from pathlib import Path

from gonogo import LoadCheck

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def test_latency_under_load(load_check: LoadCheck) -> None:
    judgement = load_check.run(LOCUSTFILE)
    within_limits = not judgement.failures
    assert within_limits, load_check.failure_message(judgement)
