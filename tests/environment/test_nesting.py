"""A file nested deeper than any environment needs ends in a named error, not a RecursionError."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from gonogo.environment import EnvironmentFileError, load_file
from gonogo.environment.nesting import MAX_DEPTH, too_deep_in_text


def test_deeply_nested_inline_arrays_name_the_line_and_key_instead_of_recursing(
    env_file: Callable[..., Path],
) -> None:
    depth = sys.getrecursionlimit()
    text = f"[health]\njson = {{ deep = {'[' * depth}{']' * depth} }}\n"
    with pytest.raises(RecursionError):  # what the parser does with it on its own
        tomllib.loads(text)
    path = env_file(text)
    with pytest.raises(EnvironmentFileError) as caught:
        load_file(path, environ={})
    message = str(caught.value)
    assert f"line 4: json: nested more than {MAX_DEPTH} levels deep" in message
    assert "Fix: flatten it" in message


def test_deeply_nested_inline_tables_are_refused_too(env_file: Callable[..., Path]) -> None:
    depth = 2000
    path = env_file("x = " + "{ a = " * depth + "1" + " }" * depth + "\n")
    with pytest.raises(EnvironmentFileError, match=r"line 3: x: nested more than 32 levels deep"):
        load_file(path, environ={})


def test_a_deep_tree_from_dotted_keys_names_its_key_path(env_file: Callable[..., Path]) -> None:
    # dotted keys parse without recursion, but make a tree as deep as they are long
    path = env_file("[health]\njson." + ".".join(f"k{i}" for i in range(5000)) + " = 1\n")
    with pytest.raises(EnvironmentFileError) as caught:
        load_file(path, environ={})
    message = str(caught.value)
    # the first key path past the limit, cut in the middle
    assert "health.json.k0.k1 ... (27 more levels) ... k29.k30: nested more than 32 levels deep" in message


def _route_with_body(depth: int) -> str:
    body = "{ a = " * depth + "1" + " }" * depth
    return f'[[routes]]\nname = "deep"\npath = "/x"\nmethod = "POST"\njson = {body}\n'


def test_a_route_body_nested_up_to_the_limit_loads_and_one_level_more_is_refused(
    env_file: Callable[..., Path],
) -> None:
    depth = MAX_DEPTH - 3  # routes[0].json is three levels already
    loaded = load_file(env_file(_route_with_body(depth)), environ={})
    node = loaded.model.routes[0].json_body
    for _ in range(depth):
        node = node["a"]
    assert node == 1
    with pytest.raises(
        EnvironmentFileError, match=r"routes\[0\]\.json\.a ... \(27 more levels\) ... a\.a: nested"
    ):
        load_file(env_file(_route_with_body(depth + 1), name="deeper"), environ={})


def test_brackets_inside_strings_and_comments_do_not_count() -> None:
    text = 'a = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["  # {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\n'
    text += "b = '''\n" + "[" * 100 + "\n'''\n"
    assert too_deep_in_text(text) is None
    assert too_deep_in_text(text + "c = " + "[" * 40) == (5, "c")
