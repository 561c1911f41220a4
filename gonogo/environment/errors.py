"""The errors of the environment file.

Both are :class:`gonogo.errors.GonogoError`, so a caller catching gonogo's base catches them::

    EnvironmentFileError        the file exists but cannot be used (syntax, schema, interpolation)
    └── UnknownEnvironmentError no file for that name; the message lists the environments that exist
"""

from __future__ import annotations

from gonogo.errors import GonogoError


class EnvironmentFileError(GonogoError):
    """An environment file that cannot be used; the message says where and how to fix it."""


class UnknownEnvironmentError(EnvironmentFileError):
    """``--env NAME`` names no file in the environments folder."""
