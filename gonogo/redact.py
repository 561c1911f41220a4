"""Where the redactor used to live; it is :mod:`gonogo.redaction` now. Kept so existing imports work.

New code imports from :mod:`gonogo.redaction`.
"""

from __future__ import annotations

from gonogo.redaction import MASK, MIN_FRAGMENT, MIN_SECRET_LENGTH, SENSITIVE_HEADERS, Redactor

__all__ = ["MASK", "MIN_FRAGMENT", "MIN_SECRET_LENGTH", "SENSITIVE_HEADERS", "Redactor"]
