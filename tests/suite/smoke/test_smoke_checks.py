"""The smoke checks end to end: the suite's own smoke/ run on real demo processes, healthy and faulty.

Each fault knob of the demo must fail its own check, with a message naming the URL and expected vs
actual, and leave the other checks passing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

CHECKS = (
    "smoke/test_health.py::test_health",
    "smoke/test_routes.py::test_route[list items]",
    "smoke/test_routes.py::test_route[get item]",
    "smoke/test_routes.py::test_route[create item]",
    "smoke/test_security_headers.py::test_security_headers",
    "smoke/test_version.py::test_version",
)

Demo = Callable[..., Any]
Env = Callable[..., str]
Run = Callable[..., Any]


def outcomes(run: Any, failed: tuple[str, ...] = ()) -> None:
    """Exactly the ``failed`` checks failed, every other smoke check passed."""
    for check in CHECKS:
        word = "FAILED" if check in failed else "PASSED"
        run.lines(f"{check.replace('[', '[[]')} {word}*")
    if failed:
        assert run.returncode != 0, run.output
    else:
        assert run.returncode == 0, run.output


def test_every_smoke_check_passes_on_a_healthy_demo(demo: Demo, demo_env: Env, run_smoke: Run) -> None:
    target = demo()
    run = run_smoke(demo_env(target.url))
    outcomes(run)
    assert "FAILED" not in run.output
    (version,) = run.findings["test_version"]
    assert (version["value"], version["limit"], version["verdict"]) == ("1.4.2", "1.4.2", "pass")
    (latency,) = run.findings["test_route[list items]"]
    assert (latency["name"], latency["unit"], latency["limit"], latency["verdict"]) == (
        "latency",
        "ms",
        5000,
        "pass",
    )


def test_version_check_fails_on_a_wrong_version_with_expected_actual_and_url(
    demo: Demo, demo_env: Env, run_smoke: Run
) -> None:
    target = demo("--report-version", "9.9.9")
    run = run_smoke(demo_env(target.url))
    outcomes(run, failed=("smoke/test_version.py::test_version",))
    run.lines(
        f"version mismatch at {target.url}/version: expected '1.4.2', got '9.9.9' "
        f"(field 'version'; GET {target.url}/version -> HTTP 200 in * ms)",
        "Fix: deploy 1.4.2 to this target, or set expected_version in environments/target.toml "
        "to the version being verified",
    )
    (version,) = run.findings["test_version"]
    assert (version["value"], version["limit"], version["verdict"]) == ("9.9.9", "1.4.2", "fail")


def test_health_check_fails_on_a_degraded_demo_naming_status_and_field(
    demo: Demo, demo_env: Env, run_smoke: Run
) -> None:
    target = demo(env={"GONOGO_DEMO_HEALTH": "degraded"})
    run = run_smoke(demo_env(target.url))
    outcomes(run, failed=("smoke/test_health.py::test_health",))
    run.lines(
        f"health: GET {target.url}/health -> HTTP 503 in * ms: expected HTTP 200, got 503 "
        '(body: {"status":"degraded"}) (+1 more)',
        "  - field 'status': expected 'ok', got 'degraded'",
    )


def test_security_headers_check_fails_on_missing_and_leaking_headers_on_each_path(
    demo: Demo, demo_env: Env, run_smoke: Run
) -> None:
    target = demo("--drop-header", "x-frame-options", "--leak-headers")
    run = run_smoke(demo_env(target.url))
    outcomes(run, failed=("smoke/test_security_headers.py::test_security_headers",))
    run.lines(
        f"security headers: GET {target.url}/health: missing required header x-frame-options (+8 more)",
        f"  - GET {target.url}/health: missing required header x-frame-options",
        f"  - GET {target.url}/health: forbidden header x-powered-by: Starlette",
        f"  - GET {target.url}/health: forbidden header server: gonogo-demo/1.4.2 (it reveals a version)",
        f"  - GET {target.url}/api/items: missing required header x-frame-options",
        "*",
        f"  - GET {target.url}/api/items/1: forbidden header server: gonogo-demo/1.4.2 (*)",
        "Fix: set the required headers in the service or the proxy in front of it, and remove the "
        "forbidden ones (or the version in them)",
    )
    # the destructive POST route is not called again just to read its headers: one item created, by its check
    metrics = httpx.get(f"{target.url}/metrics", timeout=5).text
    assert 'gonogo_demo_requests_total{route="/api/items",status="201"} 1\n' in metrics


def test_route_checks_fail_on_slow_answers_with_elapsed_and_limit(
    demo: Demo, demo_env: Env, run_smoke: Run
) -> None:
    # the bound (100 ms) is far below the injected latency (400 ms): no timing luck either way
    target = demo("--latency-ms", "400")
    run = run_smoke(demo_env(target.url, max_latency_ms=100), "smoke/test_routes.py")
    for name, method, path in (("list items", "GET", "/api/items"), ("get item", "GET", "/api/items/1")):
        run.lines(f"smoke/test_routes.py::test_route[[]{name}] FAILED*")
        run.lines(
            f"route '{name}': {method} {target.url}{path} -> HTTP 200 in * ms: "
            "took * ms, over max_latency_ms = 100"
        )
        (latency,) = run.findings[f"test_route[{name}]"]
        assert latency["verdict"] == "fail"
        assert latency["value"] >= 400
        assert latency["limit"] == 100


def test_route_checks_fail_on_a_renamed_field_pointing_at_the_json_path(
    demo: Demo, demo_env: Env, run_smoke: Run
) -> None:
    target = demo(env={"GONOGO_DEMO_RENAME_FIELD": "price:cost"})
    run = run_smoke(demo_env(target.url))
    outcomes(
        run,
        failed=tuple(check for check in CHECKS if "test_route" in check),
    )
    run.lines(
        f"route 'list items': GET {target.url}/api/items -> HTTP 200 in * ms: the body does not match "
        "environments/schemas/items.json: $.items[[]0]: 'price' is a required property (+2 more)",
        "    $.items[[]0]: 'price' is a required property",
        "    $.items[[]1]: 'price' is a required property",
        "    $.items[[]2]: 'price' is a required property",
    )
    run.lines(
        f"route 'get item': GET {target.url}/api/items/1 -> HTTP 200 in * ms: the body does not match "
        "environments/schemas/item.json: $: 'price' is a required property"
    )


def test_route_checks_fail_on_server_errors_with_status_and_body(
    demo: Demo, demo_env: Env, run_smoke: Run
) -> None:
    target = demo("--error-rate", "1")
    run = run_smoke(demo_env(target.url))
    outcomes(run, failed=tuple(check for check in CHECKS if "test_route" in check))
    run.lines(
        f"route 'create item': POST {target.url}/api/items -> HTTP 500 in * ms: "
        'expected HTTP 201, got 500 (body: {"error":"injected fault"})'
    )


def test_a_destructive_route_is_skipped_on_a_sensitive_environment(
    demo: Demo, demo_env: Env, run_smoke: Run
) -> None:
    target = demo()
    run = run_smoke(demo_env(target.url, sensitive=True), "smoke/test_routes.py")
    run.lines(
        "smoke/test_routes.py::test_route[[]list items] PASSED*",
        "smoke/test_routes.py::test_route[[]create item] SKIPPED*",
        "SKIPPED [[]1[]] smoke/test_routes.py: destructive check skipped on sensitive environment 'target' "
        "(pass --allow-destructive to run it)",
    )


def test_an_unreachable_target_fails_every_check_with_the_url_and_the_reason(
    closed_port_url: str, demo_env: Env, run_smoke: Run
) -> None:
    env = demo_env(closed_port_url, http="timeout_s = 1.0\nretries = 1")
    run = run_smoke(env, "--alluredir", "allure")
    outcomes(run, failed=CHECKS)
    attached = [path.read_text() for path in (run.project / "allure").glob("*-attachment.txt")]
    assert any(
        text.startswith(f"GET {closed_port_url}/version") and "-> no response after" in text
        for text in attached
    ), "what was attempted is in the report, though nothing answered"
    run.lines(
        f"health: GET {closed_port_url}/health: no response: "
        "connection refused (nothing listens on that port); 2 attempt(s) in * s"
    )
    run.lines(f"route 'create item': POST {closed_port_url}/api/items: no response: connection refused*")


def test_a_missing_or_invalid_schema_file_stops_the_run_before_any_check_naming_the_key(
    closed_port_url: str, run_smoke: Run, suite_project: Any
) -> None:
    (suite_project.path / "environments" / "schemas" / "broken.json").write_text(
        json.dumps({"type": "thing"})
    )
    env = f"""
base_url = "{closed_port_url}"
expected_version = "1.4.2"

[[routes]]
name = "missing schema"
path = "/api/items"
schema = "schemas/nope.json"

[[routes]]
name = "invalid schema"
path = "/api/items"
schema = "schemas/broken.json"
"""
    result = run_smoke(env, "smoke/test_routes.py")
    assert result.returncode == 4, (
        result.output
    )  # pytest's usage error: the file is wrong, nothing was judged
    for line in (
        "ERROR: environments/target.toml: 2 problem(s) with the files it names:",
        "  - routes[0].schema ('missing schema'): schema file environments/schemas/nope.json does not "
        "exist. Fix: correct the path (relative to the environment file) or the schema",
        "  - routes[1].schema ('invalid schema'): schema file environments/schemas/broken.json is not a "
        "valid JSON Schema (Draft202012Validator): at $.type: 'thing' is not valid under any of the "
        "given schemas. Fix: correct the path (relative to the environment file) or the schema",
    ):
        assert line in result.output.splitlines(), result.output
    assert "test_route" not in result.output  # stopped before collection: no check ran, no request sent
    assert "Traceback" not in result.output


def test_exchanges_reach_the_report_with_secrets_redacted(demo: Demo, demo_env: Env, run_smoke: Run) -> None:
    token = "smoke-token-7c1e9a5d"
    target = demo("--token-env", "SMOKE_TOKEN", env={"SMOKE_TOKEN": token})
    env = demo_env(
        target.url,
        http='timeout_s = 5.0\nretries = 1\nbearer_secret = "SMOKE_TOKEN"\n'
        'headers = { "Cookie" = "sid=c00kie-value" }',
    )
    run = run_smoke(env, "--alluredir", "allure", env={"SMOKE_TOKEN": token})
    outcomes(run)
    attachments = sorted((run.project / "allure").glob("*-attachment.txt"))
    texts = [path.read_text(encoding="utf-8") for path in attachments]
    everything = (
        run.output
        + "".join(texts)
        + "".join(path.read_text(encoding="utf-8") for path in (run.project / "allure").glob("*.json"))
    )
    assert token not in everything
    assert "c00kie-value" not in everything
    created = [text for text in texts if text.startswith(f"POST {target.url}/api/items")]
    assert created, "the POST route's exchange is attached"
    assert "authorization: ***" in created[0].lower()
    assert "cookie: ***" in created[0].lower()
    assert '{"name":"gonogo probe","price":1.0}' in created[0]
    assert "-> HTTP 201 in" in created[0]
