"""What crosses to pytest-xdist workers: the launched target's URLs (the target starts once per run)."""

from __future__ import annotations

from typing import Any

from gonogo.plugin.context import RunContext

WORKER_BASE_URL = "gonogo_base_url"
WORKER_BASELINE_URL = "gonogo_baseline_url"


class TargetXdistHooks:
    """Hands the launched target's URL to every worker, so the target starts once per run."""

    def __init__(self, context: RunContext) -> None:
        self._context = context

    def pytest_configure_node(self, node: Any) -> None:
        if self._context.base_url:
            node.workerinput[WORKER_BASE_URL] = self._context.base_url
        env = self._context.env
        if env is not None and env.baseline is not None and self._context.target is not None:
            node.workerinput[WORKER_BASELINE_URL] = env.baseline.base_url
