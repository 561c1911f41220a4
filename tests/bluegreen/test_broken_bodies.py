"""A candidate whose answers break mid-body, through the comparison and the watch: a sound status line
with a body that never arrives whole is an error, never a sample (tests/loadgen/faults.py: real sockets)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from tests.loadgen.faults import fault_server

if TYPE_CHECKING:  # the fixtures' types only; conftest modules are not imported at run time
    from tests.bluegreen.conftest import Kit
    from tests.conftest import DemoProcess, SuiteProject, SuiteRun


def test_a_candidate_that_resets_mid_body_fails_the_comparison_on_errors(
    demo: Callable[..., DemoProcess], suite_project: SuiteProject, kit: Kit
) -> None:
    baseline = demo(*kit.baseline_flags)
    with fault_server("reset") as candidate:
        suite_project.write_env("bg", kit.env(candidate.url, baseline.url, compare="concurrency = 4"))
        run = suite_project.run("--env", "bg", "--stage", "postdeploy", "load/test_compare.py")

    gate = kit.ended(run, 12, "ROLLBACK")
    errors = kit.findings(gate, "test_compare_with_baseline")["error rate increase"]
    assert errors["verdict"] == "fail", errors
    assert "comparison: FAIL" in run.stdout
    # the kind of error is named, not only counted: a broken exchange, no HTTP status
    assert re.search(r"  candidate errors: \d+ x [^\n]*(?:closed|reset|broke)", run.stdout, re.I), run.stdout


def test_a_target_whose_bodies_end_short_is_errors_to_the_watch_and_ends_it(
    watched: Callable[..., SuiteRun], kit: Kit
) -> None:
    with fault_server("short") as target:
        run = watched(kit.watch_env(target.url, "interval_s = 0.5\nsample_requests = 5"), "--watch", "10s")

    kit.ended(run, 12, "ROLLBACK")
    assert (
        "the server broke the HTTP exchange (peer closed connection without sending complete message body"
        in (run.stdout)
    )
    assert " SUCCESSFUL " not in run.stdout  # no measurement read a cut body as an answer
    assert "measurements in a row got no answer > consecutive_error_limit" in run.stdout
