"""Reading JSON bodies by dotted path (``data.items.0.id``)."""

from __future__ import annotations

from typing import Any

MISSING = object()


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
