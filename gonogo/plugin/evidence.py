"""What checks hand to the gate and the report: findings (measurements) and attachments.

Findings travel on the test report's ``user_properties`` (as plain dicts), so they reach the
controller from pytest-xdist workers too. Attachments go to Allure, always through the redactor.

    def test_p95(findings):
        findings.measure("p95 latency", 212.0, limit=500, unit="ms")      # pass: 212 <= 500
        findings.inconclusive("requests", 12, limit=200, detail="too few samples after warm-up")
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from gonogo.http import Exchange
from gonogo.model import Finding, FindingVerdict
from gonogo.names import FINDING_PROPERTY
from gonogo.redaction import Redactor


class FindingRecorder:
    """Records findings on the running check (the ``findings`` fixture)."""

    def __init__(self, node: pytest.Item, redactor: Redactor) -> None:
        self._node = node
        self._redactor = redactor
        self.recorded: list[Finding] = []

    def record(
        self,
        name: str,
        value: float | int | str | bool | None,
        *,
        verdict: FindingVerdict | str = FindingVerdict.PASS,
        limit: float | int | str | None = None,
        unit: str = "",
        detail: str = "",
    ) -> Finding:
        finding = Finding(
            name=name,
            value=self._redactor.text(value) if isinstance(value, str) else value,
            verdict=FindingVerdict(verdict),
            limit=limit,
            unit=unit,
            detail=self._redactor.text(detail),
        )
        self.recorded.append(finding)
        self._node.user_properties.append((FINDING_PROPERTY, finding.to_dict()))
        return finding

    def add(self, finding: Finding) -> Finding:
        """Record a finding made elsewhere (the load judge, the comparison, the watch), scrubbed the same."""
        return self.record(
            finding.name,
            finding.value,
            verdict=finding.verdict,
            limit=finding.limit,
            unit=finding.unit,
            detail=finding.detail,
        )

    def measure(
        self,
        name: str,
        value: float,
        *,
        limit: float,
        unit: str = "",
        higher_is_worse: bool = True,
        detail: str = "",
    ) -> Finding:
        """Record a number against its limit: pass when ``value <= limit`` (or ``>=``)."""
        ok = value <= limit if higher_is_worse else value >= limit
        verdict = FindingVerdict.PASS if ok else FindingVerdict.FAIL
        return self.record(name, value, verdict=verdict, limit=limit, unit=unit, detail=detail)

    def inconclusive(
        self,
        name: str,
        value: float | int | str | None = None,
        *,
        detail: str,
        limit: float | int | str | None = None,
        unit: str = "",
    ) -> Finding:
        """The check could not decide (too few samples, saturated load generator, ...): never a pass."""
        return self.record(
            name, value, verdict=FindingVerdict.INCONCLUSIVE, limit=limit, unit=unit, detail=detail
        )


class Evidence:
    """Attachments for the report, scrubbed of secrets (the ``evidence`` fixture)."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor

    def text(self, name: str, body: str, *, extension: str = "txt") -> None:
        attach_text(name, self._redactor.text(body), extension=extension)

    def json(self, name: str, data: Any) -> None:
        attach_text(name, self._redactor.text(json.dumps(data, indent=2, default=str)), extension="json")

    def file(self, path: Path, name: str | None = None) -> None:
        """Attach a file; text files are redacted, binary ones (images) attached as they are."""
        raw = path.read_bytes()
        attach_bytes(name or path.name, self._redactor.data(raw), extension=path.suffix.lstrip(".") or "txt")

    def exchanges(self, exchanges: Iterable[Exchange]) -> None:
        for index, exchange in enumerate(exchanges, start=1):
            self.text(f"HTTP {index}: {exchange.method} {exchange.url}", exchange.to_text())


_MIME = {
    "txt": "text/plain",
    "json": "application/json",
    "csv": "text/csv",
    "html": "text/html",
    "md": "text/markdown",
    "png": "image/png",
    "svg": "image/svg+xml",
    "xml": "application/xml",
}


def attach_text(name: str, body: str, *, extension: str = "txt") -> None:
    attach_bytes(name, body.encode("utf-8"), extension=extension)


def attach_bytes(name: str, body: bytes, *, extension: str) -> None:
    """Attach to the running Allure test; a no-op when allure-pytest is not reporting."""
    import allure

    allure.attach(body, name=name, attachment_type=_MIME.get(extension, "text/plain"), extension=extension)
