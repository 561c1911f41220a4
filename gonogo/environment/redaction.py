"""Which values the redactor must know besides the named secrets (docs/environments.md, Secrets).

The rule: every value ``${VAR}`` interpolation took from the process environment into a URL (``base_url``,
``[baseline].base_url``, ``[watch.prometheus].url``, ``[gate].notify_url``), a request path or query
(``[health]``, ``[version]``, ``[[routes]]``, ``[launch].ready_path``), a header value (``[http].headers``)
or a route body (``[[routes]].json``), whether or not the variable is listed as a secret; plus the
userinfo of every URL, always. A default written in the file (``${HOST:-127.0.0.1}``) is not a secret:
anyone reading the file sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gonogo.environment.interpolate import Interpolated, KeyPath, format_path
from gonogo.environment.values import userinfo_of

#: key paths whose interpolated values are redacted; "*" is any list index, a prefix covers what is below
_PLACES: tuple[tuple[str, ...], ...] = (
    ("base_url",),
    ("baseline", "base_url"),
    ("watch", "prometheus", "url"),
    ("gate", "notify_url"),
    ("health", "path"),
    ("version", "path"),
    ("launch", "ready_path"),
    ("routes", "*", "path"),
    ("routes", "*", "json"),
    ("http", "headers"),
)


def is_redacted_place(where: KeyPath) -> bool:
    """Whether a value interpolated at ``where`` goes into a URL, a path, a header or a body."""
    parts = tuple("*" if isinstance(part, int) else part for part in where)
    return any(parts[: len(place)] == place for place in _PLACES)


def interpolated_values(found: Iterable[Interpolated]) -> dict[str, str]:
    """``{VAR: value}`` for each value interpolated into a redacted place."""
    return {item.variable: item.value for item in found if is_redacted_place(item.where)}


def userinfo_values(urls: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The credentials in ``(key, url)`` pairs: the password and ``user:password``, or a lone user name
    (a token used as the user, as in ``https://TOKEN@host``)."""
    values: dict[str, str] = {}
    for key, url in urls:
        info = userinfo_of(url)
        if info is None:
            continue
        user, password = info
        if password is None:
            values[f"{key} user"] = user
        else:
            values[f"{key} password"] = password
            values[f"{key} userinfo"] = f"{user}:{password}"
    return {key: value for key, value in values.items() if value}


def short_value_warnings(found: Iterable[Interpolated], userinfo: dict[str, str]) -> Iterator[str]:
    """A warning for each redacted value too short for the redactor to scrub (it skips them: blanking
    every "80" or "dev" in a report would destroy it). The value itself is never in the message."""
    # imported here: the redactor's package reads loaded environments, so it must not load with this one
    from gonogo.redaction import MIN_SECRET_LENGTH

    for item in found:
        if is_redacted_place(item.where) and len(item.value) < MIN_SECRET_LENGTH:
            yield (
                f"{format_path(item.where)}: ${{{item.variable}}} puts a value of {len(item.value)} "
                f"character(s) there; values shorter than {MIN_SECRET_LENGTH} are not scrubbed from reports. "
                "Fix: if it is a secret, make it longer; if it is not, nothing to do"
            )
    for key, value in userinfo.items():
        if len(value) < MIN_SECRET_LENGTH:
            yield (
                f"{key}: {len(value)} character(s), shorter than {MIN_SECRET_LENGTH}: not scrubbed from "
                "reports. Fix: use a longer credential, or pass it as a bearer secret"
            )
