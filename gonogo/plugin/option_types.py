"""Command-line values checked as strictly as the environment file checks its own.

argparse calls these with the text given; a ``ValueError`` (``argparse.ArgumentTypeError``) becomes
pytest's usage error, exit 4, naming the option: ``argument --load-processes: must be a whole number
>= 1, given: '0'``. Without them ``--load-processes 0`` or ``--notify-timeout nan`` were accepted and
broke the run only at its end.
"""

from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    """A whole number >= 1 (processes, counts)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, given: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, given: {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """A finite number of seconds > 0 (timeouts): ``nan``, ``inf``, 0 and negatives are refused."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, given: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, given: {text!r}")
    return value
