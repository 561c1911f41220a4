"""The load plan: routes from the environment, sensitive caps, no secret values, where load may go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gonogo import environment as envfile
from gonogo.loadgen.plan import (
    LoadPlan,
    NothingToLoad,
    PlanError,
    build_plan,
    host_pattern,
)
from gonogo.loadgen.runner import RunFiles, locust_command
from gonogo.loadgen.templates import TemplateError, expand, expand_tree

from .conftest import demo_env

TOKEN = "s3cret-token-value-1234"


def _loaded(tmp_path: Path, text: str, name: str = "staging") -> envfile.LoadedEnvironment:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return envfile.load_file(path, environ={"DEMO_API_TOKEN": TOKEN, "API_KEY": "key-value-98765"})


def _plan(tmp_path: Path, load: str, *, sensitive: bool = False, **options: object) -> LoadPlan:
    loaded = _loaded(tmp_path, demo_env(load, sensitive=sensitive))
    return build_plan(
        loaded,
        base_url="http://127.0.0.1:8000/",
        **options,  # type: ignore[arg-type]
    )


def test_routes_are_weighted_and_destructive_ones_need_allow_destructive(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "users = 4")
    assert [(route.name, route.weight) for route in plan.routes] == [("list items", 3), ("get item", 1)]
    assert plan.base_url == "http://127.0.0.1:8000"

    allowed = _plan(tmp_path, "users = 4", allow_destructive=True)
    create = allowed.routes[-1]
    assert (create.name, create.method, create.status, create.json_body) == (
        "create item",
        "POST",
        201,
        {"name": "gonogo probe", "price": 1.0},
    )


def test_an_environment_without_loadable_routes_says_why(tmp_path: Path) -> None:
    only_destructive = (
        'base_url = "http://x.test"\nexpected_version = "1"\n'
        '[[routes]]\nname = "wipe"\nmethod = "DELETE"\npath = "/all"\ndestructive = true\n'
    )
    with pytest.raises(
        NothingToLoad, match=r"destructive \(wipe\): load runs them only with --allow-destructive"
    ):
        build_plan(_loaded(tmp_path, only_destructive), base_url="http://x.test")
    with pytest.raises(NothingToLoad, match=r"staging\.toml has no \[\[routes\]\]"):
        build_plan(
            _loaded(tmp_path, 'base_url = "http://x.test"\nexpected_version = "1"\n'),
            base_url="http://x.test",
        )


def test_a_sensitive_environment_caps_users_and_paces_the_closed_model(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        "users = 50\nspawn_rate = 50\nsensitive_max_users = 3\nsensitive_max_rate_per_s = 12",
        sensitive=True,
    )
    assert (plan.users, plan.rate_per_s, plan.spawn_rate) == (3, 12.0, 3)
    assert plan.caps == (
        "users 50 -> 3 (sensitive_max_users)",
        "rate unpaced -> at most 12 req/s (sensitive_max_rate_per_s)",
    )
    assert plan.model == "closed model, 3 users, paced to 12 req/s, 1 process"


def test_a_sensitive_environment_caps_the_open_model_rate(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path, 'mode = "open"\nrate_per_s = 500\nusers = 4\nsensitive_max_rate_per_s = 20', sensitive=True
    )
    assert (plan.users, plan.rate_per_s) == (4, 20.0)
    assert plan.caps == ("rate 500 -> 20 req/s (sensitive_max_rate_per_s)",)


def test_allow_full_load_lifts_the_caps_and_non_sensitive_environments_have_none(tmp_path: Path) -> None:
    lifted = _plan(tmp_path, "users = 50", sensitive=True, allow_full_load=True)
    assert (lifted.users, lifted.rate_per_s, lifted.caps) == (50, None, ())
    assert _plan(tmp_path, "users = 50").caps == ()


def test_command_line_overrides_are_capped_too(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "users = 2", sensitive=True, users=40, duration_s=6.0)
    assert plan.users == 5  # sensitive_max_users' default
    assert (plan.duration_s, plan.warmup_s) == (6.0, 2.0)


def test_the_plan_keeps_the_files_references_and_never_holds_their_values(tmp_path: Path) -> None:
    values = {"DEMO_API_TOKEN": TOKEN, "API_KEY": "key-value-98765", "ITEM": "item-4242", "PASS": "pw-1357"}
    text = demo_env("users = 2", base_url="http://gonogo:${PASS}@127.0.0.1:8000").replace(
        '[http]\nbearer_secret = "DEMO_API_TOKEN"\n',
        '[http]\nbearer_secret = "DEMO_API_TOKEN"\n'
        'headers = { "X-Api-Key" = "key=${API_KEY}", "X-Smoke" = "gonogo $$5" }\n',
    )
    text = text.replace('path = "/api/items/1"', 'path = "/api/items/${ITEM}?key=${API_KEY}"')
    text = text.replace(
        'json = { name = "gonogo probe", price = 1.0 }', 'json = { name = "${ITEM}", price = 1.0 }'
    )
    path = tmp_path / "staging.toml"
    path.write_text(text, encoding="utf-8")
    loaded = envfile.load_file(path, environ=values)

    plan = build_plan(loaded, base_url="http://gonogo:pw-1357@127.0.0.1:8000", allow_destructive=True)

    written = plan.to_json()
    for value in values.values():
        assert value not in written
    assert plan.base_url == "http://127.0.0.1:8000"
    assert plan.userinfo == "gonogo:${PASS}"
    assert plan.headers == {"X-Api-Key": "key=${API_KEY}", "X-Smoke": "gonogo $$5"}
    assert plan.bearer_secret == "DEMO_API_TOKEN"
    by_name = {route.name: route for route in plan.routes}
    assert by_name["get item"].path == "/api/items/${ITEM}?key=${API_KEY}"
    assert by_name["create item"].json_body == {"name": "${ITEM}", "price": 1.0}
    # the child fills them in with the loader's own rules
    assert expand(by_name["get item"].path, values, "path") == "/api/items/item-4242?key=key-value-98765"
    assert expand_tree(by_name["create item"].json_body, values, "json") == {
        "name": "item-4242",
        "price": 1.0,
    }
    assert expand(plan.headers["X-Smoke"], values, "header") == "gonogo $5"
    with pytest.raises(TemplateError, match=r"\$\{API_KEY\} is not set"):
        expand(plan.headers["X-Api-Key"], {}, "http.headers.X-Api-Key")


def test_credentials_given_on_the_command_line_stay_off_it_too(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "users = 2").with_overrides(base_url="http://someone:typed-this@127.0.0.1:8000")

    assert plan.base_url == "http://127.0.0.1:8000"
    assert plan.userinfo == "someone:typed-this"
    command = locust_command(
        plan, locustfile=Path("load/locustfile.py"), files=RunFiles(tmp_path), python="py"
    )
    assert not any("typed-this" in part for part in command)
    assert command[command.index("--host") + 1] == "http://127.0.0.1:8000"


def test_a_plan_survives_its_json_file_and_other_files_are_refused(tmp_path: Path) -> None:
    plan = _plan(tmp_path, 'mode = "open"\nrate_per_s = 40')
    path = tmp_path / "plan.json"
    path.write_text(plan.to_json(), encoding="utf-8")

    assert LoadPlan.read(path) == plan
    path.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(PlanError, match="not a gonogo load plan"):
        LoadPlan.read(path)


def test_load_goes_only_to_the_base_url_a_launched_one_on_any_port() -> None:
    launched = host_pattern("http://127.0.0.1:{port}")
    assert launched.fullmatch("http://127.0.0.1:43121")
    assert not launched.fullmatch("http://localhost:43121")
    fixed = host_pattern("https://staging.example.com")
    assert fixed.fullmatch("https://staging.example.com/")
    assert not fixed.fullmatch("https://production.example.com")
    assert not fixed.fullmatch("https://staging.example.com.evil.test")


def test_every_run_has_a_hard_time_bound_beyond_its_duration() -> None:
    plan = LoadPlan(environment="x", base_url="http://x", routes=(), duration_s=60.0, warmup_s=5.0)
    assert 60.0 < plan.hard_timeout_s() <= 60.0 + 60.0
