"""At collection: each check's stage, its validated ``gate`` marker, the destructive-check policy, and
the order: precheck, then smoke, then postdeploy, whatever order pytest collected them in."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from gonogo import suite
from gonogo.model import STAGE_ORDER, Stage
from gonogo.names import GATE_PROPERTY, POLICY_SKIP_PROPERTY, STAGE_PROPERTY
from gonogo.plugin.context import RunContext, run_context
from gonogo.stages import stage_of

STAGE_KEY = pytest.StashKey[Stage | None]()
#: checks without a stage are judged like smoke checks, so they run with them
_RANK: dict[Stage | None, int] = {stage: index for index, stage in enumerate(STAGE_ORDER)} | {None: 1}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Generator[None, None, None]:
    context = run_context(config)
    if context is not None:
        _select(config, context, items)
    yield
    if context is not None:
        # after every other plugin (-k, -m, pytest-randomly): gonogo's stage order, whatever the folder
        # names and the collection order; a stable sort, so a stage keeps the order it was collected (or
        # shuffled) in. xdist hands items out in this order: each worker runs its share stage by stage.
        items[:] = sorted(items, key=lambda item: _RANK[item.stash.get(STAGE_KEY, None)])


def _stage_base(path: Path, rootpath: Path) -> Path:
    """Where stage folders are looked for: the built-in suite's root for its checks, else the rootdir."""
    location = suite.location()
    return location.root if location.folder_of(path) is not None else rootpath


def _select(config: pytest.Config, context: RunContext, items: list[pytest.Item]) -> None:
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        names = (m.name for m in item.iter_markers())
        stage = stage_of(names, item.path, _stage_base(item.path, config.rootpath))
        item.stash[STAGE_KEY] = stage
        if stage is not None:
            if item.get_closest_marker(stage.value) is None:
                item.add_marker(stage.value)
            item.user_properties.append((STAGE_PROPERTY, stage.value))
        if context.settings.stages_explicit and stage not in context.settings.stages:
            deselected.append(item)
            continue
        selected.append(item)
        _record_gate_marker(item)
        _skip_destructive(context, item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


_GATE_KEYS: dict[str, type | tuple[type, ...]] = {"critical": bool, "weight": (int, float), "dry_run": bool}
GATE_ERROR_KEY = pytest.StashKey[str]()


def _record_gate_marker(item: pytest.Item) -> None:
    marker = item.get_closest_marker("gate")
    if marker is None:
        return
    problems = [f"unexpected positional arguments {marker.args!r}"] if marker.args else []
    for key, value in marker.kwargs.items():
        expected = _GATE_KEYS.get(key)
        if expected is None:
            problems.append(f"unknown argument {key!r} (allowed: {', '.join(_GATE_KEYS)})")
        elif not isinstance(value, expected) or (
            key == "weight" and not (isinstance(value, int | float) and value > 0)
        ):
            problems.append(f"{key}={value!r} is not valid (critical/dry_run: bool, weight: number > 0)")
    if problems:
        # fails the check at setup (an ERROR: the gate says NO-GO) rather than guessing what was meant
        item.stash[GATE_ERROR_KEY] = f"@pytest.mark.gate on {item.nodeid}: " + "; ".join(problems)
        return
    item.user_properties.append((GATE_PROPERTY, dict(marker.kwargs)))


def _skip_destructive(context: RunContext, item: pytest.Item) -> None:
    if context.loaded is None or not context.loaded.model.sensitive or context.settings.allow_destructive:
        return
    if item.get_closest_marker("destructive") is None:
        return
    reason = (
        f"destructive check skipped on sensitive environment {context.loaded.name!r} "
        f"(pass --allow-destructive to run it)"
    )
    item.user_properties.append((POLICY_SKIP_PROPERTY, reason))
    item.add_marker(pytest.mark.skip(reason=reason))
