"""From pytest's per-phase reports to one result per check: reruns, blocked checks, messages in the
check's own words. Reports are plain objects with the attributes pytest's TestReport has."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gonogo.model import Outcome, Stage
from gonogo.names import BLOCKED_PROPERTY, FINDING_PROPERTY, STAGE_PROPERTY
from gonogo.outcomes import ResultCollector

NODE = "smoke/test_x.py::test_health"
SMOKE = (STAGE_PROPERTY, "smoke")


@dataclass
class Crash:
    message: str


@dataclass
class Longrepr:
    reprcrash: Crash

    def __str__(self) -> str:
        return f"full traceback\n{self.reprcrash.message}"


@dataclass
class Report:
    when: str
    outcome: str
    message: str | None = None
    nodeid: str = NODE
    duration: float = 0.01
    user_properties: list[tuple[str, object]] = field(default_factory=lambda: [SMOKE])

    @property
    def longrepr(self) -> Any:
        return Longrepr(Crash(self.message)) if self.message else None


def attempt(
    call: str, message: str | None = None, props: list[tuple[str, object]] | None = None
) -> list[Report]:
    props = props or [SMOKE]
    return [
        Report("setup", "passed", user_properties=props),
        Report("call", call, message, user_properties=props),
        Report("teardown", "passed", user_properties=props),
    ]


def collect(*reports: Report) -> ResultCollector:
    collector = ResultCollector()
    for report in reports:
        collector.add(report)
    return collector


def test_a_pass_after_failed_attempts_keeps_them_and_passes() -> None:
    collector = collect(
        *attempt("rerun", "assert 503 == 200"), *attempt("rerun", "timed out"), *attempt("passed")
    )

    (result,) = collector.results()

    assert result.outcome is Outcome.PASSED
    assert result.failed_attempts == ("assert 503 == 200", "timed out")
    assert result.message == ""


def test_the_last_attempt_decides_and_brings_its_own_findings() -> None:
    failing = {"name": "latency", "value": 900, "verdict": "fail", "limit": 300}
    passing = {"name": "latency", "value": 12, "verdict": "pass", "limit": 300}
    collector = collect(
        *attempt("rerun", "slow", [SMOKE, (FINDING_PROPERTY, failing)]),
        *attempt("passed", props=[SMOKE, (FINDING_PROPERTY, passing)]),
    )

    (result,) = collector.results()

    assert result.outcome is Outcome.PASSED
    assert [finding.value for finding in result.findings] == [12]


def test_no_result_is_judged_between_an_attempt_that_failed_and_the_next_one() -> None:
    collector = collect(*attempt("rerun", "assert 503 == 200"))

    assert collector.result_of(NODE) is None  # the stage gate must not block on a retry in progress


def test_a_check_skipped_as_blocked_names_the_stage_that_blocked_it() -> None:
    props = [(STAGE_PROPERTY, "postdeploy"), (BLOCKED_PROPERTY, "smoke")]
    skip = Report("setup", "skipped", user_properties=props)
    skip_repr = ("load/test_x.py", 3, "Skipped: blocked by smoke: critical smoke check x failed")
    collector = ResultCollector()
    collector.add(_with_longrepr(skip, skip_repr))

    (result,) = collector.results()

    assert (result.outcome, result.stage, result.blocked_by) == (Outcome.SKIPPED, Stage.POSTDEPLOY, "smoke")
    assert result.policy_skip is False
    assert result.message == "blocked by smoke: critical smoke check x failed"


def test_messages_drop_pytests_failed_and_assertionerror_prefixes_and_keep_real_exception_names() -> None:
    messages = {}
    for text in (
        "Failed: version mismatch",
        "AssertionError: p95 900 ms\nassert False",
        "RuntimeError: boom",
    ):
        (result,) = collect(*attempt("failed", text)).results()
        messages[text] = result.message

    assert list(messages.values()) == ["version mismatch", "p95 900 ms\nassert False", "RuntimeError: boom"]


def _with_longrepr(report: Report, longrepr: object) -> Any:
    class Skipped(Report):
        @property
        def longrepr(self) -> Any:
            return longrepr

    return Skipped(report.when, report.outcome, None, report.nodeid, report.duration, report.user_properties)
