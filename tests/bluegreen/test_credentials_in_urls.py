"""URL credentials in ``base_url`` and ``[baseline].base_url`` through the comparison and the watch.

A deployment behind basic auth is a valid setup: its password must reach no file, no line of output,
and the run must still be able to say GO. Before, the comparison's record and chart and the watch's were
written unredacted; the end-of-run sweep caught them, and so every such run was NO-GO.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the fixtures' types only; conftest modules are not imported at run time
    from tests.bluegreen.conftest import Kit
    from tests.conftest import DemoProcess, SuiteProject, SuiteRun

PASSWORD = "bl0e-gr33n-basic-pass"


def _with_credentials(url: str) -> str:
    return url.replace("http://", f"http://deploy:{PASSWORD}@", 1)


def _nowhere(run: SuiteRun) -> list[Path]:
    """The run's output holds no password; the files under reports/ that do (none, when all is well)."""
    assert PASSWORD not in run.output
    reports = run.project / "reports"
    return [path for path in reports.rglob("*") if path.is_file() and PASSWORD.encode() in path.read_bytes()]


def test_credentials_in_both_urls_reach_no_file_and_the_comparison_can_say_go(
    demo: Callable[..., DemoProcess], suite_project: SuiteProject, kit: Kit
) -> None:
    baseline, candidate = demo(*kit.baseline_flags), demo(*kit.candidate_flags(20, "--seed", "2"))
    env = kit.env(
        _with_credentials(candidate.url), _with_credentials(baseline.url), compare="concurrency = 16"
    )
    suite_project.write_env("bg", env)

    run = suite_project.run("--env", "bg", "--stage", "postdeploy", "load/test_compare.py")

    gate = kit.ended(run, 0, "GO")
    assert "comparison: PASS" in run.stdout
    assert _nowhere(run) == []
    record = json.loads((run.project / "reports" / "bg" / "bluegreen" / "compare.json").read_text())
    assert record["classification"] == "pass"  # still the record, with the credentials masked
    assert gate["reasons"] == []


def test_credentials_in_base_url_reach_no_file_and_a_healthy_watch_says_go(
    demo: Callable[..., DemoProcess], watched: Callable[..., SuiteRun], kit: Kit
) -> None:
    target = demo()
    env = kit.watch_env(_with_credentials(target.url), "interval_s = 0.5\nsample_requests = 5")

    run = watched(env, "--watch", "3s")

    kit.ended(run, 0, "GO")
    assert _nowhere(run) == []
    record = json.loads((run.project / "reports" / "bg" / "bluegreen" / "watch.json").read_text())
    assert record["end"] == "passed"
