"""Fuzz: mutated versions of the bundled environment files load cleanly or end in a named error, never another
exception. Seeded (derandomized) and bounded, so a red run names a real regression and stays quick."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonogo.environment import Environment, EnvironmentFileError, check_referenced_files, load_file, shown
from gonogo.environment.interpolate import format_path

REPO = Path(__file__).resolve().parents[2]
BUNDLED = {path.stem: tomllib.loads(path.read_text()) for path in (REPO / "environments").glob("*.toml")}
ENVIRON = {"DEPLOY_VERSION": "1.2.3", "X": "value-from-x", "N": "7", "EMPTY": ""}

# --- generating documents -----------------------------------------------------------------------------------

_odd_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "${X}",
            "${UNSET}",
            "${N}",
            "${EMPTY:-}",
            "${X:-5}",
            "$$",
            "//other.example.test/x",
            "/../../etc/passwd",
            "http://127.0.0.1:0",
            "https://u:p@h.test:65536/?q#f",
            "inf",
            "nan",
            "true",
            "no",
            "**/*.xml",
            "/abs/path",
            "a\r\nb",
            "\x00",
            "\\\\host\\share",
            "1e308",
        ]
    ),
)
_odd_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 0.0001, 1e308, -1e308, 65536, 2**63]),
)
_scalar = st.one_of(st.booleans(), _odd_number, _odd_text)
_value = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _nested(depth: int) -> Any:
    value: Any = 1
    for index in range(depth):
        value = [value] if index % 2 else {"k": value}
    return value


_mutation = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10_000), _value),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.none()),
    st.tuples(st.just("unknown_key"), st.integers(0, 10_000), st.text(min_size=1, max_size=10)),
    st.tuples(st.just("nest"), st.integers(0, 10_000), st.integers(1, 80).map(_nested)),
)


def _paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _mutate(document: dict[str, Any], mutation: tuple[str, int, Any]) -> None:
    kind, pick, payload = mutation
    paths = _paths(document)
    path = paths[pick % len(paths)]
    parent: Any = document
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if kind in {"replace", "nest"}:
        parent[last] = payload
    elif kind == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[payload] = "x"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are TOML's, except that TOML wants DEL escaped too
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"


def _toml(document: dict[str, Any]) -> str:
    # one inline value per top-level key: valid TOML for any tree, with every type the parser gives
    return "".join(f"{_toml_value(key)} = {_toml_value(value)}\n" for key, value in document.items())


# --- what every outcome must look like ----------------------------------------------------------------------

_FIELDS = {info.alias or name for name, info in Environment.model_fields.items()}


def _names_a_key(message: str, prefix: str, document: dict[str, Any]) -> bool:
    """Each problem line starts with a key path whose first key is in the document or the schema."""
    body = message[len(prefix) :]
    first, *rest = body.splitlines()
    lines = [line.removeprefix("  - ") for line in rest] if "problem(s)" in first else [body]
    # keys as messages write them: bare, or quoted when they are not bare TOML keys
    known = {format_path((key,)) for key in {*document, *_FIELDS}}
    starts = (*(f"{key}{after}" for key in known for after in (":", ".", "[", " ")), "[")
    return all(line.startswith(starts) for line in lines)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "environments"
    folder.mkdir()
    return folder


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(name=st.sampled_from(sorted(BUNDLED)), mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_every_mutated_environment_loads_or_names_the_file_and_a_key(
    fuzz_dir: Path, name: str, mutations: list[tuple[str, int, Any]]
) -> None:
    document = json.loads(json.dumps(BUNDLED[name]))  # a deep copy
    for mutation in mutations:
        if isinstance(document, dict) and document:
            _mutate(document, mutation)
    path = fuzz_dir / f"{name}.toml"
    path.write_text(_toml(document), encoding="utf-8")
    try:
        loaded = load_file(path, environ=ENVIRON)
        check_referenced_files(loaded)
    except EnvironmentFileError as exc:
        message = str(exc)
        prefix = f"{shown(path)}: "
        assert message.startswith(prefix), message
        assert _names_a_key(message, prefix, document), message
