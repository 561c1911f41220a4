"""At collection: each check's stage, its validated ``gate`` marker, and the destructive-check policy."""

from __future__ import annotations

import pytest

from gonogo.names import GATE_PROPERTY, POLICY_SKIP_PROPERTY, STAGE_PROPERTY
from gonogo.plugin.context import RunContext, run_context
from gonogo.stages import stage_of


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    context = run_context(config)
    if context is None:
        return
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        stage = stage_of((m.name for m in item.iter_markers()), item.path, config.rootpath)
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
