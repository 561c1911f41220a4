"""Rollback readiness: the live deployment (the baseline) is still up and still runs the old version.

Switching traffic back is only a real option while the previous version answers its health check; if
the baseline already reports the candidate's version, there is nothing left to roll back to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from gonogo.environment import HealthConfig, VersionConfig
from gonogo.probes.fetch import ProbeResult
from gonogo.probes.health import check_health, read_version


@dataclass(frozen=True)
class Readiness:
    baseline_url: str
    #: what the baseline reports at ``[version].field``, when it answered
    version: str | None
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons

    @property
    def answer(self) -> str:
        """YES / NO, as the deployment report shows it."""
        return "YES" if self.ready else "NO"


def check(
    client: httpx.Client,
    *,
    health: HealthConfig,
    version: VersionConfig,
    expected_version: str,
    baseline_version: str | None = None,
) -> Readiness:
    """Ask the baseline behind ``client`` (its base URL set) for its health and its version.

    The same probes as the smoke checks, so "healthy" and "its version" mean the same on both sides.
    """
    url = str(client.base_url).rstrip("/")
    healthy = check_health(client, health)
    if healthy.fetched.response is None:
        # down: asking for the version as well would only repeat the reason (and wait as long again)
        return Readiness(url, None, [_said(healthy)])
    reasons = [] if healthy.ok else [_said(healthy)]
    reading = read_version(client, version, expected_version)
    if reading.actual is None:
        reasons.append(_said(reading))
    elif reading.actual == expected_version:
        reasons.append(
            f"the baseline already reports version {reading.actual!r}, the candidate's expected_version: "
            f"there is no previous version left to roll back to"
        )
    elif baseline_version is not None and reading.actual != baseline_version:
        reasons.append(
            f"the baseline reports version {reading.actual!r}, "
            f"but [baseline].version says {baseline_version!r}"
        )
    return Readiness(url, reading.actual, reasons)


def _said(result: ProbeResult) -> str:
    """``GET url -> HTTP 503 in 3 ms: expected HTTP 200, ...``, or ``GET url: connection refused ...``."""
    fetched = result.fetched
    if fetched.response is None:
        error = fetched.error or "no response"
        return error if fetched.url in error else f"{fetched.method} {fetched.url}: {error}"
    return f"{fetched.describe()}: " + "; ".join(result.problems)
