"""Post-deploy: watch the promoted candidate for a while (``--watch DURATION`` or ``[watch]``).

At each interval: health, version and a sample of requests (and Prometheus, with ``[watch.prometheus]``).
Ends early, failed (ROLLBACK), as soon as failed measurements exceed ``failure_limit`` or measurements
without an answer in a row exceed ``consecutive_error_limit``; inconclusive (HOLD) past
``inconclusive_limit``; passes at the end of its duration otherwise. The time to the verdict is printed.
Not applicable without ``--watch`` and without ``[watch]``. See docs/bluegreen.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn


def test_watch(post_promotion_watch: Callable[[], str | None], fail: Callable[[str], NoReturn]) -> None:
    problem = post_promotion_watch()
    if problem is not None:
        fail(problem)
