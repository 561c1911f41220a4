"""Where pre-deploy inputs live: ``[precheck]`` paths are relative to the project root.

The project root is the parent of the environments folder (``environments/staging.toml`` -> ``.``), the
folder CI checks out and where upstream jobs drop their reports, so ``junit = ["reports/qa/*.xml"]``
reads the way it does in a CI file. Absolute paths are taken as they are.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: how many entries a failure message lists before "and N more"
LIST_LIMIT = 10


def project_root(env_file: Path) -> Path:
    """The folder ``[precheck]`` paths are relative to: the environment folder's parent."""
    return env_file.resolve().parent.parent


def display(path: Path, root: Path) -> str:
    """A path as the environment file wrote it: relative to the root when it is below it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Match:
    """One file a ``[precheck]`` glob found, or the glob itself when it found nothing."""

    pattern: str
    path: Path | None

    def shown(self, root: Path) -> str:
        return self.pattern if self.path is None else display(self.path, root)


def expand(patterns: Iterable[str], root: Path) -> list[Match]:
    """Every file each glob matches (sorted, ``**`` recursive); a glob without a match stays as itself."""
    found: list[Match] = []
    seen: set[Path] = set()
    for pattern in patterns:
        # os.path.join keeps an absolute pattern absolute; glob.escape keeps brackets in the root literal
        paths = sorted(
            Path(name) for name in glob.glob(os.path.join(glob.escape(str(root)), pattern), recursive=True)
        )
        files = [path for path in paths if path.is_file()]
        if not files:
            found.append(Match(pattern, None))
        for path in files:
            if path not in seen:
                seen.add(path)
                found.append(Match(pattern, path))
    return found


def bounded(items: list[str], limit: int = LIST_LIMIT, separator: str = "; ") -> str:
    """``a; b; c and 7 more``: failure messages stay readable when a thousand things are wrong."""
    shown = separator.join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
