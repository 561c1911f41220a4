"""The route user: calls the plan's routes, weighted, in the closed or the open model; and the request hook.

Subclass :class:`RouteUser` in a locustfile (it is abstract). The users read the plan and the recorder
from this process's state (``state.py``): locust creates them without arguments of ours.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import math
import os
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import gevent
from locust import FastHttpUser, task
from locust.exception import CatchResponseError

from gonogo.loadgen.plan import LoadPlan, PlanError, RoutePlan
from gonogo.loadgen.profile.body import read_body
from gonogo.loadgen.profile.state import STATE
from gonogo.loadgen.recorder import Recorder
from gonogo.loadgen.templates import TemplateError, credentials, expand, expand_header, expand_tree

#: an open-model request sent later than this after its scheduled time counts as late
LATE_S = 0.010
#: the closed model's request context (locust copies it into a new dict; never changed)
_NO_CONTEXT: dict[str, Any] = {}


class RouteUser(FastHttpUser):
    """Calls the plan's routes, weighted; closed model (a loop, optionally paced) or open model (a schedule).

    Subclass it in a locustfile (it is abstract). Redirects are not followed: load goes only to the
    environment's base URL, and a redirect elsewhere is reported as an error of that route.
    """

    abstract = True
    max_redirects = 0

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        plan = STATE.plan
        if plan is None:
            raise RuntimeError("gonogo load: no plan in this process (the master did not send one)")
        self._plan = plan
        # the routes with their references filled in (the plan keeps the file's text)
        self._routes = STATE.routes or plan.routes
        self._cum_weights = list(itertools.accumulate(route.weight for route in self._routes))
        share = plan.rate_per_s / plan.users if plan.rate_per_s else None
        #: seconds between two requests of this user (open schedule, or closed-model pacing)
        self._period = 1.0 / share if share else None
        self._open = plan.mode == "open"
        #: closed model with pacing (the unpaced loop takes no clock readings of its own)
        self._paced = self._period is not None and not self._open
        self._max_body_bytes = plan.max_body_bytes
        self._body_timeout_s = plan.request_timeout_s
        self._next = 0.0
        self._task_started = 0.0
        self._in_flight: float | None = None
        # the lean request path (_send): locust's own send, and the event its statistics listen to
        self._safe_send: Callable[..., Any] | None = getattr(self.client, "_send_request_safe_mode", None)
        self._fire = environment.events.request.fire
        #: id of each of the plan's routes (held by self._routes, so the ids stay theirs) -> its URL,
        #: headers and payload, built once
        self._prepared_routes = {id(route): self._prepared(route) for route in self._routes}

    def on_start(self) -> None:
        if self._open and self._period is not None:
            # a random phase spreads the users' schedules evenly over one period
            self._next = time.monotonic() + random.uniform(0, self._period)
            STATE.open_users.add(self)

    def wait_time(self) -> float:
        if not self._paced:
            return 0.0
        assert self._period is not None
        # closed-model pacing: start at most once per period, never catching up (constant_pacing)
        return max(0.0, self._task_started + self._period - time.monotonic())

    @task
    def call_route(self) -> None:
        if self._open:
            self._scheduled_request()
            return
        if self._paced:
            self._task_started = time.monotonic()
        self._send(self._pick(), None)

    def _pick(self) -> Any:
        if len(self._routes) == 1:
            return self._routes[0]
        # bisect on the cumulative weights: random.choices builds a list on every call
        return self._routes[bisect.bisect(self._cum_weights, random.random() * self._cum_weights[-1])]

    def _scheduled_request(self) -> None:
        intended = self._next
        assert self._period is not None
        self._next = intended + self._period
        delay = intended - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        recorder = STATE.recorder
        if recorder is not None and recorder.closed is not None:
            # the window has closed: an overdue slot is not sent any more (it counts as never sent)
            self._next = intended
            gevent.sleep(0.05)
            return
        route = self._pick()
        sent = time.monotonic()
        self._in_flight = intended
        ok = self._send(route, {"gonogo_open": True})
        done = time.monotonic()
        self._in_flight = None
        if recorder is not None:
            # timed from the scheduled send: a stalled target cannot hide the requests it held up
            recorder.add(route.name, (done - intended) * 1000.0, ok, intended)
            recorder.add_service((done - sent) * 1000.0, intended)
            recorder.open_sent(late=sent - intended > LATE_S, at=intended)

    def _send(self, route: Any, context: dict[str, Any] | None) -> bool:
        """One request of ``route``, its body read whole and bounded (body.py), reported to locust once.

        Locust's ``client.request(..., catch_response=True, stream=True)`` does the same, at a cost per
        request that a profile of an unpaced run put at about 7% of the generator's CPU (the response
        copied into a context manager, the headers rebuilt, the redirect codes swapped and restored):
        enough to make gonogo slower than the plain locust it wraps. So the request is sent by locust's
        own ``_send_request_safe_mode`` (connection errors become a response with ``error``, as in
        ``client.request``), with the headers and payload built once per route, and the request event
        is fired here as locust's docs say a custom client fires it: same names, same statistics.
        """
        send = self._safe_send
        if send is None:  # a locust without the method: its public path, the same result, slower
            return self._send_public(route, context)
        prepared = self._prepared_routes.get(id(route))
        url, headers, payload = prepared if prepared is not None else self._prepared(route)
        base = self.context()
        start_time = time.time()
        started = time.perf_counter()
        response = send(route.method, url, payload=payload, headers=headers)
        body = read_body(response, max_bytes=self._max_body_bytes, timeout_s=self._body_timeout_s)
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        problem = _describe(response, route.status) if response.status_code != route.status else body.problem
        self._fire(
            request_type=route.method,
            name=route.name,
            response_time=elapsed_ms,
            response_length=body.size,
            response=response,
            # locust gives every listener the user's context() merged with the request's
            context={**base, **(context or _NO_CONTEXT)} if base else (context or {}),
            exception=None if problem is None else CatchResponseError(problem),
            start_time=start_time,
            url=url,
        )
        return problem is None

    def _prepared(self, route: Any) -> tuple[str, dict[str, str], str | None]:
        """The URL, the request's own headers and the payload of ``route``, as ``client.request`` builds
        them (the user's default headers are added by geventhttpclient, which copies these)."""
        headers = {"Accept-Encoding": "gzip, deflate, br"}
        if self.client.auth_header:  # credentials in the host URL
            headers["Authorization"] = self.client.auth_header
        payload = None
        if route.json_body is not None:
            payload = json.dumps(route.json_body)
            headers["Content-Type"] = "application/json"
            headers["Accept"] = "application/json"
        return self.client._build_url(route.path), headers, payload

    def _send_public(self, route: Any, context: dict[str, Any] | None) -> bool:
        # stream=True: the body is read here, whole and bounded (body.py), not by locust, whose
        # body-read error a success() on the status alone would clear
        with self.client.request(
            route.method,
            route.path,
            name=route.name,
            json=route.json_body,
            catch_response=True,
            allow_redirects=False,
            stream=True,
            context=context or _NO_CONTEXT,
        ) as response:
            headers_at = time.perf_counter()
            body = read_body(response, max_bytes=self._max_body_bytes, timeout_s=self._body_timeout_s)
            meta = response.request_meta
            # locust timed the request up to its headers: the body is part of the answer
            meta["response_time"] += (time.perf_counter() - headers_at) * 1000.0
            meta["response_length"] = body.size
            if response.status_code != route.status:
                response.failure(_describe(response, route.status))
                return False
            if body.problem is not None:
                response.failure(body.problem)
                return False
            response.success()
            return True

    def in_flight(self, recorder: Recorder) -> bool:
        """Whether a request scheduled inside the measured window is still waiting for its answer."""
        return self._in_flight is not None and recorder.measuring(self._in_flight)

    def missed(self, recorder: Recorder) -> tuple[int, int]:
        """(scheduled slots in the window never sent, request in flight) when the run ends."""
        unfinished = int(self.in_flight(recorder))
        if self._period is None:
            return 0, unfinished
        first, last = max(self._next, recorder.measure_from), recorder.measure_until
        if self._next < recorder.measure_from:
            first = self._next + math.ceil((recorder.measure_from - self._next) / self._period) * self._period
        dropped = int((last - first) // self._period) + 1 if first <= last else 0
        return dropped, unfinished


def _describe(response: Any, expected: int) -> str:
    if not response.status_code:
        error = getattr(response, "error", None)
        return f"no response ({type(error).__name__}: {error})" if error else "no response"
    return f"HTTP {response.status_code} (expected {expected})"


def configure_users(plan: LoadPlan, user_classes: list[type[Any]]) -> tuple[RoutePlan, ...]:
    """Set up the route users (timeouts, TLS, headers, credentials) and return the routes to call.

    The plan's ``${NAME}`` references are filled here, from this process's environment, and go only on
    the wire: the routes keep their names (locust's statistics and report name requests by them).
    """
    try:
        headers, routes = _filled(plan, os.environ)
    except TemplateError as exc:
        raise PlanError(str(exc)) from None
    for user_class in user_classes:
        if issubclass(user_class, RouteUser):
            user_class.default_headers = headers
            user_class.network_timeout = plan.request_timeout_s
            user_class.connection_timeout = plan.request_timeout_s
            user_class.insecure = not plan.verify_tls
            if plan.ca_bundle:
                user_class.ssl_context_factory = staticmethod(_trusting(plan.ca_bundle))
    return routes


def _filled(plan: LoadPlan, environ: Mapping[str, str]) -> tuple[dict[str, str], tuple[RoutePlan, ...]]:
    """The headers (with the credentials) and the routes of ``plan``, references filled from ``environ``."""
    headers = {name: expand_header(value, environ, name) for name, value in plan.headers.items()}
    if plan.bearer_secret:
        token = environ.get(plan.bearer_secret, "")
        if not token:
            raise PlanError(
                f"the bearer secret {plan.bearer_secret} is not set in this process's environment. "
                f"Fix: export {plan.bearer_secret}=... (its value is never printed)"
            )
        headers["Authorization"] = f"Bearer {token}"
    elif plan.userinfo is not None:
        # as httpx does for the checks: the URL's credentials, unless an explicit bearer is set
        user, password = credentials(expand(plan.userinfo, environ, "base_url userinfo"))
        basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {basic}"
    routes = tuple(
        replace(
            route,
            path=expand(route.path, environ, f"routes.{route.name}.path"),
            json_body=expand_tree(route.json_body, environ, f"routes.{route.name}.json"),
        )
        for route in plan.routes
    )
    return headers, routes


def _trusting(ca_bundle: str) -> Callable[..., ssl.SSLContext]:
    # geventhttpclient calls the factory with its own cafile= (certifi's bundle): ignore it, so the
    # environment's CA is the one trusted, as it is for the checks' httpx client
    def factory(*_: Any, **__: Any) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=ca_bundle)

    return factory


def record_request(
    *,
    name: str,
    response_time: float,
    exception: BaseException | None = None,
    context: Any = None,
    # the rest of locust's request event, named so that Python binds them rather than building a
    # dict of them on every request (0.5 us of the 1.8 this hook cost); ``_`` takes any newer one
    request_type: Any = None,
    response_length: Any = None,
    response: Any = None,
    start_time: Any = None,
    url: Any = None,
    **_: Any,
) -> None:
    """Locust's ``request`` event: every sample, unrounded, into this process's recorder (hot path)."""
    recorder = STATE.recorder
    if recorder is None:
        return
    now = time.monotonic()
    if exception is not None:
        recorder.error(name, str(exception), now)
    if context and context.get("gonogo_open"):
        return  # recorded by the user, timed from its scheduled send
    recorder.add(name, response_time, exception is None, now)
