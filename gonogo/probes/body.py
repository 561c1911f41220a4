"""Reading response bodies: JSON by dotted path (``data.items.0.id``), bounded excerpts for messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MISSING: Any = object()
#: characters of a body quoted in a failure message
EXCERPT_CHARS = 200


def dig(data: Any, path: str) -> Any:
    """The value at a dotted path, or :data:`MISSING`. Digits index lists."""
    node = data
    for part in path.split(".") if path else []:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def parse_json(content: bytes | str) -> tuple[Any, str | None]:
    """``(value, None)``, or ``(MISSING, why)`` when the body is not JSON."""
    if not content:
        return MISSING, "the body is empty"
    try:
        return json.loads(content), None
    except (ValueError, UnicodeDecodeError) as exc:
        return MISSING, f"the body is not JSON ({exc}): {excerpt(content)}"


def excerpt(content: bytes | str, limit: int = EXCERPT_CHARS) -> str:
    """A body on one line, cut at ``limit`` characters, for a failure message."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def field_mismatches(body: Any, expected: Mapping[str, Any]) -> list[str]:
    """One line per dotted path whose value is missing or differs from the expected one."""
    wrong = []
    for path, want in expected.items():
        actual = dig(body, path)
        if actual is MISSING:
            wrong.append(f"field {path!r}: missing (expected {want!r})")
        elif actual != want:
            wrong.append(f"field {path!r}: expected {want!r}, got {actual!r}")
    return wrong
