"""The suite's profile with the route user's lean request path turned off: locust's public
``client.request(catch_response=True, stream=True)``, as a locust without ``_send_request_safe_mode``
would get (tests/loadgen/test_request_path.py compares the two)."""

from __future__ import annotations

from typing import Any

from gonogo.loadgen.profile import RouteUser


class PublicPathRoutes(RouteUser):
    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self._safe_send = None
