"""Progress lines of long checks (load, comparison, watch) under pytest-xdist, shown by the controller.

An xdist worker's stdout goes nowhere, so a five-minute watch would leave the CI log silent. A worker
appends each progress line to ``progress-<worker>.log`` in the run folder; the controller follows those
files on a small thread and writes each new line to its terminal as ``[gw0] <line>``, within a fraction
of a second, and once more at the end so that nothing is lost. Lines are redacted where they are made.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

PREFIX = "progress-"
POLL_S = 0.2


def worker_writer(run_dir: Path, worker: str) -> Callable[[str], None]:
    """What a worker's ``terminal_writer`` does: append the line for the controller to show."""
    path = run_dir / f"{PREFIX}{worker}.log"

    def write(line: str) -> None:
        with contextlib.suppress(OSError), path.open("a", encoding="utf-8") as handle:
            handle.write(line.replace("\n", " ") + "\n")

    return write


class ProgressRelay:
    """Follows every worker's progress file and writes complete new lines through ``write``."""

    def __init__(self, run_dir: Path, write: Callable[[str], None]) -> None:
        self._run_dir = run_dir
        self._write = write
        self._offsets: dict[Path, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="gonogo-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following, after showing whatever is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.drain()

    def drain(self) -> None:
        with self._lock:
            for path in sorted(self._run_dir.glob(f"{PREFIX}*.log")):
                self._show_new(path)

    def _follow(self) -> None:
        while not self._stop.wait(POLL_S):
            with contextlib.suppress(Exception):  # a progress line is never worth a crashed run
                self.drain()

    def _show_new(self, path: Path) -> None:
        offset = self._offsets.get(path, 0)
        try:
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except OSError:
            return
        complete = data.rfind(b"\n") + 1  # a line still being written waits for its end
        if not complete:
            return
        self._offsets[path] = offset + complete
        worker = path.stem.removeprefix(PREFIX)
        for line in data[:complete].decode("utf-8", "replace").splitlines():
            self._write(f"[{worker}] {line}")


def terminal_line_writer(reporter: Any) -> Callable[[str], None]:
    """Write one line on the controller's terminal, on a fresh line."""

    def write(line: str) -> None:
        # under xdist the controller writes its progress dots without marking the line as open, so
        # ensure_newline() would not see them: ask the writer how far into a line it is
        writer = getattr(reporter, "_tw", None)
        if writer is not None and writer.width_of_current_line:
            reporter.write("\n")
        reporter.write_line(line)

    return write
