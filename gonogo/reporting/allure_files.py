"""What counts as an Allure file in a results folder, and clearing the previous run's.

allure-pytest writes one ``<uuid>-result.json`` per check, ``<uuid>-container.json`` per fixture and
``<uuid>-attachment.<ext>`` per attachment. The Allure 2 generator also reads, from the same folder:

    environment.properties   the Environment widget on the overview (gonogo.reporting.properties)
    executor.json            the Executors widget, and the run's label in the trend (.executor)
    categories.json          defect categories: regexes over each failed check's message (.categories)
    history/                 the previous report's history: what makes the trend carry over (.history)

Only the xdist controller calls these functions (workers write results concurrently, the controller
alone writes the folder's shared files). Nothing here imports pytest.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from pathlib import Path

from gonogo.reporting.layout import CATEGORIES_FILE

ENVIRONMENT_FILE = "environment.properties"
EXECUTOR_FILE = "executor.json"
HISTORY_DIR = "history"
HISTORY_TREND = "history-trend.json"

#: what allure-pytest (or another Allure adapter) may leave in a results folder; nothing else is removed
_RESULT_SUFFIXES = ("-result.json", "-container.json", "-globals.json")
_SHARED_FILES = (ENVIRONMENT_FILE, EXECUTOR_FILE, CATEGORIES_FILE)


def is_allure_file(path: Path) -> bool:
    """A file an Allure adapter or gonogo wrote into a results folder (and may therefore remove)."""
    name = path.name
    if name.endswith(".tmp"):  # left behind by a writer that was killed mid-rename
        return is_allure_file(path.with_name(name[: -len(".tmp")]))
    if name in _SHARED_FILES:
        return True
    for suffix in _RESULT_SUFFIXES:
        if name.endswith(suffix):
            return _is_uuid(name[: -len(suffix)])
    prefix, marker, _ = name.partition("-attachment")
    return bool(marker) and _is_uuid(prefix)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def clean_folder(results_dir: Path) -> int:
    """Remove the previous run's Allure files (and the stale history copy); leave anything else alone.

    Unlike allure-pytest's ``--clean-alluredir`` (an ``rmtree`` in every xdist worker, racing the
    others' writes) this runs once, in the controller, before any worker starts, and never deletes a
    file Allure did not write: ``--alluredir .`` by mistake costs nothing.
    """
    if not results_dir.is_dir():
        results_dir.mkdir(parents=True, exist_ok=True)
        return 0
    removed = 0
    for path in results_dir.iterdir():
        if path.is_file() and is_allure_file(path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    history = results_dir / HISTORY_DIR
    if history.is_dir() and not history.is_symlink():
        shutil.rmtree(history, ignore_errors=True)
    return removed


def count_results(results_dir: Path) -> int:
    """How many check results (``*-result.json``) the folder holds."""
    return sum(1 for _ in results_dir.glob("*-result.json")) if results_dir.is_dir() else 0
