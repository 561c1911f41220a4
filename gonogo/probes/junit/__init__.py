"""Upstream test results: read a JUnit XML file and say whether it is green (rules: :mod:`.parse`)."""

from __future__ import annotations

from gonogo.probes.junit.judge import flaky_note, problem
from gonogo.probes.junit.model import BrokenSuite, JUnitError, JUnitSummary, Outcome, TestCase
from gonogo.probes.junit.parse import MAX_BYTES, parse, read

__all__ = [
    "MAX_BYTES",
    "BrokenSuite",
    "JUnitError",
    "JUnitSummary",
    "Outcome",
    "TestCase",
    "flaky_note",
    "parse",
    "problem",
    "read",
]
