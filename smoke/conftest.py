"""Shared by the smoke checks: failing with a message that is safe to print."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import pytest

from gonogo.context import RunContext


@pytest.fixture
def fail(gonogo_context: RunContext) -> Callable[[str], NoReturn]:
    """``fail(message)``: fail the check with the message alone (no traceback), secrets scrubbed.

    The messages quote response bodies; a target that echoes a token must not print it in the log.
    """

    def fail_check(message: str) -> NoReturn:
        pytest.fail(gonogo_context.redactor.text(message), pytrace=False)

    return fail_check
