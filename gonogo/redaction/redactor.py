"""The one object that knows the run's secrets and scrubs them from anything that leaves the process.

Every attachment, log capture, failure message, report and output file passes through a
:class:`Redactor`. For each secret it replaces every form in :mod:`gonogo.redaction.forms` (plain,
percent-encoded by any encoder, JSON- and HTML-escaped, mixes of those, base64 at any offset), the head
or tail of a value pytest cut into ``'head...tail'``, and the userinfo of any URL (``scheme://***@host``)
whatever it is. Authorization, cookie and API-key headers are masked whatever their value.

Secrets shorter than :data:`~gonogo.redaction.forms.MIN_SECRET_LENGTH` are left out and named in
:attr:`Redactor.too_short`, so the caller can warn; their value is never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gonogo.redaction.forms import (
    MIN_SECRET_LENGTH,
    base64_cores,
    base64_whole,
    longest_form,
    secret_pattern,
)

MASK = "***"
#: pytest shows a long string in an assertion as ``'head...tail'``; a head or tail this long is masked
MIN_FRAGMENT = 4
ELLIPSIS = "..."

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)

#: ``scheme://user:password@`` (also JSON-escaped, ``:\/\/``): credentials in a URL, known or not
_USERINFO = r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*:(?://|\\/\\/))[^\s/\\@?#\"'<>]+@"


#: characters no encoder escapes: percent-encoding (quote, quote_plus, httpx, encodeURIComponent, PHP's
#: urlencode, which even encodes "~"), JSON, HTML and Python's repr all leave letters and digits alone
_UNRESERVED = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class _Secret:
    name: str
    text: re.Pattern[str]
    data: re.Pattern[bytes]
    fragments: re.Pattern[str] | None
    byte_fragments: re.Pattern[bytes] | None
    reach: int
    #: the longest run of letters and digits: every form but base64 contains it as is
    anchor: str | None
    cores: tuple[str, ...]

    def may_be_in(self, value: str) -> bool:
        # a plain substring test is a hundred times faster than the pattern on a large file; the
        # pattern only runs where the anchor or a base64 core is present
        if self.anchor is None or self.anchor in value:
            return True
        return any(core in value for core in self.cores)

    def may_be_in_data(self, value: bytes) -> bool:
        if self.anchor is None or self.anchor.encode("ascii") in value:
            return True
        return any(core.encode("ascii") in value for core in self.cores)


def _compile(name: str, secret: str) -> _Secret:
    # the secret encoded alone first (whole, padding included), then the cores that find it anywhere
    cores = sorted(base64_whole(secret) | set(base64_cores(secret).values()), key=len, reverse=True)
    runs = _UNRESERVED.findall(secret)
    pattern = "|".join([secret_pattern(secret), *(re.escape(core) for core in cores)])
    fragments: str | None = None
    if len(secret) > MIN_FRAGMENT:
        # a truncated repr (pytest's assertion explanations) keeps a head and a tail of the value
        sizes = range(len(secret) - 1, MIN_FRAGMENT - 1, -1)
        heads = "|".join(re.escape(secret[:size]) for size in sizes)
        tails = "|".join(re.escape(secret[-size:]) for size in sizes)
        fragments = f"(?:{heads})(?={re.escape(ELLIPSIS)})|(?<={re.escape(ELLIPSIS)})(?:{tails})"
    return _Secret(
        name=name,
        text=re.compile(pattern),
        data=re.compile(pattern.encode("utf-8")),
        fragments=re.compile(fragments) if fragments else None,
        byte_fragments=re.compile(fragments.encode("utf-8")) if fragments else None,
        reach=longest_form(secret),
        anchor=max(runs, key=len) if runs else None,
        cores=tuple(cores),
    )


class Redactor:
    """Scrubs known secrets (in every form) and URL credentials from text, bytes and JSON-like data."""

    _userinfo_text = re.compile(_USERINFO)
    _userinfo_data = re.compile(_USERINFO.encode("ascii"))

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[_Secret] = []
        self._values: set[str] = set()
        self._too_short: list[str] = []
        for index, secret in enumerate(secrets):
            self.add(secret, name=f"secret {index + 1}")

    @classmethod
    def named(cls, values: Mapping[str, str]) -> Redactor:
        """A redactor for ``{name: value}``: the names are what warnings and scan results show."""
        redactor = cls()
        for name, value in values.items():
            redactor.add(value, name=name)
        return redactor

    def add(self, secret: str, name: str = "secret") -> None:
        if not secret or secret in self._values:
            return
        if len(secret) < MIN_SECRET_LENGTH:
            if name not in self._too_short:
                self._too_short.append(name)
            return
        self._values.add(secret)
        self._secrets.append(_compile(name, secret))
        # longest first, so a secret containing another is replaced whole
        self._secrets.sort(key=lambda item: item.reach, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    @property
    def names(self) -> list[str]:
        """The names of the secrets it scrubs (never their values)."""
        return [secret.name for secret in self._secrets]

    @property
    def too_short(self) -> tuple[str, ...]:
        """Names of values it was given but does not scrub: shorter than ``MIN_SECRET_LENGTH``."""
        return tuple(self._too_short)

    @property
    def reach(self) -> int:
        """The longest any secret's form can be, in bytes (see :meth:`excerpt`)."""
        return max((secret.reach for secret in self._secrets), default=0)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret.may_be_in(value):
                value = secret.text.sub(MASK, value)
        if "@" in value:
            value = self._userinfo_text.sub(lambda match: f"{match.group('scheme')}{MASK}@", value)
        if ELLIPSIS in value:
            for secret in self._secrets:
                if secret.fragments is not None:
                    value = secret.fragments.sub(MASK, value)
        return value

    def data(self, value: bytes) -> bytes:
        mask = MASK.encode("ascii")
        for secret in self._secrets:
            if secret.may_be_in_data(value):
                value = secret.data.sub(mask, value)
        if b"@" in value:
            value = self._userinfo_data.sub(lambda match: match.group("scheme") + mask + b"@", value)
        if ELLIPSIS.encode("ascii") in value:
            for secret in self._secrets:
                if secret.byte_fragments is not None:
                    value = secret.byte_fragments.sub(mask, value)
        return value

    def tree(self, value: Any) -> Any:
        """Scrub every string in JSON-like data (dicts, lists, tuples), keys included.

        Redacting the parsed document, not its serialized text, keeps the JSON valid whatever the
        secret's characters: a replacement can never split an escape sequence.
        """
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(k) if isinstance(k, str) else k: self.tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.tree(item) for item in value]
        return value

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        items = headers.items() if isinstance(headers, Mapping) else headers
        return [
            (name, MASK if name.lower() in SENSITIVE_HEADERS else self.text(value)) for name, value in items
        ]

    def excerpt(self, content: bytes | str, limit: int) -> str:
        """The first ``limit`` characters of a body, redacted *before* it is cut.

        Cutting first would keep the head of a secret that straddles the cut; redacting the whole body
        would cost time on large ones. Redacting the first ``limit`` + :attr:`reach` bytes finds whole
        every secret that starts before the cut, then the cut is made.
        """
        if isinstance(content, str):
            window = content[: limit + self.reach]
        else:
            window = content[: limit + self.reach].decode("utf-8", "replace")
        return self.text(window)[:limit]

    def find(self, value: str | bytes) -> list[str]:
        """Names of the known secrets present in any form (not URL credentials, not fragments)."""
        if isinstance(value, bytes):
            return [s.name for s in self._secrets if s.may_be_in_data(value) and s.data.search(value)]
        return [s.name for s in self._secrets if s.may_be_in(value) and s.text.search(value)]
