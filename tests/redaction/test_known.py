"""What a run's redactor knows: every named secret whole, every value interpolated into a URL, header or
body, generated secrets; a whole URL given by a variable that is no secret contributes only the parts that
can carry a credential, so the baseline's address stays readable."""

from __future__ import annotations

from pathlib import Path

from gonogo import environment as envfile
from gonogo.redaction.known import known_values, redactor_for

ENV = """
base_url = "http://ci:${API_PASS}@127.0.0.1:{port}"
expected_version = "1.0.0"

[launch]
command = ["true", "{port}"]
generate_secrets = ["LAUNCH_TOKEN"]

[http]
headers = { "X-Api-Token" = "${HEADER_TOKEN}" }
bearer_secret = "API_TOKEN"

[secrets]
required = ["DATABASE_URL"]

[[routes]]
name = "keyed"
path = "/items?key=${API_KEY}"

[baseline]
base_url = "${BLUE_URL}"
"""

ENVIRON = {
    "API_PASS": "pass-word-1234",
    "HEADER_TOKEN": "header-token-5678",
    "API_TOKEN": "bearer-token-9012",
    "DATABASE_URL": "postgres://app:db-pass-3456@db.internal/app",
    "API_KEY": "query-key-7890",
    "BLUE_URL": "https://blue.example.com/tenant-0123456789",
    "LAUNCH_TOKEN": "generated-token-2468",
}


def loaded(tmp_path: Path) -> envfile.LoadedEnvironment:
    path = tmp_path / "staging.toml"
    path.write_text(ENV, encoding="utf-8")
    return envfile.load_file(path, environ=ENVIRON)


def test_every_secret_and_interpolated_value_is_known(tmp_path: Path) -> None:
    values = set(known_values(loaded(tmp_path), ENVIRON).values())
    for name in ("API_PASS", "HEADER_TOKEN", "API_TOKEN", "DATABASE_URL", "API_KEY", "LAUNCH_TOKEN"):
        assert ENVIRON[name] in values, name


def test_a_whole_url_from_a_variable_gives_its_path_not_its_host(tmp_path: Path) -> None:
    values = known_values(loaded(tmp_path), ENVIRON)
    assert values["BLUE_URL path"] == "tenant-0123456789"
    assert ENVIRON["BLUE_URL"] not in values.values()
    shown = redactor_for(loaded(tmp_path), ENVIRON).text(
        "route traffic back to https://blue.example.com/tenant-0123456789"
    )
    assert shown == "route traffic back to https://blue.example.com/***"


def test_a_named_secret_shaped_like_a_url_stays_whole(tmp_path: Path) -> None:
    redactor = redactor_for(loaded(tmp_path), ENVIRON)
    assert redactor.text(f"DSN {ENVIRON['DATABASE_URL']}") == "DSN ***"
