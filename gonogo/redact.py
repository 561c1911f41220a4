"""The one place that knows the run's secrets and scrubs them from anything that leaves the process.

Every attachment, log capture, failure message and report passes through :class:`Redactor`. Besides the
plain value it scrubs the forms a secret takes on the way out: URL-encoded, base64 (as in a Basic
``Authorization`` header) and JSON-escaped. Authorization, cookie and API-key headers are masked whatever
their value.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
#: secrets shorter than this are not scrubbed from free text: replacing "1" everywhere helps nobody
MIN_SECRET_LENGTH = 4
#: pytest shows a long string in an assertion as ``'head...tail'``; a head or tail this long is masked
MIN_FRAGMENT = 4
ELLIPSIS = "..."

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._needles: list[str] = []
        self._fragments: list[re.Pattern[str]] = []
        self._byte_fragments: list[re.Pattern[bytes]] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            return
        forms = {
            secret,
            urllib.parse.quote(secret, safe=""),
            urllib.parse.quote_plus(secret),
            base64.b64encode(secret.encode()).decode(),
            base64.urlsafe_b64encode(secret.encode()).decode(),
            json.dumps(secret)[1:-1],
        }
        # longest first, so a form containing another is replaced whole
        self._needles = sorted(set(self._needles) | forms, key=len, reverse=True)
        if len(secret) > MIN_FRAGMENT:
            # a truncated repr (pytest's assertion explanations) keeps a head and a tail of the value
            sizes = range(len(secret) - 1, MIN_FRAGMENT - 1, -1)
            heads = "|".join(re.escape(secret[:size]) for size in sizes)
            tails = "|".join(re.escape(secret[-size:]) for size in sizes)
            pattern = f"(?:{heads})(?={re.escape(ELLIPSIS)})|(?<={re.escape(ELLIPSIS)})(?:{tails})"
            self._fragments.append(re.compile(pattern))
            self._byte_fragments.append(re.compile(pattern.encode()))

    def __bool__(self) -> bool:
        return bool(self._needles)

    def text(self, value: str) -> str:
        for needle in self._needles:
            if needle in value:
                value = value.replace(needle, MASK)
        if ELLIPSIS in value:
            for fragment in self._fragments:
                value = fragment.sub(MASK, value)
        return value

    def data(self, value: bytes) -> bytes:
        for needle in self._needles:
            raw = needle.encode()
            if raw in value:
                value = value.replace(raw, MASK.encode())
        if ELLIPSIS.encode() in value:
            for fragment in self._byte_fragments:
                value = fragment.sub(MASK.encode(), value)
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
