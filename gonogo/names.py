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

# -- finding names the reports read metrics from -------------------------------------------------
FINDING_P95: Final = "p95 latency"  # ms
FINDING_ERROR_RATE: Final = "error rate"  # a fraction, 0..1
FINDING_ROLLBACK_READY: Final = "rollback ready"  # "YES" / "NO"
FINDING_VERSION: Final = "version"  # the version the target reported
