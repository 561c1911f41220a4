"""Links into a generated Allure report: which test-case id a gonogo check got.

allure-pytest names a check ``smoke/test_routes.py::test_route[list items]`` as fullName
``smoke.test_routes#test_route`` and name ``test_route[list items]``; the generator gives each test
case a ``uid`` (``data/test-cases/<uid>.json``), the id of its page: ``#testresult/<uid>``.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath


def allure_names(nodeid: str) -> tuple[str, str]:
    """(fullName, name) that allure-pytest gives the check with this node id."""
    path, _, rest = nodeid.partition("::")
    parts = rest.split("::") if rest else [""]
    module = ".".join(PurePosixPath(path).with_suffix("").parts)
    name = parts[-1]
    function = name.split("[", 1)[0]
    full = ".".join([module, *parts[:-1]]) + "#" + function
    return full, name


def test_case_ids(report_dir: Path) -> dict[tuple[str, str], str]:
    """(fullName, name) -> uid for every test case of a generated folder report."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted((report_dir / "data" / "test-cases").glob("*.json")):
        try:
            case = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(case, dict) and case.get("uid"):
            found[(str(case.get("fullName", "")), str(case.get("name", "")))] = str(case["uid"])
    return found


def check_links(nodeids: list[str], report_dir: Path, page: str) -> dict[str, str]:
    """nodeid -> ``<page>#testresult/<uid>`` for the checks the report has."""
    ids = test_case_ids(report_dir)
    links = {}
    for nodeid in nodeids:
        uid = ids.get(allure_names(nodeid))
        if uid is not None:
            links[nodeid] = f"{page}#testresult/{uid}"
    return links
