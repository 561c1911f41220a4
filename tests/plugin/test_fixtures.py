"""The fixtures checks use, against a real server on loopback: headers, bearer secret, overrides."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.support.servers import LoopbackHTTP, http_server


def echo_headers(request: BaseHTTPRequestHandler) -> tuple[int, bytes]:
    """Answers every GET with the request's headers as JSON."""
    return 200, json.dumps({k.lower(): v for k, v in request.headers.items()}).encode()


@pytest.fixture
def echo() -> Iterator[LoopbackHTTP]:
    with http_server(echo_headers) as server:
        yield server


@pytest.fixture
def suite(pytester: pytest.Pytester, echo: LoopbackHTTP, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("API_TOKEN", "s3cr3t-token-value")
    (pytester.path / "environments").mkdir()
    (pytester.path / "environments" / "staging.toml").write_text(
        f'base_url = "{echo.url}"\nexpected_version = "2.0.0"\n'
        '[http]\ntimeout_s = 2\nretries = 1\nheaders = { "X-Smoke-Test" = "gonogo" }\n'
        'bearer_secret = "API_TOKEN"\n'
        '[secrets]\nrequired = ["API_TOKEN"]\n'
    )
    return pytester


def test_http_sends_the_configured_headers_and_the_bearer_secret(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        def test_headers(http, base_url):
            seen = http.get("/").json()
            assert str(http.base_url).rstrip("/") == base_url
            assert seen["x-smoke-test"] == "gonogo"
            assert seen["authorization"] == "Bearer s3cr3t-token-value"
            assert seen["user-agent"] == "gonogo"
            assert http.timeout.read == 2
        """
    )
    suite.runpytest("--env", "staging").assert_outcomes(passed=1)


def test_secrets_are_secret_str_and_never_printed(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        def test_secrets(secrets, expected_version, environment):
            assert expected_version == "2.0.0"
            assert secrets["API_TOKEN"].get_secret_value() == "s3cr3t-token-value"
            print(secrets, environment)
            assert False, f"failing on purpose with {secrets['API_TOKEN']}"
        """
    )
    result = suite.runpytest("--env", "staging")
    result.assert_outcomes(failed=1)
    assert "s3cr3t-token-value" not in result.stdout.str()
    result.stdout.fnmatch_lines(["E   *AssertionError: failing on purpose with [*][*][*]*"])


def test_a_conftest_may_override_a_fixture(suite: pytest.Pytester) -> None:
    suite.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def expected_version():
            return "override"
        """
    )
    suite.makepyfile("def test_it(expected_version): assert expected_version == 'override'")
    suite.runpytest("--env", "staging").assert_outcomes(passed=1)


def test_http_exchanges_are_attached_with_the_authorization_masked(suite: pytest.Pytester) -> None:
    suite.makepyfile("def test_call(http): http.get('/hello')")
    results = suite.path / "allure"
    suite.runpytest("--env", "staging", f"--alluredir={results}").assert_outcomes(passed=1)
    attachments = [p.read_text() for p in results.glob("*-attachment.txt")]
    exchange = next(text for text in attachments if text.startswith("GET "))
    assert "/hello" in exchange
    assert "authorization: ***" in exchange
    assert not any("s3cr3t-token-value" in text for text in attachments)
