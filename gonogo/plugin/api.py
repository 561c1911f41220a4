"""Helpers for writing checks: parametrize from the environment, skip what is not configured.

A check skipped because the environment does not configure what it verifies is *not applicable*: the
gate does not count it (a skip inside a check for any other reason fails the gate closed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import pytest

from gonogo.environment import Environment, LoadedEnvironment
from gonogo.names import POLICY_SKIP_PROPERTY
from gonogo.plugin.context import CONTEXT_KEY


def not_applicable(request: pytest.FixtureRequest, reason: str) -> NoReturn:
    """Skip this check as not configured for the environment; the gate does not count it."""
    __tracebackhide__ = True  # the skip is reported at the check that called this, not here
    request.node.user_properties.append((POLICY_SKIP_PROPERTY, reason))
    pytest.skip(reason)


#: one parameter: ``(id, value)``, or ``(id, value, marks)`` to mark that case (e.g. destructive)
Case = tuple[str, Any] | tuple[str, Any, Sequence[pytest.MarkDecorator]]


def parametrize_from_env(
    metafunc: pytest.Metafunc,
    argname: str,
    values: Callable[[Environment], Sequence[Case]],
) -> None:
    """Parametrize ``argname`` with cases read from the environment file, in a ``pytest_generate_tests``.

    Each case is ``(id, value)`` or ``(id, value, marks)``. Without an environment the check still
    collects once, so its ``environment`` fixture can say that ``--env`` is missing; with none
    configured it collects once with the value ``None`` (call :func:`not_applicable` for it).
    """
    if argname not in metafunc.fixturenames:
        return
    context = metafunc.config.stash.get(CONTEXT_KEY, None)
    if context is None or context.env is None:
        metafunc.parametrize(argname, [None], ids=["no environment"])
        return
    cases = list(values(context.env))
    if not cases:
        metafunc.parametrize(argname, [None], ids=["none configured"])
        return
    params = [pytest.param(case[1], id=case[0], marks=case[2] if len(case) > 2 else ()) for case in cases]
    metafunc.parametrize(argname, params)


def loaded_environment_of(config: pytest.Config) -> LoadedEnvironment | None:
    """The environment this run is bound to (with its file path), or None without ``--env``.

    For hooks that run before fixtures exist, e.g. ``pytest_generate_tests``.
    """
    context = config.stash.get(CONTEXT_KEY, None)
    return context.loaded if context is not None else None
