"""The environment file reference (docs/environments.md, `gonogo schema --markdown`), generated from the
models it documents."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from gonogo.environment._base import model_of
from gonogo.environment.model import Environment

BEGIN = "<!-- BEGIN GENERATED: gonogo schema --markdown -->"
END = "<!-- END GENERATED -->"


def _type_name(annotation: Any) -> str:
    """``str``, ``list[str]``, ``float | None``: the type people write, without validators attached."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(arg) for arg in args)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(arg) for arg in args)}]"
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(arg) for arg in args)}]"
    if annotation is type(None):
        return "None"
    if annotation is typing.Any:
        return "Any"
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(info: FieldInfo) -> str:
    """`` Range: 0.1 to 300.`` from the field's constraints (empty when it has none)."""
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = (_number(item.ge), True)
        elif isinstance(item, annotated_types.Gt):
            low = (_number(item.gt), False)
        elif isinstance(item, annotated_types.Le):
            high = (_number(item.le), True)
        elif isinstance(item, annotated_types.Lt):
            high = (_number(item.lt), False)
    if low and high and low[1] and high[1]:
        return f" Range: {low[0]} to {high[0]}."
    parts = []
    if low:
        parts.append(f"at least {low[0]}" if low[1] else f"above {low[0]}")
    if high:
        parts.append(f"at most {high[0]}" if high[1] else f"below {high[0]}")
    return f" Range: {', '.join(parts)}." if parts else ""


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
        if isinstance(value, BaseModel):
            return "(section)"
        return f"`{value!r}`" if value not in ([], {}) else f"`{value}`"
    if info.default is PydanticUndefined or info.default is None:
        return "unset"
    value = info.default
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


def _rows(model: type[BaseModel], prefix: str, table: str = "") -> list[str]:
    rows: list[str] = []
    nested: list[tuple[str, type[BaseModel], bool]] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        inner = model_of(info.annotation)
        if inner is not None:
            is_list = "list[" in str(info.annotation)
            nested.append((key, inner, is_list))
            continue
        description = ((info.description or "") + _bounds(info)).replace("|", "\\|")
        kind = _type_name(info.annotation).replace("|", "\\|")
        rows.append(f"| `{prefix}{key}` | {kind} | {_default(info)} | {description} |")
    out = rows
    for key, inner, is_list in nested:
        # the full TOML table name: [baseline.compare], not [compare]
        path = f"{table}.{key}" if table else key
        header = f"[[{path}]]" if is_list else f"[{path}]"
        doc = " ".join((inner.__doc__ or "").strip().split("\n\n")[0].split())
        out += [
            "",
            f"### `{header}`",
            "",
            doc,
            "",
            "| key | type | default | meaning |",
            "| --- | --- | --- | --- |",
        ]
        out += _rows(inner, "", path)
    return out


def markdown() -> str:
    """The reference tables, between the markers `update` looks for."""
    lines = [
        BEGIN,
        "",
        "### top level",
        "",
        "| key | type | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    lines += _rows(Environment, "")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def update(path: Path) -> bool:
    """Rewrite the generated part of ``path``; return True when it changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    updated = text[:start] + markdown().rstrip("\n") + text[end:]
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True
