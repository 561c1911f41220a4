"""Post-deploy: latency and error rate under load (the locust profile lands with the load issue)."""

from __future__ import annotations

import pytest


@pytest.mark.skip(reason="the load check is not implemented yet; it does not count as a pass")
def test_latency_under_load() -> None:
    raise AssertionError("unreachable")
