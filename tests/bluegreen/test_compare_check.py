"""The comparison check (load/test_compare.py) through real suite runs against two demos on loopback.

Effects are chosen well clear of the limits (20 ms vs 26 ms with little spread; 5 % errors against
none over 300 requests), and the seeds fix the demos' draws and the request order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the fixtures' types only; conftest modules are not imported at run time
    from tests.bluegreen.conftest import Kit
    from tests.conftest import SuiteProject, SuiteRun


def test_equal_versions_pass_the_comparison_and_parity_and_the_watch_is_not_applicable(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = compared(
        kit.baseline_flags, kit.candidate_flags(20, "--seed", "2"),
        "--stage", "smoke", "--stage", "postdeploy",
        "smoke/test_parity.py", "load/test_compare.py", "load/test_watch.py",
        compare="concurrency = 16",
    )  # fmt: skip
    gate = kit.ended(run, 0, "GO")
    assert "comparison: PASS" in run.stdout
    assert re.search(r"list items +baseline +\d+ +0 ", run.stdout), run.stdout
    compared = kit.findings(gate, "test_compare_with_baseline[postdeploy]")
    assert {name: f["verdict"] for name, f in compared.items()} == {
        "latency shift [list items]": "pass",
        "p95 ratio [list items]": "pass",
        "error rate increase": "pass",
    }
    assert "Mann-Whitney p = " in compared["latency shift [list items]"]["detail"]
    assert kit.check(gate, "test_parity[list items]")["outcome"] == "passed"
    watch = kit.check(gate, "test_watch")
    assert (watch["outcome"], watch["policy_skip"]) == ("skipped", True)
    assert "no watch asked for: pass --watch DURATION" in watch["message"]
    folder = run.project / "reports" / "bg" / "bluegreen"
    record = json.loads((folder / "compare.json").read_text())
    assert record["classification"] == "pass"
    assert len(record["samples"]) == 2 * record["traffic"]["sent_pairs"]
    assert {s["side"] for s in record["samples"]} == {"baseline", "candidate"}
    svg = (folder / "compare-latency.svg").read_text()
    assert svg.startswith("<svg")
    assert "list items" in svg


def test_a_thirty_percent_slower_candidate_is_rollback_with_the_estimate_shown(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = compared(kit.baseline_flags, kit.candidate_flags(26, "--seed", "2"), compare="requests = 100")
    shift = kit.failed_shift(run)  # exit 12, ROLLBACK, the shift failed past its limit
    assert re.search(
        r"Hodges-Lehmann shift \+\d+\.\d\d ms, 98% CI \+\d+\.\d\d to \+\d+\.\d\d ms", shift["detail"]
    )
    # the reason the gate prints carries the estimate and its interval
    assert re.search(
        r"candidate worse than baseline: route 'list items' \(/api/items\): the candidate is slower by "
        r"\+\d+\.\d\d ms \(98% CI \+\d+\.\d\d to \+\d+\.\d\d ms, p = [0-9.e-]+\), more than the tolerated",
        run.stdout,
    ), run.stdout
    assert "Fix: roll back to the baseline" in run.stdout
    assert re.search(r"candidate +\d+ +0 .*FAIL", run.stdout)


def test_a_candidate_failing_five_percent_of_requests_is_rollback(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = compared((), ("--error-rate", "0.05", "--seed", "3"), compare="requests = 300")
    assert run.returncode == 12, run.output
    errors = kit.findings(kit.gate(run.project), "test_compare_with_baseline")["error rate increase"]
    assert errors["verdict"] == "fail"
    assert errors["value"] > errors["limit"] == 0.01
    assert "Fisher p = " in errors["detail"]
    assert re.search(r"error rate: \d+/(\d+) \(\d\.\d\d%\) on http://127\.0\.0\.1:\d+ vs 0/\1", run.stdout)
    # what the errors were, and that they came throughout the traffic, not only at its start
    said = re.search(
        r"  candidate errors: (\d+) x HTTP 500 on 'list items' \(([\d.]+)-([\d.]+) s into the comparison\)",
        run.stdout,
    )
    assert said, run.stdout
    failed = int(said.group(1))
    assert f"candidate {failed}/" in errors["detail"]  # every failed request is of that one kind
    assert f"({failed} x HTTP 500 on 'list items'" in errors["detail"]
    sent = re.search(r"\d+ request pairs in ([\d.]+) s\)", run.stdout)
    assert sent, run.stdout
    assert float(said.group(3)) - float(said.group(2)) > 0.5 * float(sent.group(1))
    assert "baseline errors:" not in run.stdout


def test_too_few_samples_are_inconclusive_and_hold_the_gate(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    # a run as CI makes it, with smoke checks beside: one inconclusive check of five holds the gate (run
    # alone, the one check that counted would leave a score of 0: NO-GO)
    run = compared(
        (), (), "--stage", "smoke", "--stage", "postdeploy",
        "smoke/test_health.py", "smoke/test_version.py", "smoke/test_routes.py", "smoke/test_parity.py",
        "load/test_compare.py",
        compare="requests = 10",
    )  # fmt: skip
    gate = kit.ended(run, 10, "HOLD")
    assert kit.check(gate, "test_compare_with_baseline")["outcome"] == "inconclusive"
    assert "critical-inconclusive" in [r["code"] for r in gate["reasons"]]
    found = kit.findings(gate, "test_compare_with_baseline")
    assert {f["verdict"] for f in found.values()} == {"inconclusive"}
    shift = found["latency shift [list items]"]
    assert shift["value"] == "too few samples"
    assert "10 baseline and 10 candidate samples; at least 50" in shift["detail"]
    assert "comparison: INCONCLUSIVE" in run.stdout


def test_against_the_idle_colour_the_comparison_is_a_smoke_check_and_a_regression_is_no_go(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = compared(
        kit.baseline_flags, kit.candidate_flags(26, "--seed", "2"),
        "--stage", "smoke", "load/test_compare.py",
        compare='requests = 100\nstage = "smoke"',
    )  # fmt: skip
    gate = kit.ended(run, 11, "NO-GO")
    check = kit.check(gate, "test_compare_with_baseline[smoke]")
    assert (check["stage"], check["outcome"]) == ("smoke", "failed")
    assert "Fix: do not switch traffic to the candidate" in run.stdout


def test_a_route_the_file_does_not_have_errors_at_setup_no_go(suite_project: SuiteProject, kit: Kit) -> None:
    env = kit.env("http://127.0.0.1:9", "http://127.0.0.1:9", compare='routes = ["list itemz"]')
    suite_project.write_env("bg", env)
    run = suite_project.run("--env", "bg", "--stage", "postdeploy", "load/test_compare.py")
    assert run.returncode == 11, run.output
    check = kit.check(kit.gate(run.project), "test_compare_with_baseline")
    assert check["outcome"] == "error"
    assert (
        "environments/bg.toml: [baseline.compare].routes names 'list itemz', but there is no [[routes]] "
        "entry with that name (routes: 'list items')"
    ) in check["message"]


def test_without_a_baseline_comparison_and_parity_are_not_applicable(
    suite_project: SuiteProject, kit: Kit
) -> None:
    suite_project.write_env(
        "bg", 'base_url = "http://127.0.0.1:9"\nexpected_version = "1"\n[[routes]]\nname = "a"\npath = "/a"\n'
    )
    run = suite_project.run("--env", "bg", "smoke/test_parity.py", "load/test_compare.py")
    gate = kit.gate(run.project)
    for name in ("test_parity[a]", "test_compare_with_baseline[postdeploy]"):
        check = kit.check(gate, name)
        assert (check["outcome"], check["policy_skip"]) == ("skipped", True), check
        assert "has no [baseline]: no" in check["message"]  # nothing to compare with (or roll back to)
