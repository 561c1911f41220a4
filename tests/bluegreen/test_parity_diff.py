"""Response parity as data: JSON shapes, volatile fields, and the differences between two answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gonogo.bluegreen.parity import (
    compare_responses,
    is_volatile,
    shape,
    shape_differences,
    value_differences,
)
from gonogo.probes.fetch import Fetched

ITEMS = {
    "items": [{"id": 1, "name": "widget", "price": 9.5}, {"id": 2, "name": "gadget", "price": 24}],
    "count": 2,
}


def answer(body: Any, status: int = 200, content_type: str = "application/json") -> Fetched:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = httpx.Response(status, content=content, headers={"content-type": content_type})
    return Fetched("GET", "http://127.0.0.1:1/api/items", response, 1.0)


def texts(differences: list[Any]) -> list[str]:
    return [d.text() for d in differences]


def test_the_shape_merges_list_items_and_treats_ints_and_floats_as_numbers() -> None:
    found = shape(ITEMS)
    assert found[("items", "*", "price")] == frozenset({"number"})
    assert found[("items",)] == frozenset({"array"})
    assert found[()] == frozenset({"object"})


def test_identical_shapes_with_other_values_agree_in_shape_mode() -> None:
    other = {"items": [{"id": 7, "name": "gizmo", "price": 1.25}], "count": 1}
    assert compare_responses(answer(ITEMS), answer(other)) == []


def test_a_renamed_field_is_one_missing_and_one_new_path() -> None:
    renamed = {"items": [{"id": 1, "title": "widget", "price": 9.5}], "count": 1}
    assert texts(shape_differences(ITEMS, renamed)) == [
        "items.*.name: missing on the candidate (baseline: string)",
        "items.*.title: only on the candidate (string), not on the baseline",
    ]


def test_a_changed_type_is_reported_with_both_types() -> None:
    changed = {"items": [{"id": "1", "name": "widget", "price": 9.5}], "count": 1}
    assert texts(shape_differences(ITEMS, changed)) == [
        "items.*.id: type differs: baseline number, candidate string"
    ]


def test_a_missing_object_is_one_difference_not_one_per_field() -> None:
    baseline = {"meta": {"page": 1, "size": 10}, "data": []}
    assert texts(shape_differences(baseline, {"data": []})) == [
        "meta: missing on the candidate (baseline: object)"
    ]


def test_an_empty_list_on_one_side_says_nothing_about_its_items() -> None:
    assert shape_differences(ITEMS, {"items": [], "count": 0}) == []


@pytest.mark.parametrize(
    ("pattern", "path", "volatile"),
    [
        ("updated_at", ("items", "*", "updated_at"), True),
        ("updated_at", ("updated_at", "zone"), True),
        ("items.*.id", ("items", "*", "id"), True),
        ("items.*.id", ("items", "3", "id"), True),
        ("items.0.id", ("items", "*", "id"), True),
        ("items.*.id", ("items", "*", "name"), False),
        ("items.*.id", ("other", "*", "id"), False),
        ("uptime_s", ("status",), False),
    ],
)
def test_volatile_fields_by_name_at_any_depth_or_by_dotted_path(
    pattern: str, path: tuple[str, ...], volatile: bool
) -> None:
    assert is_volatile(path, [pattern]) is volatile


def test_volatile_fields_are_left_out_on_both_sides() -> None:
    baseline = {"status": "ok", "generated_at": "2024-01-01T00:00:00Z"}
    candidate = {"status": "ok", "generated_at": 1704067200}
    assert len(shape_differences(baseline, candidate)) == 1
    assert shape_differences(baseline, candidate, ["generated_at"]) == []


def test_values_mode_reports_changed_values_except_volatile_ones() -> None:
    baseline = {"items": [{"id": 1, "price": 9.5, "seen": "10:00"}]}
    candidate = {"items": [{"id": 1, "price": 10.0, "seen": "10:01"}]}
    found = compare_responses(answer(baseline), answer(candidate), mode="values", volatile=["seen"])
    assert texts(found) == ["items.0.price: value differs: baseline 9.5, candidate 10.0"]
    assert value_differences(baseline, baseline) == []


def test_status_and_content_type_differences_come_first() -> None:
    found = compare_responses(
        answer(ITEMS), answer({"error": "not found"}, status=404, content_type="text/json")
    )
    assert [d.kind for d in found[:2]] == ["status", "content type"]
    assert found[0].text() == "status differs: baseline 200, candidate 404"


def test_json_on_one_side_only_is_a_body_difference() -> None:
    found = compare_responses(answer(ITEMS), answer(b"<html>oops</html>", content_type="application/json"))
    assert texts(found) == ["body differs: baseline JSON, candidate not JSON"]


def test_differences_serialise_for_the_attachment() -> None:
    difference = shape_differences({"a": 1}, {})[0]
    assert difference.to_dict() == {
        "kind": "missing on candidate",
        "path": "a",
        "baseline": ["number"],
        "candidate": None,
    }
