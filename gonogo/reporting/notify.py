"""POST gate.json to a webhook after the verdict. It reports its own failure and never changes the verdict."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from gonogo.http import explain

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_ATTEMPTS = 3


@dataclass(frozen=True)
class NotifyResult:
    ok: bool
    message: str
    attempts: int


def post_gate(
    url: str,
    document: dict[str, Any],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    attempts: int = DEFAULT_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> NotifyResult:
    """Retry connection errors and 5xx answers, each attempt bounded by ``timeout_s``."""
    last = ""
    # one deadline for the whole delivery, so a hanging receiver cannot hold the run up for long
    timeout = httpx.Timeout(timeout_s)
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
        for attempt in range(1, attempts + 1):
            try:
                response = client.post(url, json=document, headers={"User-Agent": "gonogo"})
            except httpx.HTTPError as exc:
                last = explain(exc)
            else:
                if response.is_success:
                    return NotifyResult(True, f"delivered to {url} (HTTP {response.status_code})", attempt)
                last = f"HTTP {response.status_code}"
                if response.status_code < 500:
                    break  # the receiver refused the document: sending it again will not help
            if attempt < attempts:
                sleep(min(0.5 * 2 ** (attempt - 1), 2.0))
        else:
            attempt = attempts
    return NotifyResult(
        False, f"could not deliver gate.json to {url}: {last} after {attempt} attempt(s)", attempt
    )
