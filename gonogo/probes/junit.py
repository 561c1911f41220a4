"""Upstream test results: read a JUnit XML file and say whether it is green.

Roots ``<testsuites>`` and ``<testsuite>`` (nested suites too) are read with the standard library's
ElementTree. A test case with ``<failure>`` failed, with ``<error>`` errored, with ``<skipped>`` was
skipped. JUnit files never need a DTD, so a file that declares one is refused before parsing: that
closes entity tricks at no cost (expat 2.4+ also limits entity expansion on its own).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gonogo.probes.files import bounded

#: larger files are refused: a JUnit report is a few MB even for tens of thousands of tests
MAX_BYTES = 64 * 1024 * 1024
_MESSAGE_CHARS = 120
# the prolog (XML declaration, comments, processing instructions) followed by a DOCTYPE
_DOCTYPE = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL)

Outcome = Literal["passed", "failed", "error", "skipped"]


class JUnitError(Exception):
    """The file cannot be read as JUnit XML; the message says why."""


@dataclass(frozen=True)
class TestCase:
    """One ``<testcase>``: ``classname::name``, what happened, and the first line of the message."""

    id: str
    outcome: Outcome
    message: str = ""

    def describe(self) -> str:
        return f"{self.id} ({self.message})" if self.message else self.id


@dataclass(frozen=True)
class JUnitSummary:
    """What one JUnit file says."""

    tests: int
    skipped: int
    broken: list[TestCase] = field(default_factory=list)
    #: failures or errors a suite counts in its attributes but lists under no test case
    unlisted: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return self.tests - self.skipped

    @property
    def failing(self) -> int:
        return len(self.broken) + len(self.unlisted)


def read(path: Path) -> JUnitSummary:
    """Parse a JUnit XML file; raise :class:`JUnitError` when it is missing or not JUnit."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise JUnitError(f"is {size} bytes, more than the {MAX_BYTES} a JUnit report may have")
        data = path.read_bytes()
    except OSError as exc:
        raise JUnitError(f"cannot be read: {exc.strerror or exc}") from None
    if _DOCTYPE.match(data):
        raise JUnitError("declares a DOCTYPE, which JUnit XML never needs: refused (entity expansion risk)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise JUnitError(f"is not well-formed XML: {exc}") from None
    if _tag(root) not in ("testsuites", "testsuite"):
        raise JUnitError(f"has root element <{_tag(root)}>, expected <testsuites> or <testsuite>")
    return _summarize(root)


def problem(summary: JUnitSummary, shown: str) -> str | None:
    """The failure message for a file, or None when it is green."""
    if summary.tests == 0:
        return (
            f"{shown}: contains no test cases. "
            f"Fix: point [precheck].junit at the report of a run that ran tests"
        )
    if summary.ran == 0:
        return f"{shown}: all {summary.tests} tests were skipped, so nothing was verified"
    if not summary.failing:
        return None
    listed = [case.describe() for case in summary.broken] + summary.unlisted
    failed = sum(case.outcome == "failed" for case in summary.broken)
    errors = summary.failing - failed
    return (
        f"{shown}: {summary.failing} of {summary.tests} tests did not pass "
        f"({failed} failed, {errors} errored): {bounded(listed)}. "
        f"Fix the upstream failures and re-run that job before deploying"
    )


def _tag(element: ET.Element) -> str:
    # "{namespace}testcase" -> "testcase": some generators put the report in a namespace
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _summarize(root: ET.Element) -> JUnitSummary:
    tests = skipped = 0
    broken: list[TestCase] = []
    unlisted: list[str] = []
    suites = [root] if _tag(root) == "testsuite" else []
    suites += [element for element in root.iter() if _tag(element) == "testsuite" and element is not root]
    for suite in suites:
        listed_here = 0
        for child in suite:
            tag = _tag(child)
            if tag == "testcase":
                case = _case(child)
                tests += 1
                skipped += case.outcome == "skipped"
                if case.outcome in ("failed", "error"):
                    broken.append(case)
                    listed_here += 1
            elif tag in ("failure", "error"):
                # a suite-level error (setup of the whole class/module failed), not tied to a case
                name = suite.get("name") or "(unnamed suite)"
                outcome: Outcome = "failed" if tag == "failure" else "error"
                broken.append(TestCase(f"{name} (suite)", outcome, _text(child)))
                listed_here += 1
        counted = _int(suite.get("failures")) + _int(suite.get("errors"))
        nested = any(_tag(child) == "testsuite" for child in suite)
        if not nested and counted > listed_here:
            name = suite.get("name") or "(unnamed suite)"
            unlisted.append(f"{name}: {counted - listed_here} failure(s)/error(s) counted but not listed")
    return JUnitSummary(tests=tests, skipped=skipped, broken=broken, unlisted=unlisted)


def _case(element: ET.Element) -> TestCase:
    classname = element.get("classname") or ""
    name = element.get("name") or "(unnamed)"
    case_id = f"{classname}::{name}" if classname else name
    outcome: Outcome = "passed"
    message = ""
    for child in element:
        tag = _tag(child)
        if tag == "error":
            outcome, message = "error", _text(child)
        elif tag == "failure" and outcome != "error":
            outcome, message = "failed", _text(child)
        elif tag == "skipped" and outcome == "passed":
            outcome = "skipped"
    return TestCase(case_id, outcome, message)


def _text(element: ET.Element) -> str:
    raw = element.get("message") or element.text or element.get("type") or ""
    line = raw.strip().splitlines()[0] if raw.strip() else ""
    return line if len(line) <= _MESSAGE_CHARS else line[: _MESSAGE_CHARS - 3] + "..."


def _int(text: str | None) -> int:
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0
