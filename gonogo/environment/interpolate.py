"""``${VAR}`` and ``${VAR:-default}`` in string values, filled from the process environment at load time.

Interpolation only ever yields strings; the sections turn a string that is a plain number or
``true``/``false`` into one where the key expects it (gonogo/environment/_base.py). Every value taken
from the environment is recorded with the key it went into, so loading can tell the redactor about the
ones that end up in URLs, headers and bodies (gonogo/environment/redaction.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gonogo.errors import GonogoError

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\})")

#: a key path into the file: ``("routes", 0, "path")``
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Interpolated:
    """One ``${VAR}`` filled from the process environment (a default written in the file is not one)."""

    where: KeyPath
    variable: str
    value: str

    def __repr__(self) -> str:
        # the value may be a secret: never in a repr, a traceback or a log line
        return f"Interpolated(where={self.where!r}, variable={self.variable!r}, value='***')"


class InterpolationError(GonogoError):
    """A ``${VAR}`` without a value; the loader adds the file's name to the message."""


def interpolate(
    value: str, environ: Mapping[str, str], where: str, found: list[Interpolated] | None = None
) -> str:
    """Replace ``${VAR}`` and ``${VAR:-default}``; ``$$`` is a literal ``$``.

    Each value taken from ``environ`` is appended to ``found`` (with ``where`` as a one-part path) when
    it is given; :func:`interpolate_tree` records the full key path instead.
    """
    taken: list[tuple[str, str]] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        value = environ.get(name)
        if value:
            taken.append((name, value))
            return value
        if default is not None:
            return default
        raise InterpolationError(
            f"{where}: ${{{name}}} is not set. Fix: export {name}=..., "
            f"or give a default with ${{{name}:-value}}"
        )

    result = _VAR.sub(substitute, value)
    if found is not None:
        found.extend(Interpolated((where,), name, value) for name, value in taken)
    return result


def interpolate_tree(
    node: Any, environ: Mapping[str, str], path: KeyPath, found: list[Interpolated] | None = None
) -> Any:
    """Every string in a parsed TOML tree interpolated; numbers, booleans and dates pass as they are.

    Values taken from ``environ`` are appended to ``found`` with the key path they went into.
    """
    if isinstance(node, str):
        local: list[Interpolated] = []
        result = interpolate(node, environ, format_path(path), local)
        if found is not None:
            found.extend(Interpolated(path, item.variable, item.value) for item in local)
        return result
    if isinstance(node, dict):
        return {key: interpolate_tree(value, environ, (*path, key), found) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(value, environ, (*path, index), found) for index, value in enumerate(node)]
    return node


def format_path(path: Sequence[str | int]) -> str:
    """A key path as the messages show it: ``routes[0].path``; a key that is not a bare TOML key is
    quoted (``http.headers."X A"``), so no key can break a message's line or hide in it."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        key = part if _BARE_KEY.fullmatch(part) else json.dumps(part)
        text += f".{key}" if text else key
    return text or "(top level)"
