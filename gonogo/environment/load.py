"""`[load]`: the post-deploy load check."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from gonogo.environment._base import Section


class LoadConfig(Section):
    """The post-deploy load check (docs/load.md): a locust run against the base URL, judged on p95 and
    errors."""

    users: int = Field(
        10,
        ge=1,
        le=10_000,
        description="Concurrent users (closed model); the most requests in flight (open model).",
    )
    spawn_rate: float = Field(10.0, gt=0, description="Users started per second.")
    duration_s: float = Field(20.0, gt=0, le=3600, description="Length of the run, warm-up included.")
    warmup_s: float = Field(2.0, ge=0, description="Samples from the first seconds are discarded.")
    mode: Literal["closed", "open"] = Field(
        "closed",
        description="`closed`: each user sends its next request when the last one answered; "
        "`open`: requests leave on a fixed schedule of `rate_per_s`, timed from their scheduled send.",
    )
    rate_per_s: float | None = Field(
        None,
        gt=0,
        description="Open model: the arrival rate (requests per second, all users together). "
        "Closed model: an optional ceiling (users pace themselves and never catch up).",
    )
    processes: int = Field(
        1,
        ge=1,
        le=64,
        description="Locust processes on this machine (`--processes`); `--load-processes` overrides.",
    )
    p95_ms: float = Field(500.0, gt=0, description="Fail when the p95 latency is above this.")
    max_error_rate: float = Field(0.01, ge=0, le=1, description="Fail when the error rate is above this.")
    min_requests: int = Field(
        100, ge=1, description="Fewer requests after warm-up: inconclusive, not a pass."
    )
    max_generator_cpu: float = Field(
        90.0,
        gt=0,
        le=100,
        description="Inconclusive when a load-generating process averaged more CPU than this (% of one core) "
        "after warm-up: a saturated generator inflates latency.",
    )
    rate_tolerance: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="Open model: inconclusive when the achieved rate is more than this fraction below "
        "rate_per_s.",
    )
    sensitive_max_users: int = Field(
        5, ge=1, description="On a sensitive environment, at most this many users unless `--allow-full-load`."
    )
    sensitive_max_rate_per_s: float = Field(
        10.0,
        gt=0,
        description="On a sensitive environment, at most this many requests per second (both models) "
        "unless `--allow-full-load`.",
    )

    @model_validator(mode="after")
    def _open_needs_rate(self) -> LoadConfig:
        if self.mode == "open" and self.rate_per_s is None:
            raise ValueError('mode = "open" needs rate_per_s (requests per second), e.g. rate_per_s = 50')
        if self.warmup_s >= self.duration_s:
            raise ValueError(
                f"warmup_s ({self.warmup_s}) must be shorter than duration_s ({self.duration_s})"
            )
        return self
