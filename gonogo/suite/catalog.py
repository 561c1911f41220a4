"""The built-in checks by name: what ``gonogo checks`` lists and ``[builtin].disable`` accepts.

A check's name is its test function's name (``test_version``), unique across the suite (a test holds
that). The list is read from the source with :mod:`ast`, so listing the checks imports none of them
(and no pytest).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gonogo.model import STAGE_ORDER, Stage
from gonogo.stages import FOLDER_STAGES
from gonogo.suite import location


@dataclass(frozen=True)
class BuiltinCheck:
    name: str
    stage: Stage
    #: ``smoke/test_version.py``: the file, relative to the suite root
    file: str
    #: the first line of the check's docstring, else of its module's
    summary: str


def _first_line(text: str | None) -> str:
    return text.strip().splitlines()[0].strip() if text and text.strip() else ""


def _checks_in(path: Path, relative: str, stage: Stage) -> list[BuiltinCheck]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_summary = _first_line(ast.get_docstring(tree))
    return [
        BuiltinCheck(
            name=node.name,
            stage=stage,
            file=relative,
            summary=_first_line(ast.get_docstring(node)) or module_summary,
        )
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    ]


@cache
def builtin_checks() -> tuple[BuiltinCheck, ...]:
    """Every built-in check, in stage order, then by file and position."""
    suite = location()
    found: list[BuiltinCheck] = []
    for folder, path in suite.folders.items():
        for module in sorted(path.glob("test_*.py")):
            found += _checks_in(module, f"{folder}/{module.name}", FOLDER_STAGES[folder])
    rank = {stage: index for index, stage in enumerate(STAGE_ORDER)}
    return tuple(sorted(found, key=lambda check: rank[check.stage]))


def check_names() -> list[str]:
    return [check.name for check in builtin_checks()]


def unknown_names(names: Iterable[str]) -> list[str]:
    known = set(check_names())
    return [name for name in names if name not in known]


def table(disabled: Iterable[str] = ()) -> str:
    """The listing ``gonogo checks`` prints: stage, name, file, summary; switched-off checks marked."""
    off = set(disabled)
    checks = builtin_checks()
    width = max((len(check.name) for check in checks), default=4)
    files = max((len(check.file) for check in checks), default=4)
    lines = [f"{'stage':10} {'name':{width}} {'file':{files}} what it verifies"]
    for check in checks:
        mark = " (off)" if check.name in off else ""
        lines.append(
            f"{check.stage.value:10} {check.name:{width}} {check.file:{files}} {check.summary}{mark}"
        )
    return "\n".join(lines) + "\n"
