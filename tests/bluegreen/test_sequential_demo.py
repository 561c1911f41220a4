"""The sequential comparison against two real demos on loopback, as the issue tried it: lognormal latency,
median 20 ms, sigma 0.5; the candidate's median 30 % higher, or the same. Both tests run in the same
run of this file (each a real suite run in a child pytest); [baseline.compare]'s defaults decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the fixtures' types only; conftest modules are not imported at run time
    from tests.bluegreen.conftest import Kit
    from tests.conftest import SuiteRun


#: more pairs in flight than the default 4, only to keep the test short; the statistics are the defaults
FASTER = "concurrency = 16"


def lognormal(median_ms: int, seed: int) -> tuple[str, ...]:
    return (
        "--latency-ms", str(median_ms), "--latency-dist", "lognormal", "--latency-sigma", "0.5",
        "--seed", str(seed),
    )  # fmt: skip


def test_a_thirty_percent_slower_candidate_is_rollback_after_a_few_hundred_pairs(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = compared(lognormal(20, 1), lognormal(26, 2), compare=FASTER)
    kit.failed_shift(run)  # exit 12, ROLLBACK, the shift failed past its limit
    looks = re.findall(r"gonogo compare: look (\d+) at (\d+) pairs per route", run.stdout)
    assert looks, run.stdout
    assert int(looks[-1][1]) < 2000  # decided long before the sample bound
    assert re.search(
        r"sequential: decided at look \d+, \d+ pairs per route; repeated CIs at z = \d\.\d\d", run.stdout
    )
    record = json.loads((run.project / "reports" / "bg" / "bluegreen" / "compare.json").read_text())
    assert record["sequential"]["stopped"] == "decided"
    assert record["classification"] == "fail"


def test_equal_versions_pass_once_every_measure_is_shown_within_its_limit(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = compared(lognormal(20, 3), lognormal(20, 4), compare=FASTER)
    gate = kit.ended(run, 0, "GO")
    found = kit.findings(gate, "test_compare_with_baseline")
    assert {name: f["verdict"] for name, f in found.items()} == {
        "latency shift [list items]": "pass",
        "p95 ratio [list items]": "pass",
        "error rate increase": "pass",
    }
    # a pass is evidence, not the absence of it: the interval's upper end lies within the tolerance
    assert re.search(
        r"98% CI [+-]\d+\.\d\d to \+?(-?\d+\.\d\d) ms", found["latency shift [list items]"]["detail"]
    )
    assert "no slower than the tolerated" in found["latency shift [list items]"]["detail"]
    assert "at most 1.00% more errors than the baseline" in found["error rate increase"]["detail"]
    assert "comparison: PASS" in run.stdout
