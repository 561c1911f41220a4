"""JSON Schema files: load one (with its ``$ref``s), validate a body, list what fails where.

A schema may refer to others by relative reference (``{"$ref": "item.json"}``): it resolves against the
schema file's own location, through a ``referencing`` registry. A reference to an absolute ``$id``
(``https://example.com/item.json``) resolves to the file in the schema's folder that declares that
``$id``; nothing is ever downloaded. ``format`` keywords are checked (jsonschema's format checker).

Errors point at the failing value by JSON path: ``$.items[0].price: 'x' is not of type 'number'``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema.protocols import Validator

from gonogo.errors import GonogoError

#: errors listed in a message; the rest are counted
MAX_ERRORS = 10
#: errors looked for at all, so a huge broken body cannot stall the check
_SCAN_ERRORS = 1000
_MESSAGE_CHARS = 160
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SchemaFileError(GonogoError):
    """A schema file that cannot be used: missing, not JSON, not a valid schema, or a ``$ref`` that fails."""


def json_path(parts: Iterable[str | int]) -> str:
    """``$.items[0].price``; keys that are not identifiers are quoted: ``$['content-type']``."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            text += f".{part}"
        else:
            text += "[" + json.dumps(part).replace("'", "\\'").replace('"', "'") + "]"
    return text


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 3] + "..."


@dataclass
class Schema:
    """A loaded schema, ready to validate bodies."""

    path: Path
    validator: Validator
    #: how the path is shown in messages (relative to where people run pytest)
    shown: str = ""

    def validate(self, instance: Any) -> list[str]:
        """``$.path: message`` per failing value, ordered by path (at most 1000 are looked for)."""
        try:
            found = list(itertools.islice(self.validator.iter_errors(instance), _SCAN_ERRORS))
        except referencing.exceptions.Unresolvable as exc:
            raise SchemaFileError(f"{self.shown}: {_unresolvable(exc)}") from None
        found.sort(key=lambda error: [str(part) for part in error.absolute_path])
        return [f"{json_path(error.absolute_path)}: {_short(error.message)}" for error in found]


def mismatch(schema: Schema, errors: list[str], limit: int = MAX_ERRORS) -> str:
    """A problem line naming the schema and the first error, then up to ``limit`` errors, one a line."""
    if not errors:
        return ""
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    head = f"the body does not match {schema.shown}: {errors[0]}{more}"
    if len(errors) == 1:
        return head
    lines = errors[:limit]
    if len(errors) > limit:
        counted = f"{len(errors) - limit}+" if len(errors) == _SCAN_ERRORS else str(len(errors) - limit)
        lines.append(f"... and {counted} more")
    return "\n".join([head, *lines])


def _unresolvable(exc: referencing.exceptions.Unresolvable) -> str:
    # jsonschema wraps referencing's error, which wraps what our retrieve() raised
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and not isinstance(cause, SchemaFileError) and seen < 10:
        cause = getattr(cause, "_wrapped", None) or cause.__cause__ or cause.__context__
        seen += 1
    detail = f": {cause}" if isinstance(cause, SchemaFileError) else ""
    return f"$ref {exc.ref!r} cannot be resolved{detail}"


def _read(path: Path, shown: str) -> Any:
    if not path.is_file():
        raise SchemaFileError(f"schema file {shown} does not exist")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaFileError(f"schema file {shown} cannot be read: {exc}") from None
    except ValueError as exc:
        raise SchemaFileError(f"schema file {shown} is not valid JSON: {exc}") from None


def _check(contents: Any, shown: str) -> type[Validator]:
    if not isinstance(contents, dict | bool):
        raise SchemaFileError(
            f"schema file {shown} is not a JSON Schema: expected an object, got {type(contents).__name__}"
        )
    cls: type[Validator] = jsonschema.validators.validator_for(
        contents, default=jsonschema.Draft202012Validator
    )
    try:
        if isinstance(contents, dict):  # true and false are schemas too, and always valid ones
            cls.check_schema(contents)
    except jsonschema.exceptions.SchemaError as exc:
        where = json_path(exc.absolute_path)
        raise SchemaFileError(
            f"schema file {shown} is not a valid JSON Schema ({cls.__name__}): "
            f"at {where}: {_short(exc.message)}"
        ) from None
    return cls


def load_schema(path: Path, *, shown: str | None = None) -> Schema:
    """Read and check a schema file; raise :class:`SchemaFileError` naming it."""
    shown = shown or str(path)
    contents = _read(path, shown)
    cls = _check(contents, shown)
    root = path.resolve()
    folder = root.parent
    by_id: dict[str, Path] = {}

    def ids_in_folder() -> dict[str, Path]:
        # Built on first need: only schemas that refer to absolute $ids pay for reading the folder.
        if not by_id:
            for candidate in sorted(folder.rglob("*.json")):
                try:
                    found = json.loads(candidate.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(found, dict) and isinstance(found.get("$id"), str):
                    by_id.setdefault(found["$id"].rstrip("#"), candidate)
        return by_id

    specification = referencing.jsonschema.specification_with(
        contents.get("$schema", "") if isinstance(contents, dict) else "",
        default=referencing.jsonschema.DRAFT202012,
    )

    declared = contents.get("$id") if isinstance(contents, dict) else None
    root_base = declared.rsplit("/", 1)[0] + "/" if isinstance(declared, str) and "/" in declared else ""

    def retrieve(uri: str) -> referencing.Resource[Any]:
        parts = urlsplit(uri)
        if parts.scheme == "file":
            target = Path(unquote(parts.path))
        elif root_base and uri.startswith(root_base):
            # the root declares an absolute $id: its siblings are files beside it
            target = folder / unquote(urlsplit(uri[len(root_base) :]).path)
            if not target.is_file():
                target = ids_in_folder().get(uri.rstrip("#"), target)
        else:
            found = ids_in_folder().get(uri.rstrip("#"))
            if found is None:
                raise SchemaFileError(
                    f"no schema file in {folder} declares $id {uri!r} (remote schemas are not downloaded)"
                )
            target = found
        referenced = _read(target, str(target))
        _check(referenced, str(target))
        return referencing.Resource.from_contents(referenced, default_specification=specification)

    if isinstance(contents, dict) and "$id" not in contents:
        # relative $refs resolve against the file's own location
        contents = {**contents, "$id": root.as_uri()}
    registry: referencing.Registry[Any] = referencing.Registry(retrieve=retrieve)  # type: ignore[call-arg]
    validator = cls(contents, registry=registry, format_checker=cls.FORMAT_CHECKER)
    return Schema(path=path, validator=validator, shown=shown)
