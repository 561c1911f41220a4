"""Secrets out of what pytest prints and ships between processes: tracebacks and captured output."""

from __future__ import annotations

import dataclasses

import pytest

from gonogo.redact import Redactor


def scrub_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Secrets out of what pytest prints and ships to the controller: traceback and captures."""
    if isinstance(report.longrepr, str):
        report.longrepr = redactor.text(report.longrepr)
    elif report.longrepr is not None and not isinstance(report.longrepr, tuple):
        _scrub_fields(report.longrepr, redactor, depth=0)
    report.sections = [(title, redactor.text(body)) for title, body in report.sections]


def _scrub_fields(node: object, redactor: Redactor, depth: int) -> object:
    # pytest's traceback representations are dataclasses of strings, lists and tuples: scrub them in
    # place so the report keeps its structure (crash message, colours, xdist serialisation)
    if depth > 12:
        return node
    if isinstance(node, str):
        return redactor.text(node)
    if isinstance(node, list):
        node[:] = [_scrub_fields(item, redactor, depth + 1) for item in node]
        return node
    if isinstance(node, tuple):
        return tuple(_scrub_fields(item, redactor, depth + 1) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            cleaned = _scrub_fields(value, redactor, depth + 1)
            if cleaned is not value:
                object.__setattr__(node, field.name, cleaned)
    return node
