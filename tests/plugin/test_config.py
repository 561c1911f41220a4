"""The plugin's options and the environment file: precedence, header, and every usage error's text."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.environment import Environment

TOP_LEVEL_KEYS = ", ".join(sorted(info.alias or name for name, info in Environment.model_fields.items()))
MINIMAL = """
description = "{description}"
base_url = "{base_url}"
expected_version = "1.0.0"
"""


def write_env(pytester: pytest.Pytester, name: str, text: str, folder: str = "environments") -> Path:
    path = pytester.path / folder / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def minimal(description: str = "test", base_url: str = "http://127.0.0.1:9") -> str:
    return MINIMAL.format(description=description, base_url=base_url)


class CountingServer:
    """A real HTTP server on loopback that counts the requests it gets."""

    def __init__(self) -> None:
        self.count = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.count += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_server() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


def test_without_env_unrelated_tests_are_unaffected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain(): assert 1 + 1 == 2")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "gonogo:" not in result.stdout.str()


def test_a_check_that_needs_the_environment_says_to_pass_env(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", minimal())
    pytester.makepyfile("def test_needs(environment): pass")
    result = pytester.runpytest()
    assert result.ret == 4  # said once, as a usage error, not once per check (test_invocation.py)
    result.stderr.fnmatch_lines(
        ["*need an environment*: pass --env NAME (or set GONOGO_ENV, or ini gonogo_env).*staging*"]
    )


def test_unknown_environment_exits_4_listing_the_ones_that_exist(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", minimal())
    write_env(pytester, "production", minimal())
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--env", "nosuch")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: unknown environment 'nosuch': no file environments/nosuch.toml. "
            "Environments in environments/: production, staging. "
            "Fix: pass one of them with --env, or create environments/nosuch.toml."
        ]
    )
    assert "test_x" not in result.stdout.str()


def test_a_near_miss_name_gets_a_suggestion(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", minimal())
    result = pytester.runpytest("--env", "stagign")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*Did you mean 'staging'?*"])


def test_misspelled_key_exits_4_naming_file_key_and_allowed_keys(
    pytester: pytest.Pytester, counting_server: CountingServer
) -> None:
    write_env(pytester, "staging", minimal(base_url=counting_server.url) + "\n[helth]\npath = '/health'\n")
    pytester.makepyfile("def test_x(http): http.get('/')")
    result = pytester.runpytest("--env", "staging")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        [
            "ERROR: environments/staging.toml: 1 problem(s) in the environment file:",
            "  - helth: unknown key 'helth' at the top level. Did you mean 'health'? "
            f"Allowed keys: {TOP_LEVEL_KEYS}.",
        ]
    )
    assert counting_server.count == 0


def test_misspelled_nested_key_names_its_section(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", minimal() + "\n[http]\ntimout_s = 3\n")
    result = pytester.runpytest("--env", "staging")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        [
            "  - http.timout_s: unknown key 'timout_s' in http. Did you mean 'timeout_s'? "
            "Allowed keys: bearer_secret, ca_bundle, headers, max_body_bytes, retries, timeout_s, verify_tls."
        ]
    )


def test_unset_variable_without_default_exits_4_naming_it(
    pytester: pytest.Pytester, counting_server: CountingServer
) -> None:
    write_env(
        pytester,
        "staging",
        f'base_url = "{counting_server.url}"\nexpected_version = "${{DEPLOY_VERSION}}"\n',
    )
    pytester.makepyfile("def test_x(http): http.get('/')")
    result = pytester.runpytest("--env", "staging")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        [
            "ERROR: environments/staging.toml: expected_version: ${DEPLOY_VERSION} is not set. "
            "Fix: export DEPLOY_VERSION=..., or give a default with ${DEPLOY_VERSION:-value}"
        ]
    )
    assert counting_server.count == 0


def test_variables_and_defaults_are_interpolated(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEPLOY_VERSION", "2.3.4")
    write_env(
        pytester,
        "staging",
        'base_url = "http://${HOST:-127.0.0.1}:9"\nexpected_version = "${DEPLOY_VERSION}"\n'
        'description = "costs $$5"\n',
    )
    pytester.makepyfile(
        """
        def test_values(environment, base_url, expected_version):
            assert base_url == "http://127.0.0.1:9"
            assert expected_version == "2.3.4"
            assert environment.description == "costs $5"
        """
    )
    pytester.runpytest("--env", "staging").assert_outcomes(passed=1)


def test_wrong_type_names_the_key_and_the_value(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", minimal() + "\n[http]\nretries = 'many'\n")
    result = pytester.runpytest("--env", "staging")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["  - http.retries: Input should be a valid integer*(given: 'many')."])


def test_invalid_toml_names_the_file_and_the_line(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", 'base_url = "http://x\n')
    result = pytester.runpytest("--env", "staging")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: environments/staging.toml: not valid TOML: *line 1*"])


def test_missing_required_key_says_to_add_it(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", 'base_url = "http://127.0.0.1:9"\n')
    result = pytester.runpytest("--env", "staging")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["  - expected_version: required key is missing. Fix: add it*"])


def test_cli_beats_environment_variable_beats_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("from-cli", "from-var", "from-ini"):
        write_env(pytester, name, minimal(description=name))
    pytester.makeini("[pytest]\ngonogo_env = from-ini\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["gonogo: environment from-ini (*from-ini.toml): from-ini"])
    monkeypatch.setenv("GONOGO_ENV", "from-var")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["gonogo: environment from-var (*from-var.toml): from-var"])
    result = pytester.runpytest("--env", "from-cli")
    result.stdout.fnmatch_lines(["gonogo: environment from-cli (*from-cli.toml): from-cli"])


def test_env_dir_from_option_variable_and_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_env(pytester, "staging", minimal(description="in envs-a"), folder="envs-a")
    write_env(pytester, "staging", minimal(description="in envs-b"), folder="envs-b")
    write_env(pytester, "staging", minimal(description="in envs-c"), folder="envs-c")
    pytester.makeini("[pytest]\ngonogo_env_dir = envs-c\n")
    pytester.makepyfile("def test_x(): pass")
    pytester.runpytest("--env", "staging").stdout.fnmatch_lines(["*: in envs-c"])
    monkeypatch.setenv("GONOGO_ENV_DIR", "envs-b")
    pytester.runpytest("--env", "staging").stdout.fnmatch_lines(["*: in envs-b"])
    pytester.runpytest("--env", "staging", "--env-dir", "envs-a").stdout.fnmatch_lines(["*: in envs-a"])


def test_header_shows_environment_url_version_and_stages(pytester: pytest.Pytester) -> None:
    write_env(pytester, "staging", minimal(description="Staging", base_url="https://staging.example.test"))
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--env", "staging", "--stage", "smoke")
    result.stdout.fnmatch_lines(
        [
            "gonogo: environment staging (*staging.toml): Staging",
            "gonogo: base URL https://staging.example.test",
            "gonogo: expected version 1.0.0",
            "gonogo: stages smoke",
        ]
    )


def test_a_path_to_a_toml_file_is_accepted(pytester: pytest.Pytester) -> None:
    write_env(pytester, "custom", minimal(description="by path"), folder="elsewhere")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--env", "elsewhere/custom.toml")
    result.stdout.fnmatch_lines(["gonogo: environment custom (*custom.toml): by path"])


def test_help_works_even_with_a_broken_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONOGO_ENV", "nosuch")
    result = pytester.runpytest("--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["gonogo deployment verification:", "*--env=NAME*"])
