"""SIGTERM, the way CI runners cancel a job: the first one stops the run in order, a second one at once.

The first SIGTERM becomes a ``KeyboardInterrupt``: pytest's orderly way out, so the gate judges the run
as interrupted (NO-GO, exit 11), writes gate.json and the launched target is stopped, with or without
``[launch]``, serial or under pytest-xdist (the controller takes the signal; its workers are stopped by
xdist as the session ends). A second SIGTERM while that shutdown runs (a runner that insists) ends the
process right away and quietly, no traceback: it stops the target's process group first, says one line
on stderr and exits 11. Nothing is written after it: a missing gate.json is NO-GO too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

#: exit code of a run ended by a second SIGTERM: NO-GO, as the gate would have said
SECOND_SIGNAL_EXIT = 11

_cleanups: list[Callable[[], None]] = []


def on_second_signal(cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` (stop a process group: quick, no waiting) if a second SIGTERM ends the run."""
    _cleanups.append(cleanup)


def install() -> bool:
    """Turn SIGTERM into an orderly interrupt, unless someone else (a user's conftest) handles it.

    Returns whether gonogo's handler is in place. Only the main thread may set signal handlers.
    """
    current = signal.getsignal(signal.SIGTERM)
    if current is _first:
        return True
    if current not in (signal.SIG_DFL, None):
        return False
    try:
        signal.signal(signal.SIGTERM, _first)
    except ValueError:  # not the main thread
        return False
    return True


def uninstall() -> None:
    """Back to the default action (at the end of the run: a later SIGTERM kills as usual)."""
    _cleanups.clear()
    if signal.getsignal(signal.SIGTERM) in (_first, _second):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _first(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, _second)
    raise KeyboardInterrupt(f"signal {signum} (SIGTERM)")


def _second(signum: int, frame: FrameType | None) -> None:
    for cleanup in reversed(_cleanups):
        with contextlib.suppress(Exception):  # ending now matters more than a clean stop
            cleanup()
    try:
        sys.stderr.write("\ngonogo: second SIGTERM during shutdown: stopping now (NO-GO, exit 11)\n")
        sys.stderr.flush()
    finally:
        os._exit(SECOND_SIGNAL_EXIT)
