"""Security headers: the ones every response must carry and the ones none may.

Some forbidden headers are only a problem when they give a version away (``versioned_only``, by default
``server``): ``server: nginx`` tells an attacker little that the TCP fingerprint does not, while
``server: nginx/1.25.3`` names the exact build to look up exploits for. A value carries a version when it
has a product token with a numeric version (``name/1``, ``name/1.25.3``, ``name/v2``) or a dotted number
anywhere (``Jetty(9.4.z)``, ``Apache 2.4``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx

VERSION_IN_VALUE = re.compile(r"/\s*v?\d+(?:\.\d+)*\b|\bv?\d+\.\d+")


def carries_version(value: str) -> bool:
    """``nginx/1.25.3``, ``gonogo-demo/1.4.2``, ``Apache/2 (Unix)``: yes. ``nginx``, ``cloudflare``: no."""
    return VERSION_IN_VALUE.search(value) is not None


def header_problems(
    headers: httpx.Headers,
    *,
    required: Iterable[str],
    forbidden: Iterable[str],
    versioned_only: Iterable[str] = ("server",),
) -> list[str]:
    """One line per missing required header and per forbidden header present (with its value)."""
    problems: list[str] = []
    for name in required:
        values = headers.get_list(name)
        if not values:
            problems.append(f"missing required header {name.lower()}")
        elif not any(value.strip() for value in values):
            problems.append(f"required header {name.lower()} is empty")
    only_versions = {name.lower() for name in versioned_only}
    for name in forbidden:
        lowered = name.lower()
        for value in headers.get_list(name):
            if lowered not in only_versions:
                problems.append(f"forbidden header {lowered}: {value}")
            elif carries_version(value):
                problems.append(f"forbidden header {lowered}: {value} (it reveals a version)")
    return problems
