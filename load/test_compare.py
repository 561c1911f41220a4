"""Baseline vs candidate: the same requests to both colours, interleaved, judged route by route.

Runs when ``[baseline]`` is set (``[baseline.compare]`` tunes it). Postdeploy by default (the candidate
is live: a failure is ROLLBACK); with ``[baseline.compare].stage = "smoke"`` it is a smoke check, for a
run against the idle colour before the switch (a failure is NO-GO). A marginal or too small comparison
is inconclusive (HOLD). See docs/bluegreen.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn


def test_compare_with_baseline(
    compare_stage: str, baseline_comparison: Callable[[], str | None], fail: Callable[[str], NoReturn]
) -> None:
    problem = baseline_comparison()
    if problem is not None:
        fail(problem)
