"""Smoke: each GET route answers the same status and JSON shape on the baseline and the candidate.

One check per route (``test_parity[list items]``), non-critical: a difference is shown (and attached as
a JSON diff) for a person to judge; it holds the gate only when the score drops below the pass score.
``[baseline.parity]`` sets what is compared and which fields are volatile. See docs/bluegreen.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import pytest

from gonogo import RouteConfig

pytestmark = pytest.mark.gate(critical=False)


def test_parity(
    parity_route: RouteConfig | None,
    response_parity: Callable[[RouteConfig | None], str | None],
    fail: Callable[[str], NoReturn],
) -> None:
    problem = response_parity(parity_route)
    if problem is not None:
        fail(problem)
