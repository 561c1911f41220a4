"""Glue every long-running check shares: progress lines past pytest's capture, and its output folder."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest

from gonogo.plugin.context import CONTEXT_KEY, RunContext
from gonogo.plugin.gating import WORKER_RUN_DIR
from gonogo.plugin.progress import worker_writer


def terminal_writer(config: pytest.Config) -> Callable[[str], None]:
    """Write a line right away, past pytest's capture (progress of a long check), secrets scrubbed."""
    context = config.stash.get(CONTEXT_KEY, None)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    relay_to = getattr(config, "workerinput", {}).get(WORKER_RUN_DIR)
    if relay_to:  # an xdist worker's terminal goes nowhere: the controller shows the line (progress.py)
        relay = worker_writer(Path(relay_to), config.workerinput["workerid"])  # type: ignore[attr-defined]
        return lambda line: relay(context.redactor.text(line) if context is not None else line)

    def write(line: str) -> None:
        if reporter is None:
            return
        text = context.redactor.text(line) if context is not None else line
        disabled = capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()
        with disabled:
            reporter.ensure_newline()
            reporter.write_line(text)

    return write


def output_folder(request: pytest.FixtureRequest, context: RunContext, name: str) -> Path:
    """``reports/<env>/<name>/`` (kept as CI artifacts); a temporary folder when there is no reports dir."""
    if context.reports_dir is not None:
        folder = context.reports_dir / name
    else:
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        folder = factory.mktemp(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fail_setup(context: RunContext, message: str) -> NoReturn:
    """Fail where the check is being set up (an ERROR: the run could not verify), secrets scrubbed."""
    pytest.fail(context.redactor.text(message), pytrace=False)


def as_json(data: Any) -> str:
    """The JSON records the checks keep beside their charts (indented, for people reading artifacts)."""
    return json.dumps(data, indent=2, default=str)


def write_record(context: RunContext, path: Path, data: Any) -> Any:
    """A check's JSON record, redacted as a tree on the way out (a base URL may carry credentials; the
    end-of-run sweep is the second line, not the first); returns what was written."""
    scrubbed = context.redactor.tree(data)
    path.write_text(as_json(scrubbed), encoding="utf-8")
    return scrubbed


def write_chart(context: RunContext, path: Path, svg: str) -> str:
    """A check's SVG chart, redacted (titles name URLs), beside its record and in reports/<env>/charts/
    for the deployment report; returns what was written."""
    from gonogo.reporting import charts

    scrubbed = context.redactor.text(svg)
    path.write_text(scrubbed, encoding="utf-8")
    charts.save(context.reports_dir, path.name, scrubbed)
    return scrubbed
