"""``${VAR}`` and ``${VAR:-default}`` in string values, filled from the process environment at load time."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from gonogo.errors import GonogoError

_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\})")


def interpolate(value: str, environ: Mapping[str, str], where: str) -> str:
    """Replace ``${VAR}`` and ``${VAR:-default}``; ``$$`` is a literal ``$``."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        found = environ.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise InterpolationError(
            f"{where}: ${{{name}}} is not set. Fix: export {name}=..., "
            f"or give a default with ${{{name}:-value}}"
        )

    return _VAR.sub(substitute, value)


class InterpolationError(GonogoError):
    """A ``${VAR}`` without a value; the loader adds the file's name to the message."""


def interpolate_tree(node: Any, environ: Mapping[str, str], path: tuple[str | int, ...]) -> Any:
    """Every string in a parsed TOML tree interpolated; numbers, booleans and dates pass as they are."""
    if isinstance(node, str):
        return interpolate(node, environ, format_path(path))
    if isinstance(node, dict):
        return {key: interpolate_tree(value, environ, (*path, key)) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(value, environ, (*path, index)) for index, value in enumerate(node)]
    return node


def format_path(path: Sequence[str | int]) -> str:
    """A key path as the messages show it: ``routes[0].path``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"
