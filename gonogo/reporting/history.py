"""The trend across runs: Allure's ``history/`` carried from one report to the next run's results.

    reports/<env>/history/                 the store, kept between runs (a CI cache or artifact)
    reports/<env>/allure-results/history/  its copy in the results, where the generator reads it
    reports/<env>/report/allure/history/   what the generator wrote: the next store

``--single-file`` writes no ``history/``: the store comes from the folder report. gonogo's own verdict
trend (``gonogo.reporting.verdicts``) lives in the same store and is carried over when it is replaced.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gonogo.reporting import verdicts
from gonogo.reporting.allure_files import HISTORY_DIR, HISTORY_TREND


def seed_history(history_store: Path, results_dir: Path) -> bool:
    """Copy the kept history into the results, where the generator reads it."""
    if not (history_store / HISTORY_TREND).is_file():
        return False
    target = results_dir / HISTORY_DIR
    shutil.rmtree(target, ignore_errors=True)
    # gonogo's verdict trend stays in the store: the generator reads only its own files
    shutil.copytree(history_store, target, ignore=lambda _, names: set(names) & set(verdicts.OWN_NAMES))
    return True


def keep_history(report_dir: Path, history_store: Path) -> bool:
    """After generating: the report's ``history/`` becomes the store the next run seeds from."""
    source = report_dir / HISTORY_DIR
    if not source.is_dir():
        return False
    staging = history_store.with_name(f".{history_store.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    for name in verdicts.OWN_NAMES:  # gonogo's verdict trend carries over beside Allure's new files
        own = history_store / name
        if own.is_dir():
            shutil.copytree(own, staging / name)
        elif own.is_file():
            shutil.copyfile(own, staging / name)
    old = history_store.with_name(f".{history_store.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if history_store.exists():
        history_store.rename(old)
    staging.rename(history_store)
    shutil.rmtree(old, ignore_errors=True)
    return True


def previous_build_order(history_store: Path) -> int:
    """The highest run number the kept trends know, Allure's or gonogo's verdicts (0 when none)."""
    try:
        items = json.loads((history_store / HISTORY_TREND).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        items = []
    orders = (
        [item.get("buildOrder") for item in items if isinstance(item, dict)]
        if isinstance(items, list)
        else []
    )
    orders += [run.order for run in verdicts.load(history_store)]
    return max((order for order in orders if isinstance(order, int)), default=0)
