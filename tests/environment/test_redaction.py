"""Values interpolation puts into URLs, headers and bodies reach the redactor; URLs can be shown safely."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gonogo.environment import EnvironmentFileError, load_file, redacted_url
from gonogo.redaction import MIN_SECRET_LENGTH, Redactor

HOST = "staging-7f3a.internal.example.test"
TOKEN = "q-9Zt4sXc1-route-token"
KEY = "hk_live_55c2e1"
BODY = "body-secret-8812"
ENVIRON = {"HOST": HOST, "ROUTE_TOKEN": TOKEN, "API_KEY": KEY, "BODY_VALUE": BODY, "DEPLOY_VERSION": "2.4.6"}

FILE = """
base_url = "https://${HOST}:8443"
expected_version = "${DEPLOY_VERSION}"
description = "staging on ${HOST}"

[http]
headers = { "X-Api-Key" = "${API_KEY}", "X-Smoke-Test" = "gonogo" }

[[routes]]
name = "search"
path = "/api/search?token=${ROUTE_TOKEN}"

[[routes]]
name = "create"
method = "POST"
path = "/api/items"
json = { name = "probe", note = "${BODY_VALUE}", tags = ["${BODY_VALUE}"] }
"""


@pytest.fixture
def loaded_file(env_file: Callable[..., Path]) -> Path:
    return env_file(FILE, minimal=False)


def test_values_interpolated_into_urls_paths_headers_and_bodies_are_redaction_values(
    loaded_file: Path,
) -> None:
    loaded = load_file(loaded_file, environ=ENVIRON)
    values = loaded.redaction_values(environ={})
    assert values == {"HOST": HOST, "ROUTE_TOKEN": TOKEN, "API_KEY": KEY, "BODY_VALUE": BODY}
    # the version is interpolated too, but into no URL, header or body: it stays readable in reports
    assert "2.4.6" not in values.values()


def test_a_redactor_fed_the_redaction_values_scrubs_every_one_of_them(loaded_file: Path) -> None:
    loaded = load_file(loaded_file, environ=ENVIRON)
    redactor = Redactor(loaded.redaction_values(environ={}).values())
    env = loaded.model
    headers = env.http.headers
    text = (
        f"GET {env.base_url}{env.routes[0].path} X-Api-Key: {headers['X-Api-Key']} {env.routes[1].json_body}"
    )
    scrubbed = redactor.text(text)
    for secret in (HOST, TOKEN, KEY, BODY):
        assert secret in text
        assert secret not in scrubbed
    assert "version 2.4.6" in redactor.text("version 2.4.6")


def test_redaction_values_include_the_named_secrets_read_now(env_file: Callable[..., Path]) -> None:
    path = env_file('[http]\nbearer_secret = "API_TOKEN"\n[secrets]\nrequired = ["DB_PASSWORD"]\n')
    loaded = load_file(path, environ={})
    now = {"API_TOKEN": "tok-abcdef-123", "DB_PASSWORD": "pw-998877"}
    assert loaded.redaction_values(environ=now) == now
    assert {name: value.get_secret_value() for name, value in loaded.secret_values(now).items()} == now


def test_defaults_written_in_the_file_are_not_secrets(env_file: Callable[..., Path]) -> None:
    path = env_file('base_url = "http://${HOST:-127.0.0.1}:9"\nexpected_version = "1"\n', minimal=False)
    assert load_file(path, environ={}).redaction_values(environ={}) == {}
    assert load_file(path, environ={"HOST": "10.1.2.3"}).redaction_values(environ={}) == {"HOST": "10.1.2.3"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://ci-bot:s3cr3t-pw@staging.example.test",
            {"base_url password": "s3cr3t-pw", "base_url userinfo": "ci-bot:s3cr3t-pw"},
        ),
        ("https://ghp_token1234567@git.example.test/app", {"base_url user": "ghp_token1234567"}),
        (
            "https://ci:p%40ss%3Aword@h.example.test",
            {"base_url password": "p@ss:word", "base_url userinfo": "ci:p@ss:word"},
        ),
    ],
)
def test_url_userinfo_is_always_redacted_interpolated_or_not(
    env_file: Callable[..., Path], url: str, expected: dict[str, str]
) -> None:
    path = env_file(f'base_url = "{url}"\nexpected_version = "1"\n', minimal=False)
    assert load_file(path, environ={}).redaction_values(environ={}) == expected


def test_userinfo_of_the_baseline_prometheus_and_webhook_urls_is_redacted_too(
    env_file: Callable[..., Path],
) -> None:
    path = env_file(
        '[baseline]\nbase_url = "http://blue:blue-pass-1@127.0.0.1:8"\n'
        '[watch.prometheus]\nurl = "http://prom:prom-pass-2@127.0.0.1:9090"\np95_ms_query = "up"\n'
        '[gate]\nnotify_url = "https://hook:hook-pass-3@hooks.example.test/x"\n'
    )
    values = load_file(path, environ={}).redaction_values(environ={})
    assert {
        values[f"{key} password"] for key in ("baseline.base_url", "watch.prometheus.url", "gate.notify_url")
    } == {
        "blue-pass-1",
        "prom-pass-2",
        "hook-pass-3",
    }


def test_a_value_too_short_to_scrub_is_a_load_warning_that_never_shows_it(
    env_file: Callable[..., Path],
) -> None:
    path = env_file('[[routes]]\nname = "r"\npath = "/api?k=${K}"\n[http]\nheaders = { "X-Id" = "${ID}" }\n')
    short = ("x7" * MIN_SECRET_LENGTH)[: MIN_SECRET_LENGTH - 1]
    loaded = load_file(path, environ={"K": short, "ID": "long-enough-id-1234"})
    assert len(loaded.warnings) == 1
    warning = loaded.warnings[0]
    assert warning.startswith(f"routes[0].path: ${{K}} puts a value of {len(short)} character(s) there;")
    assert f"shorter than {MIN_SECRET_LENGTH} are not scrubbed" in warning
    assert short not in warning
    long_enough = "x" * MIN_SECRET_LENGTH
    assert load_file(path, environ={"K": long_enough, "ID": "long-enough-id-1234"}).warnings == ()


def test_a_short_url_password_is_a_warning_too(env_file: Callable[..., Path]) -> None:
    path = env_file('base_url = "https://ci:pw@h.example.test"\nexpected_version = "1"\n', minimal=False)
    warnings = load_file(path, environ={}).warnings
    assert warnings[0].startswith("base_url password: 2 character(s)")
    assert all("pw@" not in warning for warning in warnings)


def test_the_model_shows_its_base_url_without_credentials(env_file: Callable[..., Path]) -> None:
    path = env_file(
        'base_url = "https://ci:s3cr3t-pw@staging.example.test/app/"\nexpected_version = "1"\n', minimal=False
    )
    env = load_file(path, environ={}).model
    assert env.base_url == "https://ci:s3cr3t-pw@staging.example.test/app"
    assert env.shown_base_url == "https://***@staging.example.test/app"


@pytest.mark.parametrize(
    ("url", "shown_url"),
    [
        ("https://u:p@h.test:8443/a?b=c", "https://***@h.test:8443/a?b=c"),
        ("https://token@h.test", "https://***@h.test"),
        ("https://h.test/path@with-at", "https://h.test/path@with-at"),
        ("https://h.test?a=b@c", "https://h.test?a=b@c"),
        ("https://u:p@h.test?a=b@c", "https://***@h.test?a=b@c"),
        ("http://127.0.0.1:{port}", "http://127.0.0.1:{port}"),
        ("not a url", "not a url"),
    ],
)
def test_redacted_url_hides_userinfo_and_nothing_else(url: str, shown_url: str) -> None:
    assert redacted_url(url) == shown_url


def test_an_error_message_never_echoes_a_value_interpolated_into_a_url(env_file: Callable[..., Path]) -> None:
    path = env_file(
        'base_url = "https://h.example.test/?key=${API_KEY}"\nexpected_version = "1"\n', minimal=False
    )
    with pytest.raises(EnvironmentFileError) as caught:
        load_file(path, environ={"API_KEY": KEY})
    assert "base_url: must not have a ?query or #fragment" in str(caught.value)
    assert KEY not in str(caught.value)


def test_an_interpolated_record_never_shows_its_value_in_a_repr(loaded_file: Path) -> None:
    loaded = load_file(loaded_file, environ=ENVIRON)
    assert {item.variable for item in loaded.interpolated} == set(ENVIRON)
    assert KEY not in repr(loaded.interpolated)
    assert TOKEN not in repr(loaded.interpolated)
