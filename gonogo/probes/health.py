"""The health and version endpoints: is the target up, and is it the version being deployed?

A version is compared as the text the service sent. JSON numbers are read as their own digits, never
through a float: ``{"version": 1.10}`` is ``1.10``, which is not ``1.1`` (as a float both are 1.1), and
the reading says that the field is a number, not a string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from gonogo.environment import HealthConfig, VersionConfig
from gonogo.probes.body import MISSING, dig, field_mismatches, parse_json
from gonogo.probes.fetch import ProbeResult, fetch, status_problem


def check_health(client: httpx.Client, config: HealthConfig) -> ProbeResult:
    """The status of ``[health].path`` and the JSON fields ``[health].json`` expects."""
    fetched = fetch(client, "GET", config.path)
    if fetched.response is None:
        return ProbeResult(fetched, [fetched.describe()])
    problems = [problem for problem in [status_problem(fetched, config.status)] if problem]
    if config.json_fields:
        body, why = fetched.json()
        if body is MISSING:
            problems.append(f"expected JSON fields {config.json_fields!r}, but {why}")
        else:
            problems += field_mismatches(body, config.json_fields)
    return ProbeResult(fetched, problems)


class _NumberText(str):
    """A JSON number kept as the digits the service sent (``1.10`` stays ``1.10``)."""

    __slots__ = ()


def _parse_keeping_numbers(content: bytes) -> tuple[Any, str | None]:
    body, why = parse_json(content)
    if body is MISSING:
        return MISSING, why
    # parsed again, numbers as text: the first parse gave the error message if there was one
    return json.loads(content, parse_float=_NumberText, parse_int=_NumberText), None


@dataclass(frozen=True)
class VersionReading(ProbeResult):
    #: the version the target reports, as text; None when it could not be read
    actual: str | None = None
    expected: str = ""
    field_path: str = ""
    #: why the reported version is worth a remark though it was read (a JSON number, not a string)
    note: str = ""

    def message(self, subject: str, fix: str = "") -> str:
        if self.actual is None or self.ok:
            return super().message(subject, fix)
        # the version was read and differs: say that first, the request comes after
        got = f"{self.actual} ({self.note})" if self.note else repr(self.actual)
        lines = [
            f"version mismatch at {self.fetched.url}: expected {self.expected!r}, got {got} "
            f"(field {self.field_path!r}; {self.fetched.describe()})"
        ]
        if fix:
            lines.append(f"Fix: {fix}")
        return "\n".join(lines)


def read_version(client: httpx.Client, config: VersionConfig, expected: str) -> VersionReading:
    """The version at ``[version].field`` of ``[version].path``, compared with ``expected_version``."""
    fetched = fetch(client, "GET", config.path)
    if fetched.response is None:
        return VersionReading(fetched, [fetched.describe()])
    if not fetched.response.is_success:
        return VersionReading(
            fetched, [f"expected a 2xx answer, got HTTP {fetched.status} (body: {fetched.body_excerpt()})"]
        )
    body, why = _parse_keeping_numbers(fetched.response.content)
    if body is MISSING:
        return VersionReading(fetched, [f"cannot read field {config.field!r}: {why}"])
    value: Any = dig(body, config.field)
    if value is MISSING or isinstance(value, dict | list | bool) or value is None:
        shown = "missing" if value is MISSING else f"not a version: {value!r}"
        return VersionReading(
            fetched, [f"field {config.field!r} is {shown} (body: {fetched.body_excerpt()})"]
        )
    actual = str(value)
    note = ""
    if isinstance(value, _NumberText):
        note = "a JSON number, not a string: compared as the digits sent"
    if actual != expected:
        got = f"{actual} ({note})" if note else repr(actual)
        problems = [f"expected version {expected!r}, got {got}"]
    else:
        problems = []
    return VersionReading(
        fetched, problems, actual=actual, expected=expected, field_path=config.field, note=note
    )
