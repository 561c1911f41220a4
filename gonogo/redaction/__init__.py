"""Secrets out of everything gonogo writes (docs/security.md).

One concern a module::

    forms.py      the forms a secret takes: concrete strings (the scanner) and one pattern (the redactor)
    redactor.py   Redactor: scrubs text, bytes, JSON-like data, headers, excerpts
    scan.py       finds secrets in files (embedded base64 included): ``gonogo scan-secrets``
    command.py    the ``gonogo scan-secrets`` command
    sweep.py      the end-of-run sweep over ``reports/<env>/``: scrub what slipped through, name the file
"""

from __future__ import annotations

from gonogo.redaction.forms import MIN_SECRET_LENGTH, encoded_forms
from gonogo.redaction.redactor import MASK, MIN_FRAGMENT, SENSITIVE_HEADERS, Redactor

__all__ = ["MASK", "MIN_FRAGMENT", "MIN_SECRET_LENGTH", "SENSITIVE_HEADERS", "Redactor", "encoded_forms"]
