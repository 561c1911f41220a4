"""Cloudflare Workers config: env section, bindings and vars that wrangler does not inherit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gonogo.probes import wrangler

HEALTHY = """
name = "shop"
main = "src/index.ts"
compatibility_date = "2025-01-01"

[vars]
API_BASE = "https://api.example.com"

[[kv_namespaces]]
binding = "SESSIONS"
id = "aaaa"

[[durable_objects.bindings]]
name = "CART"
class_name = "Cart"

[env.staging]
vars = { API_BASE = "https://api.staging.example.com" }
kv_namespaces = [{ binding = "SESSIONS", id = "bbbb" }]
durable_objects.bindings = [{ name = "CART", class_name = "Cart" }]
"""


def load(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "wrangler.toml"
    path.write_text(text, encoding="utf-8")
    return wrangler.load(path)


def test_a_complete_config_has_no_problem(tmp_path: Path) -> None:
    config = load(tmp_path, HEALTHY)
    assert wrangler.config_problems(config, "staging") == []
    assert wrangler.missing_bindings(config, "staging") == []
    assert wrangler.missing_vars(config, "staging") == []


def test_a_missing_env_section_lists_the_sections_there_are(tmp_path: Path) -> None:
    config = load(tmp_path, HEALTHY)
    assert wrangler.config_problems(config, "production") == [
        "no [env.production] section (environments declared: [env.staging]). "
        "Fix: add [env.production] with its vars and bindings, or set [precheck].wrangler_env"
    ]


def test_a_binding_declared_only_at_the_top_level_is_missing_from_the_env(tmp_path: Path) -> None:
    config = load(tmp_path, HEALTHY.replace('kv_namespaces = [{ binding = "SESSIONS", id = "bbbb" }]\n', ""))
    missing = wrangler.missing_bindings(config, "staging")
    assert [str(binding) for binding in missing] == ["kv_namespaces binding 'SESSIONS'"]


def test_a_var_declared_only_at_the_top_level_is_missing_from_the_env(tmp_path: Path) -> None:
    config = load(tmp_path, HEALTHY.replace('vars = { API_BASE = "https://api.staging.example.com" }\n', ""))
    assert wrangler.missing_vars(config, "staging") == ["API_BASE"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('compatibility_date = "2025-01-01"\n[env.x]\n', "no top-level `name`"),
        ('name = "w"\n[env.x]\n', "no `compatibility_date`"),
        ('name = "w"\ncompatibility_date = "January"\n[env.x]\n', "'January' is not a date (YYYY-MM-DD)"),
        ('name = "w"\ncompatibility_date = 2999-01-01\n[env.x]\n', "2999-01-01 is in the future"),
    ],
    ids=["no name", "no date", "bad date", "future date"],
)
def test_top_level_problems_are_named(tmp_path: Path, text: str, expected: str) -> None:
    problems = wrangler.config_problems(load(tmp_path, text), "x", today=dt.date(2025, 6, 1))
    assert len(problems) == 1
    assert expected in problems[0]


def test_invalid_toml_and_a_missing_file_raise_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(wrangler.WranglerError, match=r"wrangler.toml is not valid TOML: .*line 1"):
        load(tmp_path, "name = \n")
    with pytest.raises(wrangler.WranglerError, match=r"nope.toml does not exist"):
        wrangler.load(tmp_path / "nope.toml")
