"""Whether a read JUnit file is green, and the failure message that tells what to fix."""

from __future__ import annotations

from gonogo.probes.files import bounded
from gonogo.probes.junit.model import JUnitSummary


def problem(summary: JUnitSummary, shown: str) -> str | None:
    """The failure message for a file, or None when it is green."""
    if summary.broken_suites and not summary.broken:
        # a suite that failed to load leaves few or no test cases: say that, not "no test cases"
        return (
            f"{shown}: {_suites(summary)}. "
            f"Fix the upstream job (its suite did not run) and re-run it before deploying"
        )
    if summary.tests == 0:
        return (
            f"{shown}: contains no test cases. "
            f"Fix: point [precheck].junit at the report of a run that ran tests"
        )
    if not summary.failing:
        if summary.ran == 0:
            return f"{shown}: all {summary.tests} tests were skipped, so nothing was verified"
        return None
    broken = summary.broken
    failed = sum(case.outcome == "failed" for case in broken)
    errors = len(broken) - failed
    text = (
        f"{shown}: {len(broken)} of {summary.tests} tests did not pass "
        f"({failed} failed, {errors} errored): {bounded([case.describe() for case in broken])}"
    )
    if summary.broken_suites:
        text += f"; and {_suites(summary)}"
    return text + ". Fix the upstream failures and re-run that job before deploying"


def flaky_note(summary: JUnitSummary, shown: str) -> str | None:
    """What the flaky finding says: the tests that passed only on a later attempt, with their counts."""
    flaky = summary.flaky
    if not flaky:
        return None
    items = [f"{case.id} ({case.failed_attempts} failed attempt(s) before passing)" for case in flaky]
    return f"{shown}: {len(flaky)} flaky test(s) passed on a later attempt: {bounded(items)}"


def _suites(summary: JUnitSummary) -> str:
    suites = summary.broken_suites
    return f"{len(suites)} suite(s) reported a problem of their own: " + bounded(
        [suite.describe() for suite in suites]
    )
