"""The demo on a loopback port for the blue-green benchmarks (bench_compare.py, bench_watch.py): started in
its own process group with its knobs, waited for with a real deadline, stopped with its group."""

from __future__ import annotations

import contextlib
import re
import sys
import time
from collections.abc import Iterator

from gonogo.processes import spawn

LISTENING = re.compile(r"listening on (http://\S+)")


@contextlib.contextmanager
def demo(*flags: str) -> Iterator[tuple[str, float]]:
    """``(url, monotonic time its listening line came)``; the demo is stopped after the block."""
    child = spawn([sys.executable, "-m", "gonogo.demo", "--port", "0", *flags], ready=LISTENING, timeout_s=30)
    up_at = time.monotonic()
    try:
        yield child.match.group(1), up_at
    finally:
        child.stop()


def lognormal(median_ms: float, sigma: float, seed: int) -> tuple[str, ...]:
    """The demo's flags for a lognormal latency with this median and log-sd."""
    return (
        "--latency-ms", f"{median_ms:g}", "--latency-dist", "lognormal", "--latency-sigma", f"{sigma:g}",
        "--seed", str(seed),
    )  # fmt: skip
