"""What the locust child sends, as the environment file wrote it: ``${NAME}`` references kept, not values.

The pytest process loads the environment with every ``${VAR}`` filled in; a plan built from those values
would carry secrets into ``plan.json``, the results, locust's report and the child's command line. So the
plan takes the file's own text for each route's name, path and JSON body, each header value and the
userinfo of the base URL, and the child expands it from its own environment (inherited from pytest, or a
remote worker's own) with the loader's rules: ``${VAR}``, ``${VAR:-default}``, ``$$`` for ``$``.

Nothing here imports locust or pytest.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from gonogo.environment.interpolate import InterpolationError, interpolate, interpolate_tree
from gonogo.errors import GonogoError

_CONTROL = frozenset(chr(code) for code in range(32) if code != 9) | {"\x7f"}


class TemplateError(GonogoError, ValueError):
    """A reference in the plan that this process cannot fill (its variable is not set here)."""


def raw_file(path: Path) -> dict[str, Any]:
    """The environment file as written (no interpolation); empty when it cannot be read again."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # it was read a moment ago; a file changed or gone since then keeps the loaded values
        return {}


def escaped(value: str) -> str:
    """A literal value written as a template that expands to itself."""
    return value.replace("$", "$$")


def template(raw: Any, value: Any) -> Any:
    """The file's text ``raw`` for a loaded ``value``; the value itself, escaped, where the file has none
    of the same kind (the loader's validators check values, they do not change them)."""
    if raw is not None and isinstance(raw, type(value)):
        return raw
    return _escaped_tree(value)


def _escaped_tree(node: Any) -> Any:
    if isinstance(node, str):
        return escaped(node)
    if isinstance(node, dict):
        return {escaped(str(key)): _escaped_tree(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_escaped_tree(value) for value in node]
    return node


def expand(template: str, environ: Mapping[str, str], where: str) -> str:
    try:
        return interpolate(template, environ, where)
    except InterpolationError as exc:
        raise TemplateError(f"{exc} (in this locust process's environment)") from None


def expand_tree(template: Any, environ: Mapping[str, str], where: str) -> Any:
    try:
        return interpolate_tree(template, environ, (where,))
    except InterpolationError as exc:
        raise TemplateError(f"{exc} (in this locust process's environment)") from None


def expand_header(template: str, environ: Mapping[str, str], name: str) -> str:
    value = expand(template, environ, f"http.headers.{name}")
    if any(char in _CONTROL for char in value):
        # the value is not shown: headers carry tokens
        raise TemplateError(f"http.headers.{name}: the value filled in here has a control character")
    return value


def split_userinfo(url: str) -> tuple[str, str | None]:
    """``(url without user:password@, the userinfo as written)``; None when it has none."""
    if "://" not in url:
        return url, None
    scheme, rest = url.split("://", 1)
    netloc, slash, tail = rest.partition("/")
    if "@" not in netloc:
        return url, None
    userinfo, host = netloc.rsplit("@", 1)
    return f"{scheme}://{host}{slash}{tail}", userinfo


def credentials(userinfo: str) -> tuple[str, str]:
    """``(user, password)`` of an expanded userinfo, percent-decoded as a URL carries them."""
    user, _, password = userinfo.partition(":")
    return unquote(user), unquote(password)
