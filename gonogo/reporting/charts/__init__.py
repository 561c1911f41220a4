"""gonogo's charts, as self-contained SVG (see ``gonogo.reporting.svg`` for what they share):

    latency     the load check: p50 and p95 over time, errors as bars, the p95 limit, the warm-up
    bluegreen   baseline vs candidate latency distributions; the post-promotion watch over time

Every chart a run draws is also saved in ``reports/<env>/charts/`` (:func:`save`), beside the
deployment report that shows it. The gate empties that folder when a run starts (:func:`clear`), so
what :func:`found` lists at the end is this run's, never an earlier run's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from gonogo.reporting.files import write_atomic
from gonogo.reporting.layout import CHARTS_DIR

#: the charts gonogo draws, in the order the deployment report shows them, with their captions
KNOWN: dict[str, str] = {
    "latency.svg": "Latency over time under load (p50, p95, errors)",
    "compare-latency.svg": "Latency distributions, baseline vs candidate",
    "watch.svg": "The post-promotion watch",
}


@dataclass(frozen=True)
class Chart:
    """A chart file of this run: its path and what it shows."""

    path: Path
    caption: str

    def relative_to(self, folder: Path) -> str:
        return self.path.relative_to(folder).as_posix()


def save(reports_dir: Path | None, name: str, svg: str) -> Path | None:
    """Keep a copy of a chart in ``reports/<env>/charts/NAME`` (None without a reports folder)."""
    if reports_dir is None:
        return None
    path = reports_dir / CHARTS_DIR / name
    write_atomic(path, svg)
    return path


def clear(reports_dir: Path) -> None:
    """Remove the previous run's charts (the run starts; its own will be saved as they are drawn)."""
    folder = reports_dir / CHARTS_DIR
    if not folder.is_dir():
        return
    for path in folder.glob("*.svg"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def found(reports_dir: Path) -> list[Chart]:
    """This run's charts, known ones first in their order, then any other SVG saved there."""
    folder = reports_dir / CHARTS_DIR
    if not folder.is_dir():
        return []
    present = {path.name: path for path in folder.glob("*.svg") if path.is_file()}
    charts = [Chart(present.pop(name), caption) for name, caption in KNOWN.items() if name in present]
    charts += [Chart(present[name], Path(name).stem) for name in sorted(present)]
    return charts
