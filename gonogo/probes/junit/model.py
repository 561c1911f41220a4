"""What a JUnit file says, once read: test cases with their final outcome, flaky tests, broken suites."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gonogo.errors import GonogoError

Outcome = Literal["passed", "failed", "error", "skipped"]


class JUnitError(GonogoError, ValueError):
    """The file cannot be read as JUnit XML; the message says why."""


@dataclass(frozen=True)
class TestCase:
    """One test: ``classname::name``, the outcome of its final attempt, and the first line of the message.

    ``failed_attempts`` counts the attempts before the final one that failed or errored (Surefire's
    ``<flakyFailure>``/``<rerunFailure>``, or the same test written again by gotestsum ``--rerun-fails``
    and other re-running producers): a passed test with failed attempts is flaky.
    """

    __test__ = False  # a dataclass named Test*: tell pytest it is not a test class

    id: str
    outcome: Outcome
    message: str = ""
    failed_attempts: int = 0

    @property
    def flaky(self) -> bool:
        return self.outcome == "passed" and self.failed_attempts > 0

    def describe(self) -> str:
        return f"{self.id} ({self.message})" if self.message else self.id


@dataclass(frozen=True)
class BrokenSuite:
    """A suite that reports a failure of its own: it failed to load, or counts failures it does not list."""

    name: str
    reason: str

    def describe(self) -> str:
        return f"suite {self.name}: {self.reason}"


@dataclass(frozen=True)
class JUnitSummary:
    """What one JUnit file says: every test once, by the outcome of its final attempt."""

    cases: list[TestCase] = field(default_factory=list)
    broken_suites: list[BrokenSuite] = field(default_factory=list)

    @property
    def tests(self) -> int:
        return len(self.cases)

    @property
    def skipped(self) -> int:
        return sum(case.outcome == "skipped" for case in self.cases)

    @property
    def ran(self) -> int:
        return self.tests - self.skipped

    @property
    def broken(self) -> list[TestCase]:
        """Tests whose final attempt failed or errored."""
        return [case for case in self.cases if case.outcome in ("failed", "error")]

    @property
    def flaky(self) -> list[TestCase]:
        """Tests that passed on their final attempt after failing before."""
        return [case for case in self.cases if case.flaky]

    @property
    def failing(self) -> int:
        """Failing tests plus broken suites: what must be zero for the file to be green."""
        return len(self.broken) + len(self.broken_suites)
