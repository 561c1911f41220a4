"""Helpers for writing checks: parametrize from the environment, skip what is not configured.

A check skipped because the environment does not configure what it verifies is *not applicable*: the
gate does not count it (a skip inside a check for any other reason fails the gate closed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import pytest

from gonogo.context import CONTEXT_KEY
from gonogo.environment import Environment

POLICY_SKIP = "gonogo.policy_skip"


def not_applicable(request: pytest.FixtureRequest, reason: str) -> NoReturn:
    """Skip this check as not configured for the environment; the gate does not count it."""
    __tracebackhide__ = True  # the skip is reported at the check that called this, not here
    request.node.user_properties.append((POLICY_SKIP, reason))
    pytest.skip(reason)


def parametrize_from_env(
    metafunc: pytest.Metafunc,
    argname: str,
    values: Callable[[Environment], Sequence[tuple[str, Any]]],
) -> None:
    """Parametrize ``argname`` with ``(id, value)`` pairs read from the environment file.

    Without an environment the check still collects once, so its ``environment`` fixture can say that
    ``--env`` is missing; with none configured it collects once with the value ``None``.
    """
    if argname not in metafunc.fixturenames:
        return
    context = metafunc.config.stash.get(CONTEXT_KEY, None)
    if context is None or context.env is None:
        metafunc.parametrize(argname, [None], ids=["no environment"])
        return
    pairs = list(values(context.env))
    if not pairs:
        metafunc.parametrize(argname, [None], ids=["none configured"])
        return
    metafunc.parametrize(argname, [value for _, value in pairs], ids=[name for name, _ in pairs])
