"""Informational runs: pytest options that list or show things instead of running checks.

``--collect-only``, ``--markers``, ``--fixtures``, ``--fixtures-per-test``, ``--setup-only`` and
``--setup-plan`` judge nothing. With an environment bound they launch no target, write no gate.json (the
previous one is removed as for any run) and, in enforce mode, exit 13 rather than pytest's 0: exit 0 means
a fresh GO and nothing else. Report mode keeps pytest's code, as it does for every run.
"""

from __future__ import annotations

import pytest

#: exit code of an informational run with an environment bound: no verdict
EXIT_NO_VERDICT = 13
#: pytest's option attribute -> the option as typed
INFORMATIONAL_OPTIONS = {
    "collectonly": "--collect-only",
    "markers": "--markers",
    "showfixtures": "--fixtures",
    "show_fixtures_per_test": "--fixtures-per-test",
    # --setup-plan implies --setup-only: named first, so the message names what was typed
    "setupplan": "--setup-plan",
    "setuponly": "--setup-only",
}


def informational(config: pytest.Config) -> str | None:
    """The informational option this run was given (``--collect-only``, ...), or None for a real run."""
    for attribute, option in INFORMATIONAL_OPTIONS.items():
        if getattr(config.option, attribute, False):
            return option
    return None
