"""Strict types (lax coercion would change meaning) and request paths that stay on base_url."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gonogo.environment import load_file
from tests.support.env_files import refused

ROUTE = '[[routes]]\nname = "items"\n'


# --- strict types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "kind"),
    [
        ('[http]\nverify_tls = "no"\n', "http.verify_tls", "valid boolean"),
        ("[http]\nverify_tls = 0\n", "http.verify_tls", "valid boolean"),
        ('[http]\nverify_tls = "off"\n', "http.verify_tls", "valid boolean"),
        ('sensitive = "yes"\n', "sensitive", "valid boolean"),
        ("sensitive = 1\n", "sensitive", "valid boolean"),
        ("[http]\nretries = true\n", "http.retries", "valid integer"),
        ("[http]\nretries = 2.0\n", "http.retries", "valid integer"),
        ("[load]\np95_ms = true\n", "load.p95_ms", "valid number"),
        (ROUTE + 'path = "/a"\ndestructive = "no"\n', "routes[0].destructive", "valid boolean"),
        (
            '[baseline]\nbase_url = "http://127.0.0.1:8"\n[baseline.compare]\nenabled = "off"\n',
            "enabled",
            "boolean",
        ),
        ('[load]\nusers = "ten"\n', "load.users", "valid integer"),
    ],
)
def test_lax_coercion_that_would_change_meaning_is_refused(
    env_file: Callable[..., Path], text: str, key: str, kind: str
) -> None:
    message = refused(env_file(text))
    assert f"{key}: Input should be a {kind}" in message or (key in message and kind in message)


def test_numbers_and_booleans_from_interpolation_keep_working(env_file: Callable[..., Path]) -> None:
    path = env_file(
        'sensitive = "${SENSITIVE:-false}"\n'
        '[http]\nretries = "${RETRIES}"\ntimeout_s = "${TIMEOUT:-2.5}"\nverify_tls = "${VERIFY_TLS}"\n'
        '[load]\nusers = "${USERS:-3}"\np95_ms = "${P95}"\n'
    )
    env = load_file(path, environ={"RETRIES": "3", "VERIFY_TLS": "false", "P95": "250"}).model
    assert (env.sensitive, env.http.retries, env.http.timeout_s, env.http.verify_tls) == (
        False,
        3,
        2.5,
        False,
    )
    assert (env.load.users, env.load.p95_ms) == (3, 250.0)
    assert isinstance(env.http.retries, int)


@pytest.mark.parametrize(
    ("value", "key"),
    [("yes", "http.verify_tls"), ("1", "http.verify_tls"), ("True", "http.verify_tls")],
)
def test_interpolated_booleans_must_be_spelt_true_or_false(
    env_file: Callable[..., Path], value: str, key: str
) -> None:
    assert key in refused(env_file('[http]\nverify_tls = "${VERIFY_TLS}"\n'), environ={"VERIFY_TLS": value})


@pytest.mark.parametrize("value", ["inf", "nan", "1e999", "3 requests", "0x10", "true"])
def test_interpolated_numbers_must_be_plain_finite_numbers(env_file: Callable[..., Path], value: str) -> None:
    assert "load.p95_ms" in refused(env_file('[load]\np95_ms = "${P95}"\n'), environ={"P95": value})


# --- paths a check requests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("http://evil.example.test/health", "starting with a single '/'"),
        ("//other-host.example.test/health", "starting with a single '/'"),
        ("health", "starting with a single '/'"),
        ("javascript:alert(1)", "starting with a single '/'"),
        ("/\\\\other-host\\\\x", "backslash"),
        ("\\\\\\\\other-host\\\\x", "starting with a single '/'"),
        ("/../../admin", "climbs above base_url"),
        ("/a/../../admin", "climbs above base_url"),
        ("/%2e%2e/admin", "climbs above base_url"),
        ("/health#top", "#fragment"),
        ("/health check", "space or a control character"),
    ],
)
def test_a_health_path_that_leaves_base_url_is_refused(
    env_file: Callable[..., Path], path: str, why: str
) -> None:
    refused(env_file(f'[health]\npath = "{path}"\n'), "health.path", why)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('[version]\npath = "//x.test/version"\n', "version.path"),
        (ROUTE + 'path = "https://x.test/api"\n', "routes[0].path"),
        (ROUTE + 'path = "/api/../../x"\n', "routes[0].path"),
        ('[launch]\ncommand = ["true"]\nready_path = "http://x.test/"\n', "launch.ready_path"),
    ],
)
def test_version_route_and_readiness_paths_are_checked_the_same_way(
    env_file: Callable[..., Path], table: str, key: str
) -> None:
    assert key in refused(env_file(table))


def test_paths_on_base_url_with_queries_and_inner_dot_segments_load(env_file: Callable[..., Path]) -> None:
    env = load_file(
        env_file(ROUTE + 'path = "/api/items?limit=5&sort=-price"\n[health]\npath = "/a/../health"\n'),
        environ={},
    ).model
    assert env.routes[0].path == "/api/items?limit=5&sort=-price"
    assert env.health.path == "/a/../health"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/?token=abc",
        "http://127.0.0.1:9/app?x",
        "http://127.0.0.1:9#frag",
        "https://staging.example.test/app/#",
    ],
)
def test_a_base_url_with_a_query_or_fragment_is_refused(env_file: Callable[..., Path], url: str) -> None:
    refused(
        env_file(f'base_url = "{url}"\nexpected_version = "1"\n', minimal=False),
        "base_url: must not have a ?query or #fragment",
    )


def test_a_baseline_url_with_a_query_is_refused(env_file: Callable[..., Path]) -> None:
    refused(
        env_file('[baseline]\nbase_url = "http://127.0.0.1:8/?colour=blue"\n'),
        "baseline.base_url: must not have a ?query or #fragment",
    )


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://staging.example.test/app/", "https://staging.example.test/app"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("http://user:pa%40ss@127.0.0.1:9", "http://user:pa%40ss@127.0.0.1:9"),
    ],
)
def test_a_path_prefix_ipv6_and_userinfo_are_fine_in_base_url(
    env_file: Callable[..., Path], url: str, kept: str
) -> None:
    path = env_file(f'base_url = "{url}"\nexpected_version = "1"\n', minimal=False)
    assert load_file(path, environ={}).model.base_url == kept
