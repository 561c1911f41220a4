"""Response parity: do baseline and candidate answer a GET route with the same status and JSON shape?

A JSON document is flattened into *paths* (``items.*.name``: list indices become ``*``) and the JSON
types seen at each path (``string``, ``number``, ``boolean``, ``null``, ``object``, ``array``); the
shapes are equal when both sides have the same paths with the same types. Integers and floats are both
``number``: JSON does not tell them apart. An array empty on one side says nothing about its items, so
the paths under it are not compared.

In ``values`` mode the values are compared as well, path by path with real list indices.

Volatile fields are left out on both sides before comparing: a bare name (``updated_at``) matches that
key at any depth, a dotted pattern (``items.*.id``) matches that path, ``*`` standing for any key or index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from gonogo.probes.body import MISSING
from gonogo.probes.fetch import Fetched

Path = tuple[str, ...]
Kind = Literal["status", "content type", "body", "missing on candidate", "only on candidate", "type", "value"]
#: differences listed in a failure message; the attachment has them all
SHOWN = 12
#: the methods sent to both colours (parity, the comparison, the watch's sample): they change nothing
COMPARABLE_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Difference:
    kind: Kind
    path: str
    baseline: Any
    candidate: Any

    def text(self) -> str:
        where = f"{self.path}: " if self.path else ""
        if self.kind == "missing on candidate":
            return f"{where}missing on the candidate (baseline: {_show(self.baseline)})"
        if self.kind == "only on candidate":
            return f"{where}only on the candidate ({_show(self.candidate)}), not on the baseline"
        return (
            f"{where}{self.kind} differs: baseline {_show(self.baseline)}, candidate {_show(self.candidate)}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "baseline": self.baseline, "candidate": self.candidate}


def _show(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return " | ".join(str(v) for v in sorted(value, key=str))
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def walk(value: Any, path: Path = (), *, indices: bool = False) -> Iterator[tuple[Path, Any]]:
    """Every ``(path, value)`` in a document, the root included; list indices as ``*`` unless ``indices``."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk(child, (*path, str(key)), indices=indices)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk(child, (*path, str(index) if indices else "*"), indices=indices)


def is_volatile(path: Path, patterns: Sequence[str]) -> bool:
    """Whether ``path`` is, or lies under, a volatile field."""
    for pattern in patterns:
        parts = tuple(pattern.split("."))
        if len(parts) == 1:
            if parts[0] in path:
                return True
            continue
        if len(path) >= len(parts) and all(
            want in ("*", got) or (got == "*" and want.isdigit())
            for want, got in zip(parts, path, strict=False)
        ):
            return True
    return False


def shape(document: Any, volatile: Sequence[str] = ()) -> dict[Path, frozenset[str]]:
    """Path -> the JSON types seen there (lists merged), volatile fields left out."""
    types: dict[Path, set[str]] = {}
    for path, value in walk(document):
        if not is_volatile(path, volatile):
            types.setdefault(path, set()).add(json_type(value))
    return {path: frozenset(kinds) for path, kinds in types.items()}


def shape_differences(baseline: Any, candidate: Any, volatile: Sequence[str] = ()) -> list[Difference]:
    base, cand = shape(baseline, volatile), shape(candidate, volatile)
    found = []
    for path in sorted(base.keys() | cand.keys()):
        if _under_empty_array(path, base, cand):
            continue
        shown = render(path)
        if path not in cand:
            found.append(Difference("missing on candidate", shown, sorted(base[path]), None))
        elif path not in base:
            found.append(Difference("only on candidate", shown, None, sorted(cand[path])))
        elif base[path] != cand[path]:
            found.append(Difference("type", shown, sorted(base[path]), sorted(cand[path])))
    return _outermost(found)


def value_differences(baseline: Any, candidate: Any, volatile: Sequence[str] = ()) -> list[Difference]:
    """Leaf values that differ, path by path with real indices (shape differences are reported apart)."""
    base = {p: v for p, v in walk(baseline, indices=True) if _leaf(v) and not is_volatile(p, volatile)}
    cand = {p: v for p, v in walk(candidate, indices=True) if _leaf(v) and not is_volatile(p, volatile)}
    found = []
    for path in sorted(base.keys() & cand.keys()):
        if base[path] != cand[path] or json_type(base[path]) != json_type(cand[path]):
            found.append(Difference("value", render(path), base[path], cand[path]))
    for path in sorted(base.keys() - cand.keys()):
        found.append(Difference("missing on candidate", render(path), base[path], None))
    for path in sorted(cand.keys() - base.keys()):
        found.append(Difference("only on candidate", render(path), None, cand[path]))
    return found


def compare_responses(
    baseline: Fetched,
    candidate: Fetched,
    *,
    mode: Literal["shape", "values"] = "shape",
    volatile: Sequence[str] = (),
) -> list[Difference]:
    """Status, content type and body of two answers to the same request. Both must have answered."""
    assert baseline.response is not None
    assert candidate.response is not None
    found = []
    if baseline.status != candidate.status:
        found.append(Difference("status", "", baseline.status, candidate.status))
    base_type, cand_type = _media_type(baseline), _media_type(candidate)
    if base_type != cand_type:
        found.append(Difference("content type", "", base_type, cand_type))
    base_body, _ = baseline.json()
    cand_body, _ = candidate.json()
    if base_body is MISSING or cand_body is MISSING:
        if (base_body is MISSING) != (cand_body is MISSING):
            found.append(
                Difference(
                    "body",
                    "",
                    "not JSON" if base_body is MISSING else "JSON",
                    "not JSON" if cand_body is MISSING else "JSON",
                )
            )
        elif mode == "values" and baseline.response.content != candidate.response.content:
            found.append(Difference("body", "", baseline.body_excerpt(), candidate.body_excerpt()))
        return found
    found += shape_differences(base_body, cand_body, volatile)
    if mode == "values" and not found:
        found += value_differences(base_body, cand_body, volatile)
    return found


def render(path: Path) -> str:
    return ".".join(path) if path else "(root)"


def _media_type(fetched: Fetched) -> str:
    assert fetched.response is not None
    content_type: str = fetched.response.headers.get("content-type", "")
    return content_type.split(";", maxsplit=1)[0].strip().lower()


def _leaf(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _under_empty_array(
    path: Path, base: dict[Path, frozenset[str]], cand: dict[Path, frozenset[str]]
) -> bool:
    for cut in range(len(path)):
        if path[cut] != "*":
            continue
        items = path[: cut + 1]
        if (items in base) != (items in cand):
            parent = path[:cut]
            # an array on both sides, with items on one side only: nothing to compare the items with
            if "array" in base.get(parent, frozenset()) and "array" in cand.get(parent, frozenset()):
                return True
    return False


def _outermost(differences: list[Difference]) -> list[Difference]:
    """A missing object is one difference, not one per field inside it."""
    kept: list[Difference] = []
    for difference in differences:
        parent = next(
            (
                d
                for d in kept
                if d.kind == difference.kind
                and d.kind in ("missing on candidate", "only on candidate")
                and difference.path.startswith(d.path + ".")
            ),
            None,
        )
        if parent is None:
            kept.append(difference)
    return kept
