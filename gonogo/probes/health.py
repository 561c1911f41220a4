"""The health and version endpoints: is the target up, and is it the version being deployed?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from gonogo.environment import HealthConfig, VersionConfig
from gonogo.probes.body import MISSING, dig, field_mismatches
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


@dataclass(frozen=True)
class VersionReading(ProbeResult):
    #: the version the target reports, as text; None when it could not be read
    actual: str | None = None
    expected: str = ""
    field_path: str = ""

    def message(self, subject: str, fix: str = "") -> str:
        if self.actual is None or self.ok:
            return super().message(subject, fix)
        # the version was read and differs: say that first, the request comes after
        lines = [
            f"version mismatch at {self.fetched.url}: expected {self.expected!r}, got {self.actual!r} "
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
    body, why = fetched.json()
    if body is MISSING:
        return VersionReading(fetched, [f"cannot read field {config.field!r}: {why}"])
    value: Any = dig(body, config.field)
    if value is MISSING or isinstance(value, dict | list) or value is None:
        shown = "missing" if value is MISSING else f"not a version: {value!r}"
        return VersionReading(
            fetched, [f"field {config.field!r} is {shown} (body: {fetched.body_excerpt()})"]
        )
    actual = str(value)
    problems = [f"expected version {expected!r}, got {actual!r}"] if actual != expected else []
    return VersionReading(fetched, problems, actual=actual, expected=expected, field_path=config.field)
