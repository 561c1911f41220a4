"""Read a JUnit XML file into a :class:`~gonogo.probes.junit.model.JUnitSummary`.

The rules (docs/checks.md, "Upstream tests"), one for every producer:

* ``<testcase>`` elements count wherever they stand under the root: inside ``<testsuite>`` (nested
  suites too) and directly under ``<testsuites>``, where node's own junit reporter writes every
  top-level ``test()``.
* An attempt's outcome: ``<error>`` over ``<failure>`` over ``<skipped>`` over passed; a
  ``<skipped type="todo">`` is a todo, which node's runner never counts as a failure, whatever else
  the case holds. A case with neither ``<failure>`` nor ``<error>`` whose ``status`` attribute is
  ``notrun`` or ``disabled`` is skipped, not passed: ctest writes its disabled tests as
  ``status="disabled"`` with no child, GoogleTest its DISABLED_ tests as ``status="notrun"``. A
  ``status="notrun"`` case whose ``<skipped>`` gives a reason other than ctest's two skips
  (``SKIP_RETURN_CODE=N``, ``SKIP_REGULAR_EXPRESSION_MATCHED``) is an error, as ctest counts it: the
  test could not start (its executable was never built, a required file or fixture was missing).
* Flaky results: a test written more than once in one suite (same classname and name: gotestsum
  ``--rerun-fails``, pytest-rerunfailures' per-attempt reports, marathon and other re-running
  producers) is one test whose outcome is its last attempt's; Surefire's ``<flakyFailure>`` /
  ``<flakyError>`` are failed attempts before a final pass and ``<rerunFailure>`` / ``<rerunError>``
  failed attempts before a final failure. A test whose final attempt passed is passed, and flaky
  with the count of its failed attempts.
* A suite reports a problem of its own with a ``<failure>`` / ``<error>`` directly under
  ``<testsuite>`` (the suite failed to set up or load), or with ``failures`` + ``errors`` in its
  header above the failing attempts it lists (the run crashed before writing them, or the suite
  failed to load: Surefire, jest and ctest write such headers). Flaky attempts count as listed,
  since some producers count reruns in the header.

Files that declare a DOCTYPE are refused before parsing: JUnit never needs one, and that closes entity
tricks at no cost (expat 2.4+ also limits entity expansion on its own).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from gonogo.probes.junit.model import BrokenSuite, JUnitError, JUnitSummary, Outcome, TestCase

#: larger files are refused: a JUnit report is a few MB even for tens of thousands of tests
MAX_BYTES = 64 * 1024 * 1024
_MESSAGE_CHARS = 120
# the prolog (XML declaration, comments, processing instructions) followed by a DOCTYPE
_DOCTYPE = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL)
#: attempts that failed before the final one (Surefire's rerun reporting)
_FLAKY = ("flakyFailure", "flakyError")
_RERUN = ("rerunFailure", "rerunError")
#: ``<testcase status=...>`` values that say the test did not run (ctest, GoogleTest, tst)
_NOT_RUN = ("notrun", "disabled")
#: the only two reasons ctest gives a ``status="notrun"`` case that it counts as skipped (cmCTestRunTest:
#: SKIP_RETURN_CODE, SKIP_REGULAR_EXPRESSION); any other ("Unable to find executable", "Required Files
#: Missing", "Fixture dependency failed", ...) it counts as a failed test and exits non-zero
_CTEST_SKIP = re.compile(r"SKIP_RETURN_CODE=-?\d+|SKIP_REGULAR_EXPRESSION_MATCHED")


def read(path: Path) -> JUnitSummary:
    """Parse a JUnit XML file; raise :class:`JUnitError` when it is missing or not JUnit."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise JUnitError(f"is {size} bytes, more than the {MAX_BYTES} a JUnit report may have")
        data = path.read_bytes()
    except OSError as exc:
        raise JUnitError(f"cannot be read: {exc.strerror or exc}") from None
    return parse(data)


def parse(data: bytes) -> JUnitSummary:
    """Parse JUnit XML held in memory (see :func:`read`)."""
    if not data.strip():
        raise JUnitError("is empty: the job that writes it crashed or wrote nothing")
    if _DOCTYPE.match(data):
        raise JUnitError("declares a DOCTYPE, which JUnit XML never needs: refused (entity expansion risk)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise JUnitError(f"is not well-formed XML: {exc}") from None
    if _tag(root) not in ("testsuites", "testsuite"):
        raise JUnitError(f"has root element <{_tag(root)}>, expected <testsuites> or <testsuite>")
    walk = _Walk()
    walk.container(root)
    return JUnitSummary(cases=walk.finish(), broken_suites=walk.broken)


@dataclass
class _Attempt:
    outcome: Outcome
    message: str
    #: failed attempts the element itself records (Surefire's flaky / rerun children)
    earlier_failures: int
    first_failure: str


@dataclass
class _Walk:
    """Collects attempts per test in document order, and suites that report problems of their own."""

    attempts: dict[tuple[int, str, str], list[_Attempt]] = field(default_factory=dict)
    ids: dict[tuple[int, str, str], str] = field(default_factory=dict)
    broken: list[BrokenSuite] = field(default_factory=list)

    def container(self, element: ET.Element) -> None:
        """A ``<testsuites>`` or ``<testsuite>``: its cases, its nested suites, its own problems."""
        listed = own = 0
        nested = reruns = False
        for child in element:
            tag = _tag(child)
            if tag == "testsuite":
                nested = True
                self.container(child)
            elif tag == "testcase":
                attempt, again = self.case(element, child)
                listed += attempt.outcome in ("failed", "error")
                reruns |= again or attempt.earlier_failures > 0
            elif tag in ("failure", "error") and _tag(element) == "testsuite":
                own += 1
                self.broken.append(
                    BrokenSuite(_suite_name(element), f"failed to load or set up ({_text(child)})")
                )
        counted = _int(element.get("failures")) + _int(element.get("errors"))
        # a parent's header sums its children's: only a leaf suite's header is compared with its cases;
        # and producers count reruns in the header differently, so a suite with reruns is not compared
        if _tag(element) == "testsuite" and not (nested or own or reruns) and counted > listed:
            if listed == 0 and not any(_tag(child) == "testcase" for child in element):
                reason = f"counts {counted} failure(s)/error(s) and lists no test case: it failed to load"
            else:
                reason = (
                    f"counts {counted} failure(s)/error(s) in its header but lists {listed} failing "
                    f"test(s): the report is incomplete"
                )
            self.broken.append(BrokenSuite(_suite_name(element), reason))

    def case(self, suite: ET.Element, element: ET.Element) -> tuple[_Attempt, bool]:
        """The attempt this element records, and whether the test was written before (a rerun)."""
        classname = element.get("classname") or element.get("class") or ""
        name = element.get("name") or "(unnamed)"
        key = (id(suite), classname, name)
        self.ids.setdefault(key, f"{classname}::{name}" if classname else name)
        attempt = _attempt(element)
        again = key in self.attempts
        self.attempts.setdefault(key, []).append(attempt)
        return attempt, again

    def finish(self) -> list[TestCase]:
        cases: list[TestCase] = []
        for key, attempts in self.attempts.items():
            final = attempts[-1]
            failed_before = sum(a.outcome in ("failed", "error") for a in attempts[:-1])
            failed_before += sum(a.earlier_failures for a in attempts)
            message = final.message
            if final.outcome == "passed" and failed_before:
                earlier = [a.first_failure or a.message for a in attempts if a.first_failure or a.message]
                message = earlier[0] if earlier else ""
            cases.append(TestCase(self.ids[key], final.outcome, message, failed_before))
        return cases


def _attempt(element: ET.Element) -> _Attempt:
    outcome: Outcome = "passed"
    message = first_failure = ""
    earlier = 0
    todo = False
    not_run_why: str | None = None  # ctest's reason for a notrun case that it does not count as a skip
    status = (element.get("status") or "").lower()
    for child in element:
        tag = _tag(child)
        if tag == "error":
            outcome, message = "error", _text(child)
        elif tag == "failure" and outcome != "error":
            outcome, message = "failed", _text(child)
        elif tag == "skipped":
            todo |= (child.get("type") or "") == "todo"
            why = (child.get("message") or child.text or "").strip()
            if status == "notrun" and not _CTEST_SKIP.fullmatch(why):
                not_run_why = why or "no reason given"
            if outcome == "passed":
                outcome, message = "skipped", _text(child)
        elif tag in _FLAKY or tag in _RERUN:
            earlier += 1
            first_failure = first_failure or _text(child)
    if todo:
        # node --test: a failing todo test does not fail the run
        outcome, message = "skipped", "todo"
    elif outcome == "skipped" and not_run_why is not None:
        # ctest writes a test it could not start (its executable was never built, a required file or
        # fixture is missing) as status="notrun" with <skipped>, but counts it as failed: so does gonogo
        outcome, message = "error", f"not run: {not_run_why} (ctest counts it as failed)"
    elif outcome == "passed" and status in _NOT_RUN:
        # ctest --output-junit writes a disabled test as status="disabled" with no child, and
        # GoogleTest a DISABLED_ test as status="notrun": neither ran, so neither passed
        outcome = "skipped"
    if outcome == "skipped":
        message = ""
    return _Attempt(outcome, message, earlier, first_failure)


def _suite_name(element: ET.Element) -> str:
    return element.get("name") or element.get("package") or "(unnamed suite)"


def _tag(element: ET.Element) -> str:
    # "{namespace}testcase" -> "testcase": some generators put the report in a namespace
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _text(element: ET.Element) -> str:
    for raw in (element.get("message"), element.text, element.get("type")):
        line = next((part.strip() for part in (raw or "").splitlines() if part.strip()), "")
        if line:
            return line if len(line) <= _MESSAGE_CHARS else line[: _MESSAGE_CHARS - 3] + "..."
    return ""


def _int(text: str | None) -> int:
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0
