"""The rules for single values that several sections share: URLs, request paths, header names and values,
environment variable names, project paths, versions.

Each is an ``Annotated`` type whose check runs after interpolation, so a raw file with ``${VAR}`` still
validates against the JSON Schema (editors see the plain type). A value that breaks a rule is refused
with what the rule is and how to fix it; nothing is quietly rewritten into something else.
"""

from __future__ import annotations

import posixpath
import re
from typing import Annotated
from urllib.parse import SplitResult, unquote, urlsplit

from pydantic import AfterValidator

#: the placeholders `[launch]` fills with the ports it picked; a URL may use them as its port
PORT_PLACEHOLDERS = ("{port}", "{baseline_port}")
_PLACEHOLDER_PORT = "1"
#: C0 controls, DEL: never part of a URL, a path or a header value (CR/LF would split the request)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_TAB = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
#: RFC 9110 token: the characters a header name may have
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: scheme://, the authority (userinfo@host:port, up to the first / ? or #), the rest
_AUTHORITY = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)(.*)$", re.DOTALL)


def _split(url: str, what: str) -> SplitResult:
    if _CONTROL.search(url) or " " in url:
        raise ValueError(
            f"{what} has a space or a control character: {redacted_url(url)!r}. Fix: percent-encode it"
        )
    if not re.match(r"^https?://[^/\s]", url):
        raise ValueError(
            f"must be an http:// or https:// URL, got {redacted_url(url)!r}. Fix: write the target's URL, "
            "e.g. 'https://staging.example.com'"
        )
    probe = url
    for placeholder in PORT_PLACEHOLDERS:
        probe = probe.replace(f":{placeholder}", f":{_PLACEHOLDER_PORT}")
    parts = urlsplit(probe)
    if not parts.hostname:
        raise ValueError(f"{what} has no host: {redacted_url(url)!r}. Fix: name the host after '//'")
    if "\\" in parts.netloc:
        raise ValueError(f"{what} has a backslash in its host part: {redacted_url(url)!r}. Fix: remove it")
    try:
        port = parts.port
    except ValueError:
        port = 0
    else:
        if port is None:
            return parts
    if not 1 <= port <= 65535:
        raise ValueError(
            f"{what} has a port that is not a number in 1-65535: {redacted_url(url)!r}. Fix: give the port "
            "the target listens on (or {port} with [launch])"
        )
    return parts


def _http_url(url: str) -> str:
    parts = _split(url, "the URL")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError(
            f"must not have a ?query or #fragment, got {redacted_url(url)!r}: every check appends its own "
            "path. Fix: keep the scheme, host, port and an optional path prefix"
        )
    return url.rstrip("/")


#: a URL gonogo will call: http(s), a host, a port in 1-65535 (or a launch placeholder), an optional
#: path prefix and no query or fragment (checks append their paths); no trailing slash
HttpUrlText = Annotated[str, AfterValidator(_http_url)]


def _webhook_url(url: str) -> str:
    # a webhook may carry its token in the query (Slack, Teams): only the fragment, never sent, is refused
    parts = _split(url, "the URL")
    if parts.fragment:
        raise ValueError(
            f"must not have a #fragment (it is never sent), got {redacted_url(url)!r}. Fix: remove it"
        )
    return url


#: a URL gonogo POSTs to: http(s), a host, a port in 1-65535; a query is kept as written
WebhookUrl = Annotated[str, AfterValidator(_webhook_url)]


def userinfo_of(url: str) -> tuple[str, str | None] | None:
    """``(user, password)`` of a URL that carries credentials, decoded; None when it has none."""
    match = _AUTHORITY.match(url)
    if match is None or "@" not in match.group(2):
        return None
    user, colon, password = match.group(2).rsplit("@", 1)[0].partition(":")
    return unquote(user), unquote(password) if colon else None


def redacted_url(url: str) -> str:
    """The URL with its userinfo (``user:password@``) shown as ``***@``: safe for headers and reports."""
    match = _AUTHORITY.match(url)
    if match is None or "@" not in match.group(2):
        return url
    scheme, authority, rest = match.groups()
    return f"{scheme}***@{authority.rsplit('@', 1)[1]}{rest}"


def _request_path(path: str) -> str:
    fix = "Fix: write the path on base_url, e.g. '/api/items'"
    if _SCHEME.match(path) or path.startswith("//") or not path.startswith("/"):
        raise ValueError(
            f"must be a path starting with a single '/', got {path!r}: a check only requests paths on "
            f"base_url. {fix}"
        )
    if "\\" in path:
        raise ValueError(f"must not contain a backslash, got {path!r}. {fix}")
    if _CONTROL.search(path) or " " in path:
        raise ValueError(f"has a space or a control character: {path!r}. Fix: percent-encode it")
    if "#" in path:
        raise ValueError(f"must not have a #fragment (it is never sent), got {path!r}. Fix: remove it")
    depth = 0
    for segment in unquote(path.split("?", 1)[0]).split("/")[1:]:
        if segment == "..":
            depth -= 1
            if depth < 0:
                raise ValueError(
                    f"climbs above base_url with '..' segments, got {path!r}: a check only requests "
                    f"paths on base_url. {fix}"
                )
        elif segment not in ("", "."):
            depth += 1
    return path


#: a path a check requests on base_url: one leading '/', no scheme or host, no '..' above its root
RequestPath = Annotated[str, AfterValidator(_request_path)]


def _whole_match(pattern: re.Pattern[str], what: str, fix: str) -> AfterValidator:
    """A check that refuses a name ``pattern`` does not match whole, saying what it must be and the fix."""

    def check(name: str) -> str:
        if not pattern.fullmatch(name):
            raise ValueError(f"{name!r} is not {what}. Fix: {fix}")
        return name

    return AfterValidator(check)


#: an HTTP header name (an RFC 9110 token)
HeaderName = Annotated[
    str,
    _whole_match(
        _TOKEN,
        "an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, no spaces or colons)",
        "give the bare name, e.g. 'X-Smoke-Test'",
    ),
]


def _header_value(value: str) -> str:
    if _CONTROL_BUT_TAB.search(value):
        # the value itself is not shown: headers carry tokens
        raise ValueError(
            "a header value must not contain a line break or another control character (it would split "
            "the request). Fix: remove it (check the ${VAR} that fills it)"
        )
    return value


#: an HTTP header value: no CR, LF or other control character (tabs allowed)
HeaderValue = Annotated[str, AfterValidator(_header_value)]

#: the name of a process environment variable
EnvVarName = Annotated[
    str,
    _whole_match(
        _ENV_NAME,
        "an environment variable name (letters, digits, _; not a digit first)",
        "name the variable, e.g. 'API_TOKEN' (not its value)",
    ),
]


def _project_path(path: str) -> str:
    fix = (
        "Fix: write it relative to the project root (the folder above environments/), e.g. 'reports/qa/*.xml'"
    )
    if not path.strip():
        raise ValueError(f"must not be empty. {fix}")
    if path.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", path):
        raise ValueError(f"must be relative to the project root, got {path!r}. {fix}")
    if "\\" in path:
        raise ValueError(f"must use '/' between folders, got {path!r}. {fix}")
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        raise ValueError(f"leaves the project root with '..', got {path!r}. {fix}")
    if normal.split("/", 1)[0] == "**":
        raise ValueError(
            f"starts with '**', which walks the whole project (virtualenvs, node_modules), got {path!r}. "
            "Fix: start with the folder that holds the files, e.g. 'reports/**/*.xml'"
        )
    return path


#: a file or glob under the project root: relative, no '..' out of it, no leading '**'
ProjectPath = Annotated[str, AfterValidator(_project_path)]


def _version(version: str) -> str:
    if not version.strip():
        raise ValueError(
            "must not be empty: an empty version matches nothing. Fix: set the version being deployed "
            "(e.g. `${DEPLOY_VERSION}` with DEPLOY_VERSION exported)"
        )
    if version != version.strip():
        raise ValueError(f"has spaces around it, got {version!r}: it would never match. Fix: remove them")
    return version


#: a version as the target reports it: not empty, no surrounding whitespace
VersionText = Annotated[str, AfterValidator(_version)]
