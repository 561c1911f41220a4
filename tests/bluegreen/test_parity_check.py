"""The parity check (smoke/test_parity.py) against two real demos: a renamed field is shown, not hidden."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from tests.support.samples import CREATE_ITEM, GET_ITEM

if TYPE_CHECKING:  # the fixtures' types only; conftest modules are not imported at run time
    from tests.bluegreen.conftest import Kit
    from tests.conftest import SuiteRun

#: beside list items: get item is compared too, create item (a POST) never
ROUTES = GET_ITEM + CREATE_ITEM


def test_a_field_renamed_on_the_candidate_is_a_parity_difference_shown_with_its_diff(
    compared: Callable[..., SuiteRun], kit: Kit
) -> None:
    run = compared(
        (), (), "--stage", "smoke", "smoke/test_parity.py", "--alluredir", "allure",
        extra=ROUTES, candidate_env={"GONOGO_DEMO_RENAME_FIELD": "name:title"},
    )  # fmt: skip
    gate = kit.gate(run.project)
    listed = kit.check(gate, "test_parity[list items]")
    assert listed["outcome"] == "failed"
    assert listed["critical"] is False
    assert kit.check(gate, "test_parity[get item]")["outcome"] == "failed"
    assert [c["nodeid"] for c in gate["checks"] if "create item" in c["nodeid"]] == []  # POST: never compared
    # the failure names both URLs and the paths that differ, in the words of the diff
    assert "route 'list items': 2 difference(s) between the baseline (GET http://127.0.0.1:" in run.stdout
    assert "  - items.*.name: missing on the candidate (baseline: string)" in run.stdout
    assert "  - items.*.title: only on the candidate (string), not on the baseline" in run.stdout
    assert "  - name: missing on the candidate (baseline: string)" in run.stdout
    finding = kit.findings(gate, "test_parity[list items]")["parity [list items]"]
    assert (finding["value"], finding["limit"], finding["verdict"]) == (2, 0, "fail")
    # non-critical: a HOLD reason (here the score of two failed checks out of two says NO-GO)
    assert {r["code"] for r in gate["reasons"] if "test_parity" in (r["nodeid"] or "")} == {
        "noncritical-failed"
    }
    attached = [json.loads(path.read_text()) for path in (run.project / "allure").glob("*-attachment.json")]
    diffs = [d for d in attached if isinstance(d, dict) and {"route", "differences"} <= d.keys()]
    listed_diff = next(d for d in diffs if d["route"] == "list items")
    assert listed_diff["baseline"]["status"] == listed_diff["candidate"]["status"] == 200
    assert listed_diff["differences"] == [
        {"kind": "missing on candidate", "path": "items.*.name", "baseline": ["string"], "candidate": None},
        {"kind": "only on candidate", "path": "items.*.title", "baseline": None, "candidate": ["string"]},
    ]


def test_volatile_fields_are_ignored(compared: Callable[..., SuiteRun], kit: Kit) -> None:
    extra = '[baseline.parity]\nvolatile_fields = ["price", "cost"]\ncompare = "values"\n'
    run = compared(
        (), (), "--stage", "smoke", "smoke/test_parity.py",
        extra=extra, candidate_env={"GONOGO_DEMO_RENAME_FIELD": "price:cost"},
    )  # fmt: skip
    assert run.returncode == 0, run.output
    finding = kit.findings(kit.gate(run.project), "test_parity[list items]")["parity [list items]"]
    assert (finding["value"], finding["verdict"]) == (0, "pass")
    assert "same status (200) and values on both colours" in finding["detail"]
