"""gonogo's defect categories: each real failure message in one category, regexes Java can read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gonogo.reporting import categories

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_categories_are_gonogos_own() -> None:
    # reports/categories.json is what this project's runs use; it must not drift from the built-in list
    committed = json.loads((REPO / "reports" / "categories.json").read_text(encoding="utf-8"))
    assert committed == categories.build()


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        # the shapes of gonogo's own failure messages (gonogo/probes, checks/, smoke/, load/)
        (
            "failed",
            (
                "Failed: secret DEMO_API_TOKEN is not set or empty in the process environment (required "
                "by environments/demo.toml). Fix: export DEMO_API_TOKEN from your CI secret store."
            ),
            "Config and secrets",
        ),
        (
            "failed",
            "AssertionError: environments/x.toml: referenced files are missing: routes[a].schema = 's.json'",
            "Config and secrets",
        ),
        (
            "failed",
            "Failed: [precheck].lockfiles: requirements.lock does not exist under /p",
            "Config and secrets",
        ),
        (
            "failed",
            (
                "Failed: https://x:443: the certificate expires in 3.0 days (not after 2026-01-01 00:00 "
                "UTC), [security].tls_min_days = 14"
            ),
            "TLS",
        ),
        (
            "broken",
            (
                "httpx.ConnectError: GET https://x/health: TLS certificate rejected (self-signed "
                "certificate) (after 3 attempt(s), 0.1 s)"
            ),
            "TLS",
        ),
        (
            "failed",
            (
                "Failed: version mismatch at http://h/version: expected '1.4.2', got '9.9.9' (field "
                "'version'; GET http://h/version -> HTTP 200 in 2 ms)"
            ),
            "Version mismatch",
        ),
        (
            "failed",
            (
                "Failed: version: GET http://h/version -> HTTP 200 in 2 ms: expected version '1.4.2', "
                "got '9.9.9'"
            ),
            "Version mismatch",
        ),
        (
            "failed",
            (
                "Failed: security headers: GET http://h/api/items: forbidden header x-powered-by: "
                "Starlette (+5 more)\n  - GET http://h/api/items -> HTTP 500"
            ),
            "Security headers",
        ),
        (
            "failed",
            (
                "Failed: route 'list items': GET http://h/api/items -> HTTP 200 in 612 ms: took 612 ms, "
                "over max_latency_ms = 500"
            ),
            "Latency / error-rate regression",
        ),
        (
            "failed",
            (
                "AssertionError: error rate 100.00% > limit 1.00% (max_error_rate in "
                "environments/demo.toml [load])"
            ),
            "Latency / error-rate regression",
        ),
        ("failed", "AssertionError: p95 latency 812 ms > limit 250 ms", "Latency / error-rate regression"),
        (
            "failed",
            (
                "Failed: route 'get item': GET http://h/api/items/1 -> HTTP 500 in 2 ms: expected HTTP "
                "200, got 500 (body: {})"
            ),
            "Availability",
        ),
        (
            "failed",
            "Failed: health: GET http://h/health -> HTTP 503 in 1 ms: expected HTTP 200, got 503",
            "Availability",
        ),
        (
            "failed",
            (
                "Failed: health: GET http://127.0.0.1:9/health: connection refused (nothing listens on "
                "that port) (after 3 attempt(s), 0.0 s)"
            ),
            "Availability",
        ),
        (
            "failed",
            (
                "Failed: base URL https://shop.invalid: shop.invalid does not resolve: Name or service "
                "not known. Fix: check the DNS record or base_url"
            ),
            "Availability",
        ),
        (
            "failed",
            "Failed: gonogo: the target's base URL is unknown (was [launch] skipped?)",
            "Availability",
        ),
        ("broken", "KeyError: 'items'", "Infrastructure error"),
        ("broken", "fixture 'nope' not found", "Infrastructure error"),
        ("failed", "AssertionError: assert 2 == 3", "Product defects"),
        ("failed", "gonogo verdict: NO-GO (3/5 counted checks passed)", "Gate verdict"),
    ],
)
def test_each_failure_message_falls_into_one_category(status: str, message: str, expected: str) -> None:
    found = categories.matching_categories(categories.build(), status=status, message=message, trace=None)
    assert found == [expected]


def test_category_regexes_stay_within_what_java_and_python_both_read() -> None:
    for category in categories.build():
        pattern = category["messageRegex"]
        re.compile(pattern)
        # no Python-only syntax (named groups, conditionals) that java.util.regex would reject
        assert "(?P" not in pattern, category["name"]
        assert "(?(" not in pattern, category["name"]
