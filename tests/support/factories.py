"""Factory fixtures: a test starts as many of a thing as it needs, and every one is stopped at teardown.

    @pytest.fixture
    def demo() -> Iterator[Callable[..., DemoProcess]]:
        yield from stopped_at_teardown(start_demo, DemoProcess.stop)

The test calls ``demo("--error-rate", "0.5")`` as it would call ``start_demo``; the things are stopped in
the order they were started, after the test, whether it passed or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def stopped_at_teardown(start: Callable[P, T], stop: Callable[[T], object]) -> Iterator[Callable[P, T]]:
    """Yield ``start`` as the fixture's value; on teardown ``stop`` each thing it started."""
    started: list[T] = []

    def factory(*args: P.args, **kwargs: P.kwargs) -> T:
        started.append(start(*args, **kwargs))
        return started[-1]

    yield factory
    for one in started:
        stop(one)
