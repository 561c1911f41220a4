"""How deep an environment file may nest, and where it goes deeper.

Python's TOML parser recurses on nested arrays and inline tables and the loader walks the parsed tree,
so a file nested a few hundred levels deep (by mistake or on purpose) would end in a ``RecursionError``
instead of a message. No environment file needs more than a few levels: anything past
:data:`MAX_DEPTH` is refused, naming the line or the key path.
"""

from __future__ import annotations

import re
from typing import Any

from gonogo.environment.interpolate import KeyPath, format_path

#: tables, arrays and inline tables inside each other; a route's JSON body is the deepest part of a file
MAX_DEPTH = 32
_KEY_AT_LINE_START = re.compile(r"\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def too_deep_in_text(text: str) -> tuple[int, str] | None:
    """``(line, key)`` where brackets first nest deeper than :data:`MAX_DEPTH`, None when they never do.

    A scan of the text, for when the parser itself gave up: strings and comments are skipped, so a ``[``
    inside a value does not count.
    """
    depth = 0
    line = 1
    key = ""
    at_line_start = True
    index = 0
    while index < len(text):
        char = text[index]
        if at_line_start and depth == 0:
            match = _KEY_AT_LINE_START.match(text, index)
            if match and "\n" not in match.group(0):
                key = match.group(1).strip()
        at_line_start = False
        if char == "\n":
            line += 1
            at_line_start = True
        elif char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif char in "\"'":
            quote = text[index : index + 3] if text.startswith(char * 3, index) else char
            end = _string_end(text, index + len(quote), quote)
            line += text.count("\n", index, end)
            index = end
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, key or "(top level)"
        elif char in "]}":
            depth = max(depth - 1, 0)
        index += 1
    return None


def _string_end(text: str, start: int, quote: str) -> int:
    index = start
    while index < len(text):
        if quote[0] == '"' and text[index] == "\\":
            index += 2
            continue
        if text.startswith(quote, index):
            return index + len(quote)
        if len(quote) == 1 and text[index] == "\n":
            return index
        index += 1
    return len(text)


def too_deep_in_tree(tree: Any) -> KeyPath | None:
    """The first key path nested deeper than :data:`MAX_DEPTH`, None when none is (no recursion)."""
    stack: list[tuple[Any, KeyPath]] = [(tree, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return path
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*path, index)) for index, value in enumerate(node))
    return None


def shown_deep_path(path: KeyPath) -> str:
    """A long key path cut in the middle: ``a.b.c ... y.z`` (32 levels of it help nobody)."""
    if len(path) <= 8:
        return format_path(path)
    return f"{format_path(path[:4])} ... ({len(path) - 6} more levels) ... {format_path(path[-2:])}"
