"""Find secrets in files: every form of :func:`gonogo.redaction.forms.encoded_forms`, inside embedded
base64 too, and pieces of a secret (what a cut keeps). ``gonogo scan-secrets`` runs it on any artefacts.

The scan is independent of the redactor: it looks for concrete strings, one per encoder, where the
redactor replaces with one pattern. The end-to-end tests scan what a run wrote with it, so a form the
redactor misses is a hit here, not a silent pass. Secret values are never printed: a hit names the file,
the secret's name and the form.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from gonogo.redaction.forms import MIN_SECRET_LENGTH, encoded_forms

#: a run of base64 long enough to hold a document (Allure's single-file report embeds every data file
#: and attachment as ``data:...;base64,...``); standard and URL-safe alphabets
_BLOB = re.compile(rb"[A-Za-z0-9+/_-]{24,}={0,2}")
#: pieces of this many characters are looked for when asked: a secret cut at a limit keeps its head
DEFAULT_FRAGMENT = 10


@dataclass(frozen=True, order=True)
class Hit:
    """A secret found in a file: which one (by name), in which form, in which layer of the file."""

    path: Path
    name: str
    form: str
    #: "" for the file's bytes, or "embedded base64" for a blob decoded from it
    layer: str = ""

    def describe(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                shown = self.path.relative_to(root)
        where = f" (inside {self.layer})" if self.layer else ""
        return f"{shown}: {self.name} as {self.form}{where}"


def needles(secret: str, fragment: int | None = None) -> dict[str, bytes]:
    """What to look for, by form (the first encoder that gives each string); with ``fragment``, every piece
    of that many characters as well."""
    found: dict[str, bytes] = {}
    for form, text in encoded_forms(secret).items():
        # one entry a string: for most secrets several encoders agree (quote and quote_plus without a space)
        if text and text.encode("utf-8") not in found.values():
            found[form] = text.encode("utf-8")
    if fragment is not None and len(secret) > fragment:
        for start in range(len(secret) - fragment + 1):
            found.setdefault(
                f"piece at {start}..{start + fragment}", secret[start : start + fragment].encode()
            )
    return found


def layers(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The file's bytes, then each base64 blob in it, decoded."""
    yield "", data
    for match in _BLOB.finditer(data):
        blob = match.group(0).rstrip(b"=")
        for alphabet in (None, b"-_"):
            try:
                decoded = base64.b64decode(blob + b"=" * (-len(blob) % 4), altchars=alphabet, validate=True)
            except (binascii.Error, ValueError):
                continue
            yield "embedded base64", decoded
            break


class Scanner:
    """Looks for named secrets in bytes and files; values shorter than ``MIN_SECRET_LENGTH`` are skipped
    (they are not scrubbed either, and would match ordinary text)."""

    def __init__(self, secrets: Mapping[str, str], *, fragment: int | None = None) -> None:
        self._needles = {
            name: needles(value, fragment)
            for name, value in secrets.items()
            if len(value) >= MIN_SECRET_LENGTH
        }
        self.skipped = sorted(name for name, value in secrets.items() if len(value) < MIN_SECRET_LENGTH)

    @property
    def names(self) -> list[str]:
        return sorted(self._needles)

    @property
    def form_count(self) -> int:
        return sum(len(forms) for forms in self._needles.values())

    def scan_bytes(self, data: bytes, path: Path = Path("-")) -> list[Hit]:
        hits: set[Hit] = set()
        for layer, content in layers(data):
            for name, forms in self._needles.items():
                for form, needle in forms.items():
                    if needle in content:
                        hits.add(Hit(path, name, form, layer))
        return sorted(hits)

    def scan_paths(self, paths: Iterable[Path]) -> tuple[list[Hit], int]:
        """Hits in every file under ``paths`` (folders walked, symlinks not followed), and the file count."""
        hits: list[Hit] = []
        count = 0
        for path in files_under(paths):
            count += 1
            hits += self.scan_bytes(path.read_bytes(), path)
        return hits, count


def files_under(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (
                child for child in sorted(path.rglob("*")) if child.is_file() and not child.is_symlink()
            )
