"""The watch (load/test_watch.py) through real suite runs: a demo whose errors start a few seconds after
it is launched, a healthy one, one that does not answer at all, and the option's usage errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.support.samples import launch_demo

if TYPE_CHECKING:  # the fixtures' types only; conftest modules are not imported at run time
    from tests.bluegreen.conftest import Kit
    from tests.conftest import SuiteProject, SuiteRun


def launched(kit: Kit, *flags: str, watch: str = "interval_s = 0.5\nsample_requests = 5") -> str:
    """The demo launched by the run itself, so ``--fault-after`` counts from the run's start."""
    http = "timeout_s = 2.0\nretries = 0"
    return kit.watch_env("http://127.0.0.1:{port}", watch, launch=launch_demo(*flags), http=http)


def test_errors_rising_after_a_few_seconds_end_the_watch_early_with_rollback(
    watched: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = watched(launched(kit, "--fault-after", "4", "--error-rate", "0.5", "--seed", "3"), "--watch", "40s")
    gate = kit.ended(run, 12, "ROLLBACK")
    lines = [line for line in run.stdout.splitlines() if line.startswith("gonogo watch: #")]
    phases = [line.split(" s ", 1)[1].split(" ", 1)[0] for line in lines]
    assert phases[0] == "SUCCESSFUL", run.stdout  # healthy first ...
    assert phases[-1] == "FAILED", run.stdout  # ... then the fault, and the watch stops at the first failure
    assert phases.count("FAILED") == 1
    match = re.search(
        r"gonogo watch: FAILED after (\d+\.\d\d) s \(stopped early, 40 s planned\), time to verdict \1 s: "
        r"1 failed measurement\(s\) > failure_limit 0 -> the check fails: ROLLBACK",
        run.stdout,
    )
    assert match, run.stdout
    elapsed = float(match.group(1))
    assert elapsed < 40
    assert re.search(r"error rate \d+/\d+ = \d+\.\d% over the last \d+ requests > 1\.0%", lines[-1])
    found = kit.findings(gate, "test_watch")
    assert found["watch time to verdict"]["value"] == pytest.approx(elapsed, abs=0.01)
    assert found["watch failed measurements"]["verdict"] == "fail"
    record = json.loads((run.project / "reports" / "bg" / "bluegreen" / "watch.json").read_text())
    assert record["end"] == "failed"
    assert [m["phase"] for m in record["measurements"]] == [p.lower() for p in phases]
    assert record["measurements"][-1]["sample_errors"] > 0
    assert "FAILED after" in (run.project / "reports" / "bg" / "bluegreen" / "watch.svg").read_text()


def test_a_healthy_watch_ends_go_at_its_duration(watched: Callable[..., SuiteRun], kit: Kit) -> None:
    run = watched(launched(kit), env={"GONOGO_WATCH": "3s"})
    assert run.returncode == 0, run.output
    assert kit.gate(run.project)["verdict"] == "GO"
    assert re.search(r"gonogo watch: PASSED after \d+\.\d\d s, time to verdict", run.stdout), run.stdout
    found = kit.findings(kit.gate(run.project), "test_watch")
    assert found["watch time to verdict"]["value"] >= 3.0
    assert found["watch failed measurements"]["value"] == 0
    record = json.loads((run.project / "reports" / "bg" / "bluegreen" / "watch.json").read_text())
    assert record["end"] == "passed"
    assert record["measurements"][-1]["t_s"] >= 3.0
    assert {m["phase"] for m in record["measurements"]} == {"successful"}


def test_a_target_that_never_answers_is_counted_as_errors_and_ends_the_watch(
    watched: Callable[..., SuiteRun], kit: Kit
) -> None:
    env = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1"\n[http]\nretries = 0\n'
    env += "[watch]\nduration_s = 20\ninterval_s = 0.2\nconsecutive_error_limit = 2\n"
    run = watched(env)
    assert run.returncode == 12, run.output
    assert run.stdout.count(" ERROR (no sample): health: GET http://127.0.0.1:9/health: no response") == 3
    assert "3 measurements in a row got no answer > consecutive_error_limit 2" in run.stdout
    found = kit.findings(kit.gate(run.project), "test_watch")
    assert found["watch failed measurements"]["value"] == 0  # errors are counted apart
    assert found["watch errors in a row"]["value"] == 3


def test_a_bad_watch_duration_is_a_usage_error(suite_project: SuiteProject) -> None:
    suite_project.write_env("bg", 'base_url = "http://127.0.0.1:9"\nexpected_version = "1"\n')
    run = suite_project.run("--env", "bg", "--watch", "soon")
    assert run.returncode == 4
    assert (
        "argument --watch: 'soon' is not a duration: use e.g. 90s, 5m, 1h30m or a number of seconds "
        "(given by --watch or GONOGO_WATCH)"
    ) in run.stderr
    from_env = suite_project.run("--env", "bg", env={"GONOGO_WATCH": "2 days"})
    assert from_env.returncode == 4
    assert "'2 days' is not a duration" in from_env.stderr
