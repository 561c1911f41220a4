"""The house rules of the code base, checked: who may import pytest, what check authors may import.

docs/architecture.md draws the layout these tests hold in place.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import gonogo

REPO = Path(__file__).resolve().parent.parent
WING = "gonogo.plugin"
#: the locust side of the load generator: runs only in locust's child process, where gevent patches the
#: standard library at import (it must come first), so it is probed in an interpreter of its own
LOCUST_SIDE = "gonogo.loadgen.profile"
#: the suite folders (what `pytest --env` collects) and the one file in them that is not a check
SUITE = ("checks", "smoke", "load")
LOCUST_PROFILE = "load/locustfile.py"


def _modules_outside_the_wing() -> list[str]:
    # from the files, not pkgutil.walk_packages: walking imports every package, locust's side too
    package = Path(gonogo.__file__).parent
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name != WING and not name.startswith(WING + "."):
            names.append(name)
    return names


def _imports_pytest(modules: list[str], *, first: str = "") -> bool:
    code = (
        (f"import {first}\n" if first else "") + "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('pytest' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, cwd=REPO
    )
    return result.stdout.strip().splitlines()[-1] == "True"


def test_no_module_outside_the_pytest_wing_imports_pytest() -> None:
    modules = _modules_outside_the_wing()
    assert len(modules) > 40, modules  # the walk found the package, not an empty folder
    locust_side = [name for name in modules if name == LOCUST_SIDE or name.startswith(LOCUST_SIDE + ".")]
    plain = [name for name in modules if name not in locust_side]
    # as in locust's child process, locust (and its gevent patching) comes first there
    for group, first in ((plain, ""), (locust_side, "locust")):
        if group and _imports_pytest(group, first=first):
            # name the culprits, one fresh interpreter each (only on failure: it is slow)
            culprits = [name for name in group if _imports_pytest([name], first=first)]
            raise AssertionError(f"these modules import pytest outside {WING}: {culprits}")


def test_the_wing_does_import_pytest() -> None:
    # the positive control: the same probe sees pytest when a module of the wing is imported
    assert _imports_pytest(["gonogo.plugin.fixtures"])


def _gonogo_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "gonogo":
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == "gonogo"]
    return found


def test_the_bundled_checks_use_only_the_public_api() -> None:
    allowed = ("gonogo", "gonogo.probes")
    problems = []
    checked = 0
    for folder in SUITE:
        for path in sorted((REPO / folder).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if relative == LOCUST_PROFILE:
                continue
            checked += 1
            for module in _gonogo_imports(path):
                if module not in allowed and not module.startswith("gonogo.probes."):
                    problems.append(f"{relative}: imports {module}")
    assert checked >= 12
    assert not problems, "\n".join(problems)


def test_the_import_check_sees_an_internal_import(tmp_path: Path) -> None:
    # positive control for the AST walk above
    sample = tmp_path / "test_sample.py"
    sample.write_text("from gonogo.plugin.context import CONTEXT_KEY\nimport gonogo.verdict\n")
    assert _gonogo_imports(sample) == ["gonogo.plugin.context", "gonogo.verdict"]


def test_no_module_in_the_package_is_over_400_lines() -> None:
    long = {
        path.relative_to(REPO).as_posix(): count
        for path in sorted((REPO / "gonogo").rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, long


def test_docs_architecture_lists_every_module_and_no_other() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(gonogo/[^`]+\.py)` \|", text, flags=re.MULTILINE))
    present = {path.relative_to(REPO).as_posix() for path in (REPO / "gonogo").rglob("*.py")}
    assert present - listed == set(), "add these to docs/architecture.md"
    assert listed - present == set(), "these in docs/architecture.md no longer exist"
