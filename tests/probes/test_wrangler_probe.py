"""Cloudflare Workers config: read as wrangler reads it (JSONC or TOML), judged by wrangler 4.86's rules of
what an ``env.<name>`` does not inherit (compared with wrangler itself in test_wrangler_upstream.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gonogo.errors import GonogoError
from gonogo.probes import wrangler
from tests.support.samples import HEALTHY_WRANGLER_TOML

HEALTHY_TOML = HEALTHY_WRANGLER_TOML

HEALTHY_JSONC = """{
  // wrangler.jsonc: comments and trailing commas, as wrangler's jsonc-parser allows
  "name": "shop",
  "compatibility_date": "2025-01-01",
  "ai": { "binding": "AI" },
  "vars": { "API_BASE": "https://api.example.com", "API_TOKEN": "" },
  "env": {
    "staging": {
      "ai": { "binding": "AI" },
      "vars": { "API_BASE": "https://api.staging.example.com" },
      "secrets": { "required": ["API_TOKEN"] },
    },
  },
}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text"), [("wrangler.toml", HEALTHY_TOML), ("wrangler.jsonc", HEALTHY_JSONC)]
)
def test_a_complete_config_has_no_problem_in_either_format(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path, name, text)
    config = wrangler.load(path)
    assert wrangler.config_problems(config, "staging") == []
    assert wrangler.missing_bindings(config, "staging") == []
    assert wrangler.missing_vars(config, "staging", path.parent) == []


def test_a_json_file_may_hold_comments_as_wrangler_allows(tmp_path: Path) -> None:
    path = write(tmp_path, "wrangler.json", '{"name": "w", /* why */ "compatibility_date": "2025-01-01",}')
    assert wrangler.load(path)["name"] == "w"


def test_a_field_the_env_lacks_is_named_as_wrangler_names_it(tmp_path: Path) -> None:
    config = wrangler.load(
        write(
            tmp_path,
            "wrangler.jsonc",
            HEALTHY_JSONC.replace('"ai": { "binding": "AI" },\n      "vars"', '"vars"'),
        )
    )
    assert [str(m) for m in wrangler.missing_bindings(config, "staging")] == [
        '"ai" exists at the top level, but not on "env.staging"'
    ]
    assert wrangler.missing_bindings(config, "staging")[0].fix() == 'add "ai" to "env.staging"'


@pytest.mark.parametrize(
    ("top", "env", "expected"),
    [
        (
            '"unsafe": {"bindings": [{"name": "RL", "type": "ratelimit"}]}',
            "",
            '"unsafe" exists at the top level',
        ),
        (
            '"workflows": [{"binding": "F", "name": "f", "class_name": "F"}]',
            '"workflows": []',
            'workflows binding "F"',
        ),
        ('"hyperdrive": [{"binding": "H", "id": "x"}]', "", '"hyperdrive" exists at the top level'),
        ('"browser": {"binding": "B"}', "", '"browser" exists at the top level'),
        ('"define": {"X": "1"}', '"define": {}', '"define.X" exists at the top level'),
        ('"mtls_certificates": [{"binding": "M", "certificate_id": "c"}]', "", '"mtls_certificates" exists'),
    ],
    ids=["unsafe rate limiter", "workflows by name", "hyperdrive", "browser", "define by key", "mtls"],
)
def test_every_kind_of_non_inherited_key_is_checked(
    tmp_path: Path, top: str, env: str, expected: str
) -> None:
    text = f'{{"name": "w", "compatibility_date": "2025-01-01", {top}, "env": {{"staging": {{{env}}}}}}}'
    config = wrangler.load(write(tmp_path, "wrangler.json", text))
    missing = [str(m) for m in wrangler.missing_bindings(config, "staging")]
    assert len(missing) == 1
    assert missing[0].startswith(expected)


def test_a_config_without_any_env_is_deployed_from_its_top_level(tmp_path: Path) -> None:
    config = wrangler.load(
        write(
            tmp_path,
            "wrangler.jsonc",
            '{"name": "w", "compatibility_date": "2025-01-01", "ai": {"binding": "AI"}}',
        )
    )
    assert wrangler.config_problems(config, "production") == []
    assert wrangler.missing_bindings(config, "production") == []
    note = wrangler.selection_note(config, "production")
    assert note is not None
    assert "uses the top-level settings" in note


def test_a_missing_env_among_others_is_wranglers_error(tmp_path: Path) -> None:
    config = wrangler.load(write(tmp_path, "wrangler.toml", HEALTHY_TOML))
    assert wrangler.config_problems(config, "production") == [
        'No environment found in configuration with name "production" (the configured environment names '
        'are: "staging"). Fix: add an "env.production" section, or set [precheck].wrangler_env to one of '
        'them ("" deploys the top level)'
    ]
    assert wrangler.config_problems(config, "") == []  # the top level itself


def test_a_var_only_the_top_level_declares_is_missing_unless_it_is_a_secret(tmp_path: Path) -> None:
    text = HEALTHY_JSONC.replace('"secrets": { "required": ["API_TOKEN"] },', "")
    path = write(tmp_path, "wrangler.jsonc", text)
    assert wrangler.missing_vars(wrangler.load(path), "staging", path.parent) == ["API_TOKEN"]
    # wrangler dev's local secret file names it: a secret placeholder, not a var to repeat
    write(tmp_path, ".dev.vars.staging", "API_TOKEN=local-value\n")
    assert wrangler.missing_vars(wrangler.load(path), "staging", path.parent) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('compatibility_date = "2025-01-01"\n', 'no "name"'),
        ('name = "w"\n', 'no "compatibility_date"'),
        ('name = "w"\ncompatibility_date = "January"\n', "'January' is not a date (YYYY-MM-DD)"),
        ('name = "w"\ncompatibility_date = 2999-01-01\n', "2999-01-01 is in the future"),
    ],
    ids=["no name", "no date", "bad date", "future date"],
)
def test_top_level_problems_are_named(tmp_path: Path, text: str, expected: str) -> None:
    problems = wrangler.config_problems(
        wrangler.load(write(tmp_path, "wrangler.toml", text)), "x", today=dt.date(2025, 6, 1)
    )
    assert len(problems) == 1
    assert expected in problems[0]


def test_unparsable_and_missing_files_raise_with_the_path_and_format(tmp_path: Path) -> None:
    with pytest.raises(wrangler.WranglerError, match=r"wrangler.toml is not valid TOML: .*line 1"):
        wrangler.load(write(tmp_path, "wrangler.toml", "name = \n"))
    with pytest.raises(
        wrangler.WranglerError, match=r"wrangler.jsonc is not valid JSON with comments \(JSONC\)"
    ):
        wrangler.load(write(tmp_path, "wrangler.jsonc", '{"name": '))
    with pytest.raises(wrangler.WranglerError, match=r"holds a JSON list, not an object"):
        wrangler.load(write(tmp_path, "wrangler.json", "[]"))
    with pytest.raises(wrangler.WranglerError, match=r"nope.toml does not exist"):
        wrangler.load(tmp_path / "nope.toml")
    assert issubclass(wrangler.WranglerError, GonogoError)
    assert issubclass(wrangler.WranglerError, ValueError)


def test_an_env_without_vars_lacks_every_top_level_var_but_the_secret_placeholders(tmp_path: Path) -> None:
    text = (
        '{"name": "w", "compatibility_date": "2025-01-01", "vars": {"A": "1", "TOKEN": ""}, "env": {"x": {}}}'
    )
    path = write(tmp_path, "wrangler.jsonc", text)
    assert wrangler.missing_vars(wrangler.load(path), "x", path.parent) == ["A", "TOKEN"]
    assert wrangler.missing_bindings(wrangler.load(path), "x") == []  # vars are the vars check's own
    write(tmp_path, ".dev.vars", "# local values of secrets\nexport TOKEN=abc\n")
    assert wrangler.missing_vars(wrangler.load(path), "x", path.parent) == ["A"]
