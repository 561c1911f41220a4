"""Bad input ends in a named error, never a traceback and never a silently different meaning.

Each refused case below was accepted (or ended in a traceback) before the checks were added; each error
names the file, the key path and the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gonogo.environment import load_file
from tests.support.env_files import refused

BASELINE = '[baseline]\nbase_url = "http://127.0.0.1:8"\n'
ROUTE = '[[routes]]\nname = "items"\npath = "/api/items"\n'


# --- limits that would switch a check off or lift a production cap ----------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "why"),
    [
        ("[load]\np95_ms = inf\n", "load.p95_ms", "finite number"),
        ("[load]\np95_ms = nan\n", "load.p95_ms", "finite number"),
        ("[load]\np95_ms = 1e308\n", "load.p95_ms", "less than or equal to 300000"),
        ("[load]\nmax_error_rate = 1.0\n", "load.max_error_rate", "less than or equal to 0.5"),
        ("[load]\nrate_tolerance = 0.99\n", "load.rate_tolerance", "less than or equal to 0.5"),
        (ROUTE + "max_latency_ms = inf\n", "routes[0].max_latency_ms", "finite number"),
        (ROUTE + "max_latency_ms = 1e308\n", "routes[0].max_latency_ms", "less than or equal to 300000"),
        ("[watch]\np95_ms = 1e308\n", "watch.p95_ms", "less than or equal to 300000"),
        ("[watch]\nmax_error_rate = 1.0\n", "watch.max_error_rate", "less than or equal to 0.5"),
        ("[watch]\nfailure_limit = 1000000\n", "watch.failure_limit", "less than or equal to 1000"),
        (BASELINE + "[baseline.compare]\nlatency_tolerance_ms = 1e308\n", "latency_tolerance_ms", "10000"),
        (BASELINE + "[baseline.compare]\np95_increase_limit = 1e308\n", "p95_increase_limit", "equal to 10"),
        (BASELINE + "[baseline.compare]\nlatency_tolerance = 5\n", "latency_tolerance", "equal to 1"),
        (BASELINE + "[baseline.compare]\nerror_rate_increase = 1\n", "error_rate_increase", "equal to 0.5"),
        ("[load]\nsensitive_max_users = 1000000\n", "load.sensitive_max_users", "equal to 100"),
        ("[load]\nsensitive_max_rate_per_s = 1e9\n", "load.sensitive_max_rate_per_s", "equal to 100"),
        ("[load]\nsensitive_max_rate_per_s = inf\n", "load.sensitive_max_rate_per_s", "finite number"),
    ],
)
def test_a_limit_that_switches_a_check_off_is_refused_with_its_bound(
    env_file: Callable[..., Path], text: str, key: str, why: str
) -> None:
    refused(env_file(text), key, why)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[http]\ntimeout_s = 0.001\n", "http.timeout_s"),
        ('[launch]\ncommand = ["true"]\ntimeout_s = 0.0001\n', "launch.timeout_s"),
        ("[load]\nspawn_rate = 0.001\n", "load.spawn_rate"),
        ("[load]\nrate_per_s = 0.0001\n", "load.rate_per_s"),
        ("[load]\nsensitive_max_rate_per_s = 0.001\n", "load.sensitive_max_rate_per_s"),
        ("[load]\nduration_s = 0.01\nwarmup_s = 0\n", "load.duration_s"),
        ("[watch]\ninterval_s = 0.001\n", "watch.interval_s"),
        (
            '[watch.prometheus]\nurl = "http://127.0.0.1:9090"\np95_ms_query = "up"\ntimeout_s = 1e-9\n',
            "timeout_s",
        ),
    ],
)
def test_near_zero_timeouts_and_rates_are_refused(env_file: Callable[..., Path], text: str, key: str) -> None:
    refused(env_file(text), key, "greater than or equal to")


def test_min_requests_that_the_rate_and_duration_can_never_reach_is_refused(
    env_file: Callable[..., Path],
) -> None:
    text = "[load]\nrate_per_s = 5\nduration_s = 10\nwarmup_s = 2\nmin_requests = 500\n"
    refused(env_file(text), "load: min_requests (500) can never be met", "5 x 8 s = 41 requests at most")
    # the same file with a reachable count loads
    fine = env_file(text.replace("min_requests = 500", "min_requests = 40"), name="fine")
    assert load_file(fine, environ={}).model.load.min_requests == 40


def test_a_sensitive_cap_that_makes_min_requests_unreachable_is_a_warning(
    env_file: Callable[..., Path],
) -> None:
    text = "sensitive = true\n[load]\nduration_s = 10\nwarmup_s = 2\nmin_requests = 500\n"
    loaded = load_file(env_file(text), environ={})
    assert len(loaded.warnings) == 1
    assert "load.min_requests (500) cannot be met under the sensitive cap" in loaded.warnings[0]
    assert "--allow-full-load" in loaded.warnings[0]
    assert (
        load_file(env_file(text.replace("sensitive = true", "sensitive = false")), environ={}).warnings == ()
    )


def test_compare_min_samples_above_the_requests_sent_is_a_warning(env_file: Callable[..., Path]) -> None:
    loaded = load_file(
        env_file(BASELINE + "[baseline.compare]\nrequests = 20\nmin_samples = 50\n"), environ={}
    )
    assert loaded.warnings == (
        "baseline.compare.min_samples (50) can never be met with requests = 20 per side: every comparison "
        "will be inconclusive. Fix: lower min_samples or raise requests",
    )
    reachable = env_file(BASELINE + "[baseline.compare]\nrequests = 50\nmin_samples = 50\n", name="fine")
    assert load_file(reachable, environ={}).warnings == ()


def test_a_watch_failure_limit_it_can_never_exceed_is_refused(env_file: Callable[..., Path]) -> None:
    refused(
        env_file("[watch]\nduration_s = 30\ninterval_s = 10\nfailure_limit = 4\n"),
        "watch: failure_limit (4) is not below the 4 measurement(s)",
    )
    loaded = load_file(env_file("[watch]\nduration_s = 30\ninterval_s = 10\nfailure_limit = 3\n"), environ={})
    assert loaded.model.watch is not None
    assert loaded.model.watch.measurements() == 4


# --- versions, ports, header names and values, variable names, webhooks ------------------------------------


@pytest.mark.parametrize("version", ["", "   ", "\t", " 1.2.3"])
def test_an_empty_or_padded_expected_version_is_refused(env_file: Callable[..., Path], version: str) -> None:
    path = env_file(f'base_url = "http://127.0.0.1:9"\nexpected_version = "{version}"\n', minimal=False)
    assert "expected_version:" in refused(path)


def test_an_expected_version_from_an_empty_default_is_refused(env_file: Callable[..., Path]) -> None:
    path = env_file(
        'base_url = "http://127.0.0.1:9"\nexpected_version = "${DEPLOY_VERSION:-}"\n', minimal=False
    )
    assert "expected_version: must not be empty" in refused(path)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://127.0.0.1:0", "base_url"),
        ("http://127.0.0.1:65536", "base_url"),
        ("https://staging.example.test:99999/app", "base_url"),
        ("http://127.0.0.1:port", "base_url"),
    ],
)
def test_a_port_outside_1_to_65535_is_refused(env_file: Callable[..., Path], url: str, key: str) -> None:
    path = env_file(f'base_url = "{url}"\nexpected_version = "1"\n', minimal=False)
    refused(path, f"{key}: the URL has a port that is not a number in 1-65535")


def test_baseline_and_prometheus_ports_are_checked_too(env_file: Callable[..., Path]) -> None:
    assert "baseline.base_url" in refused(env_file('[baseline]\nbase_url = "http://127.0.0.1:70000"\n'))
    text = '[watch.prometheus]\nurl = "http://127.0.0.1:0"\np95_ms_query = "up"\n'
    assert "watch.prometheus.url" in refused(env_file(text, name="prom"))


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ('{ "X-A" = "a\\r\\nInjected: yes" }', "line break"),
        ('{ "X-A" = "a\\u0000b" }', "control character"),
        ('{ "X-A" = "a\\nb" }', "line break"),
        ('{ "Bad Name" = "v" }', "is not an HTTP header name"),
        ('{ "X-A:" = "v" }', "is not an HTTP header name"),
        ('{ "" = "v" }', "is not an HTTP header name"),
    ],
)
def test_header_names_and_values_that_are_not_valid_http_are_refused(
    env_file: Callable[..., Path], headers: str, why: str
) -> None:
    refused(env_file(f"[http]\nheaders = {headers}\n"), "http.headers", why)


def test_a_header_value_is_not_echoed_in_the_error(env_file: Callable[..., Path]) -> None:
    message = refused(
        env_file('[http]\nheaders = { "X-Api-Key" = "${KEY}" }\n'), environ={"KEY": "tok-3141\r\nX: 1"}
    )
    assert "tok-3141" not in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[http]\nbearer_secret = "not a name"\n', "http.bearer_secret"),
        ('[http]\nbearer_secret = "Bearer abc.def"\n', "http.bearer_secret"),
        ('[launch]\ncommand = ["true"]\ngenerate_secrets = ["1TOKEN"]\n', "launch.generate_secrets[0]"),
        ('[launch]\ncommand = ["true"]\nenv = { "A=B" = "1" }\n', "launch.env"),
        ('[secrets]\nrequired = ["API-TOKEN"]\n', "secrets.required[0]"),
    ],
)
def test_secret_names_that_are_not_environment_variable_names_are_refused(
    env_file: Callable[..., Path], text: str, key: str
) -> None:
    refused(env_file(text), key, "is not an environment variable name")


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.test/x", "javascript:alert(1)", "hooks.example.test", "https://h.test/#x"]
)
def test_a_notify_url_that_is_not_http_is_refused(env_file: Callable[..., Path], url: str) -> None:
    assert "gate.notify_url" in refused(env_file(f'[gate]\nnotify_url = "{url}"\n'))


def test_a_notify_url_keeps_its_query_a_webhook_token_lives_there(env_file: Callable[..., Path]) -> None:
    url = "https://hooks.example.test/services/T0/B0?token=abc"
    assert load_file(env_file(f'[gate]\nnotify_url = "{url}"\n'), environ={}).model.gate.notify_url == url


# --- [precheck] paths stay inside the project root ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('junit = ["/var/log/**/*.xml"]', "must be relative to the project root"),
        ('junit = ["../other-project/*.xml"]', "leaves the project root"),
        ('junit = ["reports/../../*.xml"]', "leaves the project root"),
        ('junit = ["**/*.xml"]', "starts with '**'"),
        ('junit = ["./**/junit.xml"]', "starts with '**'"),
        ('lockfiles = ["/etc/passwd"]', "must be relative to the project root"),
        ('lockfiles = ["~/requirements.lock"]', "must be relative to the project root"),
        ('wrangler_toml = "../wrangler.toml"', "leaves the project root"),
        ('wrangler_toml = "C:\\\\work\\\\wrangler.toml"', "must be relative to the project root"),
        ('wrangler_toml = ""', "must not be empty"),
    ],
)
def test_precheck_paths_that_leave_or_walk_the_project_root_are_refused(
    env_file: Callable[..., Path], text: str, why: str
) -> None:
    refused(env_file(f"[precheck]\n{text}\n"), "precheck.", why)


def test_precheck_paths_below_the_root_with_recursive_globs_load(env_file: Callable[..., Path]) -> None:
    text = '[precheck]\njunit = ["reports/**/*.xml", "build/../reports/qa.xml"]\nlockfiles = ["web/x.lock"]\n'
    precheck = load_file(env_file(text), environ={}).model.precheck
    assert precheck.junit == ["reports/**/*.xml", "build/../reports/qa.xml"]
