"""Read a wrangler config the way wrangler 4.86 does: TOML for ``.toml``, JSON with comments otherwise.

wrangler parses ``wrangler.json`` and ``wrangler.jsonc`` alike with jsonc-parser (comments and trailing
commas allowed: workers-utils ``parse.ts`` ``parseJSONC``), and ``wrangler.toml`` with a TOML 1.0 parser.
Here JSON(C) goes through ``pyjson5``, a maintained JSON5 parser (compiled: a 500 kB file takes
milliseconds, where the pure-Python ``json5`` takes seconds): JSON5 is a superset of JSONC, so every file
wrangler reads is read to the same value (JSON5-only syntax such as single quotes is accepted here and
left to wrangler to refuse).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pyjson5

from gonogo.errors import GonogoError


class WranglerError(GonogoError, ValueError):
    """The file is missing or cannot be parsed in its format; the message says which and where."""


def load(path: Path) -> dict[str, Any]:
    """The config as a dict; raise :class:`WranglerError` when it is missing or not valid in its format."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WranglerError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WranglerError(f"{path} cannot be read: {exc}") from None
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise WranglerError(f"{path} is not valid TOML: {exc}") from None
    try:
        data = pyjson5.loads(text)
    except pyjson5.Json5Exception as exc:
        raise WranglerError(f"{path} is not valid JSON with comments (JSONC): {exc}") from None
    if not isinstance(data, dict):
        raise WranglerError(f"{path} holds a JSON {type(data).__name__}, not an object of settings")
    return data
