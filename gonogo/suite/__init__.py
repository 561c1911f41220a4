"""Where gonogo's built-in checks are: one copy of each, found the same way installed or from source.

The checks are the top-level ``checks/`` (precheck), ``smoke/`` (smoke) and ``load/`` (postdeploy) of
gonogo's repository. The wheel carries those very folders inside the package, as ``gonogo/suite/checks``,
``gonogo/suite/smoke`` and ``gonogo/suite/load`` (hatch ``force-include`` in pyproject.toml), each with its
``__init__.py`` so their modules import as ``gonogo.suite.smoke.test_health`` and never clash with a
project's own ``smoke/test_health.py``. A source checkout (an editable install) has no such folders
here: the suite is then the checkout's top-level folders, beside the package.

    catalog     the checks by name, stage and file (``gonogo checks``, ``[builtin].disable``)

Nothing here imports pytest; the pytest side is ``gonogo.plugin.builtin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gonogo.model import Stage
from gonogo.stages import FOLDER_STAGES

_HERE = Path(__file__).resolve().parent
#: node ids of built-in checks collected from outside the project start with this
NODEID_PREFIX = "gonogo"


@dataclass(frozen=True)
class SuiteLocation:
    """The built-in suite: its root and the stage folders under it."""

    root: Path
    #: folder name (``checks``, ``smoke``, ``load``) -> its path
    folders: dict[str, Path]
    #: True in an installed wheel (``gonogo/suite/<folder>``), False in a source checkout
    installed: bool

    def folder_of(self, path: Path) -> str | None:
        """The stage folder a file of the suite is in, or None when it is not a built-in check's file."""
        for name, folder in self.folders.items():
            if path == folder or folder in path.parents:
                return name
        return None

    def stage_of(self, path: Path) -> Stage | None:
        folder = self.folder_of(path)
        return FOLDER_STAGES[folder] if folder else None


@cache
def location() -> SuiteLocation:
    """Where the built-in suite is, for this gonogo (installed or source checkout)."""
    if all((_HERE / name / "__init__.py").is_file() for name in FOLDER_STAGES):
        return SuiteLocation(_HERE, {name: _HERE / name for name in FOLDER_STAGES}, installed=True)
    checkout = _HERE.parent.parent
    folders = {name: checkout / name for name in FOLDER_STAGES if (checkout / name).is_dir()}
    return SuiteLocation(checkout, folders, installed=False)


__all__ = ["NODEID_PREFIX", "SuiteLocation", "location"]
