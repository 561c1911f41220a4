"""The demo service: a small item API whose faults are switched on by DemoSettings."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import math
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gonogo.demo.settings import SECURITY_HEADERS, DemoSettings, is_non_negative_number

Clock = Callable[[], float]

SERVICE = "gonogo-demo"
DURATION_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, math.inf)
_SEED_ITEMS: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "widget", "price": 9.5},
    {"id": 2, "name": "gadget", "price": 24.0},
    {"id": 3, "name": "gizmo", "price": 3.75},
)
# Created items live in memory; the cap keeps a load test that POSTs from growing the list without bound.
_MAX_ITEMS = 1000


def create_app(
    settings: DemoSettings,
    *,
    clock: Clock = time.monotonic,
    environ: Mapping[str, str] | None = None,
    stopping: asyncio.Event | None = None,
) -> Starlette:
    """Build the demo app. ``clock`` drives uptime, ``fault_after_s`` and request durations.

    The bearer token is read once, here, from the variable ``settings.token_env`` names in ``environ``
    (default: the process environment), so a test can hand one over without touching ``os.environ``.
    Setting ``stopping`` cuts injected latency short, so requests in flight at shutdown still finish.
    """
    started = clock()
    items = _Items(settings.rename_field)
    metrics = _Metrics()

    async def health(request: Request) -> Response:
        if settings.health_status == "degraded":
            return JSONResponse({"status": "degraded"}, status_code=503)
        return JSONResponse({"status": "ok", "uptime_s": round(clock() - started, 3)})

    async def version(request: Request) -> Response:
        return JSONResponse({"version": settings.version, "commit": "demo", "service": SERVICE})

    async def list_items(request: Request) -> Response:
        listed = items.all()
        return JSONResponse({"items": listed, "count": len(listed)})

    async def get_item(request: Request) -> Response:
        item = items.get(request.path_params["id"])
        if item is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse(item)

    async def create_item(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": "the body must be JSON"}, status_code=400)
        name = body.get("name") if isinstance(body, dict) else None
        price = body.get("price") if isinstance(body, dict) else None
        if not (isinstance(name, str) and name and is_non_negative_number(price)):
            return JSONResponse(
                {"error": "expected a JSON object with name (non-empty string) and price (number >= 0)"},
                status_code=422,
            )
        item = items.add(name, price)
        return JSONResponse(item, status_code=201, headers={"location": f"/api/items/{item['id']}"})

    async def prometheus(request: Request) -> Response:
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    routes = [
        Route("/health", health),
        Route("/version", version),
        Route("/api/items", list_items, methods=["GET"]),
        Route("/api/items", create_item, methods=["POST"]),
        Route("/api/items/{id:int}", get_item),
        Route("/metrics", prometheus),
    ]
    environ = os.environ if environ is None else environ
    token = environ.get(settings.token_env, "") if settings.token_env else ""
    faults = Middleware(
        _Faults,
        settings=settings,
        clock=clock,
        started=started,
        routes=routes,
        metrics=metrics,
        token=token,
        stopping=stopping,
    )
    return Starlette(routes=routes, middleware=[faults], exception_handlers={HTTPException: _http_error})


def latency_sampler(settings: DemoSettings) -> Callable[[], float]:
    """Return a function giving the seconds to add to one request."""
    if settings.latency_ms <= 0:
        return lambda: 0.0
    if settings.latency_dist == "fixed":
        return lambda: settings.latency_ms / 1000
    # A separate, differently seeded generator: sharing the error dice would tie latency to errors.
    dice = random.Random(None if settings.seed is None else f"latency:{settings.seed}")
    mu = math.log(settings.latency_ms)  # the median of a lognormal is e**mu
    return lambda: dice.lognormvariate(mu, settings.latency_sigma) / 1000


class _Faults:
    """Adds security headers, injects the faults and counts requests.

    Pure ASGI rather than BaseHTTPMiddleware: it sees the status of every answer, the 404 and 405
    Starlette makes included, and adds no task or stream per request to what the latency fault measures.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: DemoSettings,
        clock: Clock,
        started: float,
        routes: list[Route],
        metrics: _Metrics,
        token: str,
        stopping: asyncio.Event | None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.clock = clock
        self.started = started
        self.routes = routes
        self.metrics = metrics
        self.token = token.encode()
        self.stopping = stopping
        self.error_dice = random.Random(settings.seed)
        self.latency = latency_sampler(settings)
        headers = [
            (name, value) for name, value in SECURITY_HEADERS.items() if name not in settings.drop_headers
        ]
        if settings.leak_headers:
            headers += [("x-powered-by", "Starlette"), ("server", f"{SERVICE}/{settings.version}")]
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # If nothing answers, ServerErrorMiddleware (outside this one) sends a 500.
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    response_headers[name] = value
            await send(message)

        if scope["path"] == "/metrics":
            # Scrapes are neither delayed nor counted, so they do not distort what they measure.
            await self.app(scope, receive, send_with_headers)
            return
        began = self.clock()
        try:
            await self._answer(scope, receive, send_with_headers)
        finally:
            self.metrics.observe(self._route_of(scope), status, self.clock() - began)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        faulty = self.clock() - self.started >= self.settings.fault_after_s
        if faulty:
            delay = self.latency()
            if delay > 0:
                await self._delay(delay)
        path: str = scope["path"]
        if not (path == "/api" or path.startswith("/api/")):
            await self.app(scope, receive, send)
        elif self.token and not self._authorized(scope):
            await JSONResponse(
                {"error": "unauthorized"}, status_code=401, headers={"www-authenticate": "Bearer"}
            )(scope, receive, send)
        elif faulty and self.settings.error_rate > 0 and self.error_dice.random() < self.settings.error_rate:
            await JSONResponse({"error": "injected fault"}, status_code=500)(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _delay(self, seconds: float) -> None:
        if self.stopping is None:
            # No event by default: an asyncio.Event binds to one loop, and TestClient used without
            # `with` runs each request on a loop of its own.
            await asyncio.sleep(seconds)
        elif not self.stopping.is_set():
            # Waiting on the event rather than sleeping: a SIGTERM must neither wait out a latency fault
            # of several seconds nor cancel the request half way.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), seconds)

    def _authorized(self, scope: Scope) -> bool:
        scheme, _, credentials = Headers(scope=scope).get("authorization", "").partition(" ")
        # Headers decode as latin-1; encoding back gives the bytes the client sent.
        # compare_digest: the time taken must not tell a caller how much of the token it guessed.
        return scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode("latin-1"), self.token
        )

    def _route_of(self, scope: Scope) -> str:
        # The route template, not the raw path, keeps /api/items/1, /api/items/2, ... in one series.
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return route.path
        return "unmatched"


async def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette's own 404 / 405 answers are plain text; an API answers JSON throughout.
    if not isinstance(exc, HTTPException):
        raise exc
    return JSONResponse({"error": exc.detail.lower()}, status_code=exc.status_code, headers=exc.headers)


class _Items:
    def __init__(self, rename: tuple[str, str] | None) -> None:
        self._items = {item["id"]: dict(item) for item in _SEED_ITEMS}
        self._next_id = len(_SEED_ITEMS) + 1
        self._rename = rename

    def all(self) -> list[dict[str, Any]]:
        return [self._shown(item) for item in self._items.values()]

    def get(self, item_id: int) -> dict[str, Any] | None:
        item = self._items.get(item_id)
        return None if item is None else self._shown(item)

    def add(self, name: str, price: float) -> dict[str, Any]:
        item = {"id": self._next_id, "name": name, "price": price}
        self._items[self._next_id] = item
        self._next_id += 1
        if len(self._items) > _MAX_ITEMS:
            # dicts keep insertion order: the first id past the seed items is the oldest created one
            del self._items[next(key for key in self._items if key > len(_SEED_ITEMS))]
        return self._shown(item)

    def _shown(self, item: dict[str, Any]) -> dict[str, Any]:
        if self._rename is None:
            return dict(item)
        old, new = self._rename
        return {new if key == old else key: value for key, value in item.items()}


class _Metrics:
    """Prometheus counters and histograms, written by hand to keep the demo free of a client library."""

    def __init__(self) -> None:
        self._requests: Counter[tuple[str, int]] = Counter()
        # per route: cumulative bucket counts (aligned with DURATION_BUCKETS), sum, count
        self._buckets: dict[str, list[int]] = {}
        self._sums: dict[str, float] = defaultdict(float)

    def observe(self, route: str, status: int, seconds: float) -> None:
        self._requests[route, status] += 1
        buckets = self._buckets.setdefault(route, [0] * len(DURATION_BUCKETS))
        for index, bound in enumerate(DURATION_BUCKETS):
            if seconds <= bound:
                buckets[index] += 1
        self._sums[route] += seconds

    def render(self) -> str:
        lines = [
            "# HELP gonogo_demo_requests_total Requests answered, by route template and status.",
            "# TYPE gonogo_demo_requests_total counter",
        ]
        for (route, status), count in sorted(self._requests.items()):
            lines.append(f'gonogo_demo_requests_total{{route="{route}",status="{status}"}} {count}')
        lines += [
            "# HELP gonogo_demo_request_duration_seconds Time to answer, injected latency included.",
            "# TYPE gonogo_demo_request_duration_seconds histogram",
        ]
        for route, buckets in sorted(self._buckets.items()):
            for bound, count in zip(DURATION_BUCKETS, buckets, strict=True):
                le = "+Inf" if bound == math.inf else repr(bound)
                lines.append(
                    f'gonogo_demo_request_duration_seconds_bucket{{route="{route}",le="{le}"}} {count}'
                )
            lines.append(f'gonogo_demo_request_duration_seconds_sum{{route="{route}"}} {self._sums[route]!r}')
            lines.append(f'gonogo_demo_request_duration_seconds_count{{route="{route}"}} {buckets[-1]}')
        return "\n".join(lines) + "\n"
