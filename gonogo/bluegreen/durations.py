"""Durations as people write them (``90s``, ``5m``, ``1h30m``): ``--watch`` and ``GONOGO_WATCH``.

Light on purpose: the plugin imports it at every pytest start-up.
"""

from __future__ import annotations

import argparse
import re

__all__ = ["MAX_DURATION_S", "duration_option", "parse_duration"]

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
#: the longest watch: a day
MAX_DURATION_S = 86_400.0


def parse_duration(text: str) -> float:
    """``90`` / ``90s`` / ``1.5m`` / ``1h30m`` / ``500ms`` -> seconds (0 means off). Raises ValueError."""
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", cleaned):
        seconds = float(cleaned)
    else:
        parts = _PART.findall(cleaned)
        if not parts or "".join(number + unit for number, unit in parts) != cleaned:
            raise ValueError(f"{text!r} is not a duration: use e.g. 90s, 5m, 1h30m or a number of seconds")
        seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds > MAX_DURATION_S:
        raise ValueError(f"{text!r} is longer than a watch may last ({MAX_DURATION_S:g} s, a day)")
    return seconds


def duration_option(text: str) -> float:
    """``type=`` of ``--watch``: argparse shows the message as the usage error (exit 4)."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (given by --watch or GONOGO_WATCH)") from None
