"""One request to the target, with what a failure message needs: method, URL, status, elapsed time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from gonogo.probes.body import MISSING, excerpt, parse_json


@dataclass(frozen=True)
class Fetched:
    """A request and its response, or the reason there was none (``error``, naming the URL)."""

    method: str
    url: str
    response: httpx.Response | None
    elapsed_ms: float
    error: str | None = None

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status_code

    def describe(self) -> str:
        """``GET http://host/health -> HTTP 503 in 12 ms``, or the transport error."""
        if self.response is None:
            return self.error or f"{self.method} {self.url}: no response"
        return f"{self.method} {self.url} -> HTTP {self.response.status_code} in {self.elapsed_ms:.0f} ms"

    def body_excerpt(self) -> str:
        return "" if self.response is None else excerpt(self.response.content)

    def json(self) -> tuple[Any, str | None]:
        """The body as JSON, or ``(MISSING, why)``."""
        if self.response is None:
            return MISSING, self.describe()
        return parse_json(self.response.content)


def fetch(client: httpx.Client, method: str, path: str, *, json_body: Any = None) -> Fetched:
    """Send one request; a transport error becomes ``Fetched.error`` (the client already explained it)."""
    request = client.build_request(method, path, json=json_body)
    url = str(request.url)
    started = time.perf_counter()
    try:
        response = client.send(request)
    except httpx.TransportError as exc:
        return Fetched(method, url, None, (time.perf_counter() - started) * 1000, error=str(exc))
    measured = (time.perf_counter() - started) * 1000
    try:
        # httpx's own timing: from sending to the end of the body, without the client's event hooks
        elapsed = response.elapsed.total_seconds() * 1000
    except RuntimeError:
        # a transport that hands over a body already read (httpx.MockTransport) leaves it unset
        elapsed = measured
    return Fetched(method, url, response, elapsed)


def status_problem(fetched: Fetched, expected: int) -> str | None:
    """``expected HTTP 200, got 503 (body: ...)``, or None when the status is the expected one."""
    if fetched.status == expected:
        return None
    return f"expected HTTP {expected}, got {fetched.status} (body: {fetched.body_excerpt()})"


@dataclass(frozen=True)
class ProbeResult:
    """What one probe saw and what is wrong with it (nothing, when ``problems`` is empty).

    A problem may span lines (a schema's errors): its first line is the summary.
    """

    fetched: Fetched
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self, subject: str, fix: str = "") -> str:
        """``subject: GET url -> HTTP 503 in 3 ms: first problem (+N more)``, then the details."""
        head = f"{subject}: {self.fetched.describe()}"
        lines = [head]
        if self.fetched.response is not None and self.problems:
            first, *details = self.problems[0].splitlines()
            more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            lines = [f"{head}: {first}{more}"]
            if len(self.problems) == 1:
                lines += [f"    {line}" for line in details]
            else:
                for problem in self.problems:
                    summary, *rest = problem.splitlines()
                    lines.append(f"  - {summary}")
                    lines += [f"      {line}" for line in rest]
        if fix:
            lines.append(f"Fix: {fix}")
        return "\n".join(lines)
