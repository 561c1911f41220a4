"""The one place that knows the run's secrets and scrubs them from anything that leaves the process.

Every attachment, log capture, failure message and report passes through :class:`Redactor`. Besides the
plain value it scrubs the forms a secret takes on the way out: URL-encoded, base64 (as in a Basic
``Authorization`` header) and JSON-escaped. Authorization, cookie and API-key headers are masked whatever
their value.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
#: secrets shorter than this are not scrubbed from free text: replacing "1" everywhere helps nobody
MIN_SECRET_LENGTH = 4

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._needles: list[str] = []
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

    def __bool__(self) -> bool:
        return bool(self._needles)

    def text(self, value: str) -> str:
        for needle in self._needles:
            if needle in value:
                value = value.replace(needle, MASK)
        return value

    def data(self, value: bytes) -> bytes:
        for needle in self._needles:
            raw = needle.encode()
            if raw in value:
                value = value.replace(raw, MASK.encode())
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
