"""Secrets out of what pytest prints and ships between processes: tracebacks, captured output, skip and
xfail reasons, user properties. junit.xml, ``-rA`` and the xdist controller all read these reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from gonogo.redaction import Redactor

if TYPE_CHECKING:
    from gonogo.plugin.context import RunContext


def scrub_report(report: pytest.TestReport | pytest.CollectReport, redactor: Redactor) -> None:
    """Secrets out of what pytest prints and ships to the controller: traceback and captures."""
    if isinstance(report.longrepr, str):
        report.longrepr = redactor.text(report.longrepr)
    elif isinstance(report.longrepr, tuple):
        # a skip: (path, line, reason), which junit.xml writes as the <skipped> message and -rs prints
        report.longrepr = tuple(_scrub_fields(part, redactor, depth=0) for part in report.longrepr)  # type: ignore[assignment]
    elif report.longrepr is not None:
        _scrub_fields(report.longrepr, redactor, depth=0)
    report.sections = [(title, redactor.text(body)) for title, body in report.sections]
    wasxfail = getattr(report, "wasxfail", None)
    if isinstance(wasxfail, str):
        report.wasxfail = redactor.text(wasxfail)  # type: ignore[union-attr]
    properties = getattr(report, "user_properties", None)
    if isinstance(properties, list):
        # junit.xml writes these as <property> elements; gonogo's own (findings, skip reasons) included
        properties[:] = [_scrub_property(item, redactor) for item in properties]


class CollectionScrubber:
    """Scrubs collection reports (a module-level skip, an import error) as test reports are: junit.xml,
    ``-rs`` and xdist carry them. Registered in every process once the environment is loaded."""

    def __init__(self, context: RunContext) -> None:
        self._context = context

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, Any, Any]:
        report = yield
        if self._context.redactor:
            scrub_report(report, self._context.redactor)
        return report


def _scrub_property(item: Any, redactor: Redactor) -> Any:
    if not (isinstance(item, tuple) and len(item) == 2):
        return item
    name, value = item
    if isinstance(value, str | dict | list):
        value = redactor.tree(value)
    return (redactor.text(name) if isinstance(name, str) else name, value)


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
