"""The names producers and consumers share: one definition each, imported on both sides.

A check's facts travel to the controller on pytest's ``user_properties`` (they cross pytest-xdist's
wire as plain data); the gate, gate.json, the deployment report and the Allure plugin read them back by
these keys. Metrics are read from findings by these names: rename one here and both sides follow.
"""

from __future__ import annotations

from typing import Final

# -- user_properties keys ------------------------------------------------------------------------
#: the stage a check runs in (``precheck`` / ``smoke`` / ``postdeploy``), set at collection
STAGE_PROPERTY: Final = "gonogo.stage"
#: the check's ``@pytest.mark.gate(...)`` keyword arguments, once validated
GATE_PROPERTY: Final = "gonogo.gate"
#: why gonogo skipped the check on purpose (not applicable, destructive on a sensitive environment)
POLICY_SKIP_PROPERTY: Final = "gonogo.policy_skip"
#: ``pytest.xfail()`` was called inside the check (a give-up at run time, not a declared known failure)
IMPERATIVE_XFAIL_PROPERTY: Final = "gonogo.imperative_xfail"
#: one :class:`gonogo.model.Finding` as a dict
FINDING_PROPERTY: Final = "gonogo.finding"
#: what kept the check from running: an earlier stage that failed ("precheck", "smoke") or "launch"
BLOCKED_PROPERTY: Final = "gonogo.blocked_by"

# -- finding names the reports read metrics from -------------------------------------------------
FINDING_P95: Final = "p95 latency"  # ms
FINDING_ERROR_RATE: Final = "error rate"  # a fraction, 0..1
FINDING_ROLLBACK_READY: Final = "rollback ready"  # "YES" / "NO"
FINDING_VERSION: Final = "version"  # the version the target reported

# -- the load check's other findings (gonogo.loadgen.judge), read by its tests and the report tables ----
FINDING_REQUESTS: Final = "requests"  # requests after warm-up
FINDING_ACHIEVED_RATE: Final = "achieved rate"  # req/s
FINDING_GENERATOR_CPU: Final = "generator cpu"  # % of one core
FINDING_LOAD_CAPPED: Final = "load capped"  # what the sensitive policy changed
FINDING_LOAD_RUN: Final = "load run"  # why there are no (complete) results
FINDING_P50: Final = "p50 latency"  # ms
FINDING_P99: Final = "p99 latency"  # ms
FINDING_LOCUST_P95: Final = "locust p95 latency"  # ms, locust's own rounded figure
