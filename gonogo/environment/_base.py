"""What every section of the environment file shares: unknown keys refused, values frozen, types strict.

Strict types, because lax coercion changes meaning: pydantic would read ``verify_tls = "no"`` or ``0`` as
false, ``sensitive = "yes"`` as true and ``retries = true`` as 1. The one coercion kept is for text that
``${VAR}`` interpolation produced (interpolation only ever yields strings): a string that is a plain
number where a number is expected (``retries = "${RETRIES:-2}"``), and exactly ``"true"`` / ``"false"``
where a boolean is. ``inf`` and ``nan`` are never numbers here: a limit of ``inf`` is a check switched off.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOL_TEXT = {"true": True, "false": False}


def _scalar_kinds(annotation: Any) -> set[type]:
    """The scalar types a field takes: ``float | None`` -> {float}; lists and models take none."""
    if annotation in (bool, int, float):
        return {annotation}
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found: set[type] = set()
        for arg in typing.get_args(annotation):
            found |= _scalar_kinds(arg)
        return found
    return set()


def _from_text(value: str, kinds: set[type]) -> Any:
    text = value.strip()
    if bool in kinds and text in _BOOL_TEXT:
        return _BOOL_TEXT[text]
    if int in kinds and _INT_TEXT.fullmatch(text):
        return int(text)
    if float in kinds and _FLOAT_TEXT.fullmatch(text):
        return float(text)
    return value


class Section(BaseModel):
    """A table of the file: a misspelt key is an error, never a silent fallback to the default."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _numbers_from_interpolated_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        converted = dict(data)
        for name, info in cls.model_fields.items():
            key = info.alias or name
            value = data.get(key)
            if isinstance(value, str):
                kinds = _scalar_kinds(info.annotation)
                if kinds:
                    converted[key] = _from_text(value, kinds)
        return converted


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The section model inside a field's type (``X``, ``X | None``, ``list[X]``), if there is one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = model_of(arg)
        if found is not None:
            return found
    return None
