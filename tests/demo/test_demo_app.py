from __future__ import annotations

import asyncio
import statistics
import time
from typing import TYPE_CHECKING

import pytest

from gonogo.demo import DemoSettings
from gonogo.demo import app as demo_app
from gonogo.demo.app import latency_sampler
from gonogo.demo.settings import SECURITY_HEADERS

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.testclient import TestClient

    MakeClient = Callable[..., TestClient]

SEED_ITEMS = [
    {"id": 1, "name": "widget", "price": 9.5},
    {"id": 2, "name": "gadget", "price": 24.0},
    {"id": 3, "name": "gizmo", "price": 3.75},
]


class FakeClock:
    """Stands still until a test moves it, so uptime and fault_after_s are exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def parse_metrics(text: str) -> dict[str, float]:
    """Sample lines keyed by name and labels as written, e.g. 'x_total{route="/health",status="200"}'."""
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            samples[key] = float(value)
    return samples


# Routes and payloads


def test_health_answers_ok_with_the_uptime(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = make_client(clock=clock)
    clock.now += 12.5

    response = client.get("/health")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok", "uptime_s": 12.5}


def test_degraded_health_answers_503(make_client: MakeClient) -> None:
    response = make_client(DemoSettings(health_status="degraded")).get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}


def test_version_reports_the_configured_version(make_client: MakeClient) -> None:
    assert make_client().get("/version").json() == {
        "version": "1.4.2",
        "commit": "demo",
        "service": "gonogo-demo",
    }
    assert make_client(DemoSettings(version="9.9.9")).get("/version").json()["version"] == "9.9.9"


def test_items_lists_the_three_seed_items(make_client: MakeClient) -> None:
    response = make_client().get("/api/items")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"items": SEED_ITEMS, "count": 3}


def test_one_item_by_id_and_404_for_an_unknown_one(make_client: MakeClient) -> None:
    client = make_client()

    assert client.get("/api/items/2").json() == SEED_ITEMS[1]
    missing = client.get("/api/items/99")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not found"}


@pytest.mark.parametrize("path", ["/api/items/abc", "/nowhere"])
def test_unknown_paths_answer_json_404(make_client: MakeClient, path: str) -> None:
    response = make_client().get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "not found"}


def test_a_wrong_method_answers_json_405_with_allow(make_client: MakeClient) -> None:
    response = make_client().delete("/api/items/1")

    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed"}
    # Starlette keeps a route's methods in a set, so the order varies from run to run
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_post_creates_an_item_that_is_then_listed(make_client: MakeClient) -> None:
    client = make_client()

    created = client.post("/api/items", json={"name": "sprocket", "price": 2})

    assert created.status_code == 201
    assert created.json() == {"id": 4, "name": "sprocket", "price": 2}
    assert created.headers["location"] == "/api/items/4"
    assert client.get("/api/items/4").json() == {"id": 4, "name": "sprocket", "price": 2}
    assert client.get("/api/items").json()["count"] == 4


def test_created_items_are_capped_oldest_first_and_seed_items_stay(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_app, "_MAX_ITEMS", 5)
    client = make_client()

    for name in ("a", "b", "c", "d"):
        client.post("/api/items", json={"name": name, "price": 1})

    listed = client.get("/api/items").json()["items"]
    assert [item["id"] for item in listed] == [1, 2, 3, 6, 7]
    assert client.get("/api/items/4").status_code == 404


def test_items_created_in_one_app_do_not_leak_into_another(make_client: MakeClient) -> None:
    make_client().post("/api/items", json={"name": "sprocket", "price": 2})

    assert make_client().get("/api/items").json()["count"] == 3


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'["a list"]', 422),
        (b'{"name": "x"}', 422),
        (b'{"name": "", "price": 1}', 422),
        (b'{"name": "x", "price": true}', 422),
        (b'{"name": "x", "price": -1}', 422),
    ],
)
def test_post_rejects_a_bad_body(make_client: MakeClient, body: bytes, status: int) -> None:
    client = make_client()

    response = client.post("/api/items", content=body, headers={"content-type": "application/json"})

    assert response.status_code == status
    assert "error" in response.json()
    assert client.get("/api/items").json()["count"] == 3


# Security headers


@pytest.mark.parametrize(
    "path", ["/health", "/version", "/api/items", "/api/items/99", "/nowhere", "/metrics"]
)
def test_every_response_carries_the_security_headers(make_client: MakeClient, path: str) -> None:
    headers = make_client().get(path).headers

    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    assert "x-powered-by" not in headers
    assert "server" not in headers


def test_security_headers_cover_injected_errors_and_refusals(make_client: MakeClient) -> None:
    failing = make_client(DemoSettings(error_rate=1)).get("/api/items")
    locked = make_client(DemoSettings(token_env="DEMO_TOKEN"), environ={"DEMO_TOKEN": "t0ken"}).get(
        "/api/items"
    )

    for response in (failing, locked):
        assert set(SECURITY_HEADERS) <= set(response.headers)


def test_dropped_headers_are_left_out_and_only_those(make_client: MakeClient) -> None:
    dropped = frozenset({"strict-transport-security", "x-frame-options"})

    headers = make_client(DemoSettings(drop_headers=dropped)).get("/health").headers

    assert not dropped & set(headers)
    assert set(SECURITY_HEADERS) - dropped <= set(headers)


def test_leak_headers_reveal_the_stack(make_client: MakeClient) -> None:
    headers = make_client(DemoSettings(leak_headers=True, version="2.1.0")).get("/health").headers

    assert headers["x-powered-by"] == "Starlette"
    assert headers["server"] == "gonogo-demo/2.1.0"


# Error fault


def test_error_rate_1_fails_every_api_request_and_nothing_else(make_client: MakeClient) -> None:
    client = make_client(DemoSettings(error_rate=1))

    for path in ("/api/items", "/api/items/1", "/api/nowhere"):
        response = client.get(path)
        assert response.status_code == 500
        assert response.json() == {"error": "injected fault"}
        assert response.headers["content-type"] == "application/json"
    assert client.post("/api/items", json={"name": "x", "price": 1}).status_code == 500
    assert client.get("/health").status_code == 200
    assert client.get("/version").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_error_rate_fails_about_that_fraction_and_a_seed_repeats_the_sequence(
    make_client: MakeClient,
) -> None:
    settings = DemoSettings(error_rate=0.3, seed=7)

    runs = []
    for _ in range(2):
        client = make_client(settings)
        runs.append([client.get("/api/items").status_code for _ in range(200)])

    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}
    assert 0.2 < runs[0].count(500) / 200 < 0.4


def test_faults_wait_for_fault_after_s(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = make_client(DemoSettings(error_rate=1, fault_after_s=60), clock=clock)

    assert client.get("/api/items").status_code == 200
    clock.now += 59.9
    assert client.get("/api/items").status_code == 200
    clock.now += 0.1
    assert client.get("/api/items").status_code == 500


# Latency fault


@pytest.mark.parametrize("path", ["/health", "/version", "/api/items"])
def test_latency_is_added_to_each_request(make_client: MakeClient, path: str) -> None:
    client = make_client(DemoSettings(latency_ms=80))

    began = time.perf_counter()
    client.get(path)

    assert time.perf_counter() - began >= 0.08


def test_latency_spares_metrics_and_waits_for_fault_after_s(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = make_client(DemoSettings(latency_ms=2000, fault_after_s=60), clock=clock)

    began = time.perf_counter()
    client.get("/health")
    clock.now += 60
    client.get("/metrics")

    assert time.perf_counter() - began < 1


def test_latency_is_cut_short_once_the_server_is_stopping(make_client: MakeClient) -> None:
    stopping = asyncio.Event()
    stopping.set()
    client = make_client(DemoSettings(latency_ms=2000), stopping=stopping)

    began = time.perf_counter()
    response = client.get("/api/items")

    assert response.status_code == 200
    assert time.perf_counter() - began < 1


def test_fixed_latency_is_exact_and_zero_adds_nothing() -> None:
    assert latency_sampler(DemoSettings(latency_ms=250))() == 0.25
    assert latency_sampler(DemoSettings(latency_ms=0, latency_dist="lognormal"))() == 0


def test_lognormal_latency_has_latency_ms_as_median_and_a_spread() -> None:
    sample = latency_sampler(
        DemoSettings(latency_ms=100, latency_dist="lognormal", latency_sigma=0.5, seed=3)
    )

    draws = sorted(sample() for _ in range(4001))

    assert statistics.median(draws) == pytest.approx(0.1, rel=0.05)
    # sigma 0.5: p90 is e**(0.5 * 1.2816) = 1.90 times the median
    assert draws[3600] / statistics.median(draws) == pytest.approx(1.90, rel=0.1)


def test_lognormal_latency_repeats_with_a_seed() -> None:
    settings = DemoSettings(latency_ms=100, latency_dist="lognormal", seed=11)
    first, second = latency_sampler(settings), latency_sampler(settings)

    assert [first() for _ in range(20)] == [second() for _ in range(20)]


# Bearer token


@pytest.fixture
def locked(make_client: MakeClient) -> MakeClient:
    def make(settings: DemoSettings | None = None) -> TestClient:
        return make_client(
            settings or DemoSettings(token_env="DEMO_TOKEN"), environ={"DEMO_TOKEN": "s3cret-t0ken"}
        )

    return make


def test_api_without_the_token_answers_401(locked: MakeClient) -> None:
    client = locked()

    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": "Basic s3cret-t0ken"}):
        response = client.get("/api/items", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized"}
        assert response.headers["www-authenticate"] == "Bearer"
        assert "s3cret-t0ken" not in response.text
        assert "s3cret-t0ken" not in str(response.headers)


def test_api_with_the_token_answers(locked: MakeClient) -> None:
    client = locked()

    assert client.get("/api/items", headers={"authorization": "Bearer s3cret-t0ken"}).status_code == 200
    assert client.get("/api/items/1", headers={"authorization": "bearer s3cret-t0ken"}).status_code == 200


def test_health_version_and_metrics_never_ask_for_the_token(locked: MakeClient) -> None:
    client = locked()

    for path in ("/health", "/version", "/metrics"):
        assert client.get(path).status_code == 200


def test_the_token_is_checked_before_an_injected_error(locked: MakeClient) -> None:
    client = locked(DemoSettings(token_env="DEMO_TOKEN", error_rate=1))

    assert client.get("/api/items").status_code == 401
    assert client.get("/api/items", headers={"authorization": "Bearer s3cret-t0ken"}).status_code == 500


def test_a_token_variable_that_is_unset_or_empty_leaves_the_api_open(make_client: MakeClient) -> None:
    settings = DemoSettings(token_env="DEMO_TOKEN")

    assert make_client(settings, environ={}).get("/api/items").status_code == 200
    assert make_client(settings, environ={"DEMO_TOKEN": ""}).get("/api/items").status_code == 200


def test_the_settings_hold_the_variable_name_never_the_token() -> None:
    assert "s3cret" not in repr(
        DemoSettings.from_env({"GONOGO_DEMO_TOKEN_ENV": "DEMO_TOKEN", "DEMO_TOKEN": "s3cret"})
    )


# Response shape fault


def test_rename_field_renames_it_in_every_item(make_client: MakeClient) -> None:
    client = make_client(DemoSettings(rename_field=("name", "title")))

    items = client.get("/api/items").json()["items"]

    assert items[0] == {"id": 1, "title": "widget", "price": 9.5}
    assert all("name" not in item for item in items)
    assert client.get("/api/items/2").json() == {"id": 2, "title": "gadget", "price": 24.0}


# Metrics


def test_metrics_count_requests_by_route_template_and_status(make_client: MakeClient) -> None:
    client = make_client()
    for path in ("/api/items/1", "/api/items/2", "/api/items/99", "/health", "/nowhere", "/metrics"):
        client.get(path)

    response = client.get("/metrics")

    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = parse_metrics(response.text)
    counts = {key: value for key, value in samples.items() if key.startswith("gonogo_demo_requests_total")}
    assert counts == {
        'gonogo_demo_requests_total{route="/api/items/{id:int}",status="200"}': 2,
        'gonogo_demo_requests_total{route="/api/items/{id:int}",status="404"}': 1,
        'gonogo_demo_requests_total{route="/health",status="200"}': 1,
        'gonogo_demo_requests_total{route="unmatched",status="404"}': 1,
    }
    assert "# TYPE gonogo_demo_requests_total counter" in response.text
    assert "# TYPE gonogo_demo_request_duration_seconds histogram" in response.text


def test_metrics_count_injected_errors_and_refusals(make_client: MakeClient) -> None:
    client = make_client(DemoSettings(error_rate=1))
    client.get("/api/items")

    samples = parse_metrics(client.get("/metrics").text)

    assert samples['gonogo_demo_requests_total{route="/api/items",status="500"}'] == 1


def test_duration_histogram_buckets_are_cumulative_and_include_latency(make_client: MakeClient) -> None:
    client = make_client(DemoSettings(latency_ms=30))
    client.get("/health")
    client.get("/health")

    samples = parse_metrics(client.get("/metrics").text)

    bucket = 'gonogo_demo_request_duration_seconds_bucket{{route="/health",le="{}"}}'
    bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "+Inf"]
    counts = [samples[bucket.format(bound)] for bound in bounds]
    assert counts == sorted(counts)
    assert counts[bounds.index("0.025")] == 0
    assert counts[-1] == 2
    assert samples['gonogo_demo_request_duration_seconds_count{route="/health"}'] == 2
    assert samples['gonogo_demo_request_duration_seconds_sum{route="/health"}'] >= 0.06
    assert not any('route="/metrics"' in key for key in samples)
