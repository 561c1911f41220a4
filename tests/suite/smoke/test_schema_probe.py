"""JSON Schema files for the route checks: references between files, errors by JSON path, bad files named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gonogo.probes.schema import MAX_ERRORS, SchemaFileError, json_path, load_schema, mismatch

REPO_SCHEMAS = Path(__file__).resolve().parents[3] / "environments" / "schemas"


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([], "$"),
        (["items", 0, "price"], "$.items[0].price"),
        (["content-type"], "$['content-type']"),
        (["it's"], "$['it\\'s']"),
    ],
)
def test_json_path_names_the_failing_value(parts: list[str | int], expected: str) -> None:
    assert json_path(parts) == expected


def test_a_relative_ref_resolves_beside_the_schema_file_and_errors_point_at_the_value() -> None:
    schema = load_schema(REPO_SCHEMAS / "items.json")
    body = {"items": [{"id": 1, "name": "widget", "price": "9.5"}, {"id": 2, "name": "gadget"}], "count": 2}
    assert schema.validate(body) == [
        "$.items[0].price: '9.5' is not of type 'number'",
        "$.items[1]: 'price' is a required property",
    ]
    assert schema.validate({"items": [{"id": 1, "name": "widget", "price": 9.5}], "count": 1}) == []


def test_the_message_names_the_schema_and_the_first_error_and_bounds_the_list(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", {"type": "array", "items": {"type": "integer"}})
    schema = load_schema(path, shown="schemas/list.json")
    errors = schema.validate(["x"] * (MAX_ERRORS + 5))
    message = mismatch(schema, errors).splitlines()
    assert message[0] == (
        "the body does not match schemas/list.json: $[0]: 'x' is not of type 'integer' "
        f"(+{MAX_ERRORS + 4} more)"
    )
    assert len(message) == 1 + MAX_ERRORS + 1
    assert message[-1] == "... and 5 more"


def test_a_missing_schema_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SchemaFileError, match=r"^schema file schemas/nope.json does not exist$"):
        load_schema(tmp_path / "nope.json", shown="schemas/nope.json")


def test_a_schema_file_that_is_not_json_is_named_with_the_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", '{"type": "object",')
    with pytest.raises(SchemaFileError, match=r"^schema file .*broken.json is not valid JSON: .*line 1"):
        load_schema(path)


def test_an_invalid_json_schema_is_named_with_the_keyword_at_fault(tmp_path: Path) -> None:
    path = write(tmp_path, "wrong.json", {"type": "object", "properties": {"id": {"type": "integr"}}})
    with pytest.raises(SchemaFileError) as caught:
        load_schema(path, shown="schemas/wrong.json")
    assert str(caught.value).startswith(
        "schema file schemas/wrong.json is not a valid JSON Schema (Draft202012Validator): "
        "at $.properties.id.type: 'integr' is not valid under any of the given schemas"
    )


def test_a_schema_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", [1, 2])
    with pytest.raises(SchemaFileError, match="expected an object, got list"):
        load_schema(path)


def test_a_ref_to_a_missing_file_fails_naming_the_ref_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "items.json", {"type": "array", "items": {"$ref": "gone.json"}})
    schema = load_schema(path, shown="schemas/items.json")
    with pytest.raises(SchemaFileError) as caught:
        schema.validate([{"id": 1}])
    assert str(caught.value).startswith(
        "schemas/items.json: $ref 'gone.json' cannot be resolved: schema file "
    )
    assert "gone.json does not exist" in str(caught.value)


def test_an_absolute_id_resolves_to_the_file_in_the_folder_that_declares_it(tmp_path: Path) -> None:
    write(tmp_path, "defs/price.json", {"$id": "https://schemas.example.com/price", "type": "number"})
    path = write(
        tmp_path,
        "item.json",
        {
            "$id": "https://example.com/api/item.json",
            "properties": {
                "price": {"$ref": "https://schemas.example.com/price"},
                "tag": {"$ref": "tag.json"},
            },
        },
    )
    write(tmp_path, "tag.json", {"type": "string"})
    schema = load_schema(path)
    assert schema.validate({"price": "1", "tag": 2}) == [
        "$.price: '1' is not of type 'number'",
        "$.tag: 2 is not of type 'string'",
    ]


def test_remote_schemas_are_never_downloaded(tmp_path: Path) -> None:
    path = write(tmp_path, "item.json", {"$ref": "https://schemas.example.com/elsewhere.json"})
    with pytest.raises(SchemaFileError, match="remote schemas are not downloaded"):
        load_schema(path).validate({})


def test_formats_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "when.json", {"type": "string", "format": "date"})
    assert load_schema(path).validate("2024-13-45") == ["$: '2024-13-45' is not a 'date'"]


def test_an_older_draft_named_by_dollar_schema_is_used(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "old.json",
        {
            "$schema": "http://json-schema.org/draft-04/schema#",
            "type": "integer",
            "maximum": 3,
            "exclusiveMaximum": True,
        },
    )
    assert load_schema(path).validate(3) == ["$: 3 is greater than or equal to the maximum of 3"]
