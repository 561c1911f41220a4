"""Read a wrangler config the way wrangler 4.86 does: TOML for ``.toml``, JSON with comments otherwise.

wrangler parses ``wrangler.json`` and ``wrangler.jsonc`` alike with jsonc-parser (comments and trailing
commas allowed: workers-utils ``parse.ts`` ``parseJSONC``), and ``wrangler.toml`` with a TOML 1.0 parser.
Here JSONC is read as jsonc-parser reads it: comments and trailing commas dropped (one regex pass that
steps over strings), then the standard library's strict JSON. What that refuses and ``pyjson5`` (a JSON5
parser, a superset) would accept, such as single quotes, unquoted keys or ``NaN``, is refused with that
said: wrangler refuses it too, and a config gonogo passes must be one wrangler deploys.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from gonogo.errors import GonogoError


class WranglerError(GonogoError, ValueError):
    """The file is missing or cannot be parsed in its format; the message says which and where."""


#: a string (kept), a comment (blanked, its newlines kept so that error lines stay right)
_COMMENTS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*[\s\S]*?\*/')
#: a string (kept), or a comma whose next token closes an object or an array (dropped)
_TRAILING_COMMAS = re.compile(r'"(?:\\.|[^"\\])*"|,(?=\s*[\]}])')


def _blank(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if text.startswith('"') else re.sub(r"[^\n]", " ", text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_jsonc(text: str) -> Any:
    """JSON with comments and trailing commas, as jsonc-parser reads it; ValueError otherwise."""
    plain = _COMMENTS.sub(_blank, text.removeprefix("\ufeff"))
    plain = _TRAILING_COMMAS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", plain)
    return json.loads(plain, parse_constant=_refuse_constant)


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
        data = loads_jsonc(text)
    except ValueError as exc:
        # only to say why a file was refused: imported here, not by every run that collects the check
        import pyjson5

        try:
            pyjson5.loads(text)
        except pyjson5.Json5Exception:
            raise WranglerError(f"{path} is not valid JSON with comments (JSONC): {exc}") from None
        raise WranglerError(
            f"{path} is JSON5, not JSON with comments (JSONC): {exc}. wrangler refuses single quotes, "
            "unquoted keys, NaN and the other JSON5-only syntax; write it as JSON with comments"
        ) from None
    if not isinstance(data, dict):
        raise WranglerError(f"{path} holds a JSON {type(data).__name__}, not an object of settings")
    return data
