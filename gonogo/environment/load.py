"""`[load]`: the post-deploy load check.

Every limit has an upper bound: a limit that can never be reached (``p95_ms = 1e308``, an error rate of
1) is a check switched off without anyone saying so, and a sensitive cap of a million users is no cap.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from gonogo.environment._base import Section
from gonogo.environment.smoke import MAX_LATENCY_MS

#: above this error rate tolerated, a load check judges nothing
MAX_ERROR_RATE = 0.5
#: a share of requests that fail: 0 to MAX_ERROR_RATE (a limit or an allowed increase)
ErrorRate = Annotated[float, Field(ge=0, le=MAX_ERROR_RATE)]
#: what a "sensitive" (production-like) cap may be at most; `--allow-full-load` is the way past it
SENSITIVE_USERS_CAP = 100
SENSITIVE_RATE_CAP = 100.0


class LoadConfig(Section):
    """The post-deploy load check (docs/load.md): a locust run against the base URL, judged on p95 and
    errors."""

    users: int = Field(
        10,
        ge=1,
        le=10_000,
        description="Concurrent users (closed model); the most requests in flight (open model).",
    )
    spawn_rate: float = Field(10.0, ge=0.1, le=10_000, description="Users started per second.")
    duration_s: float = Field(20.0, ge=1, le=3600, description="Length of the run, warm-up included.")
    warmup_s: float = Field(2.0, ge=0, description="Samples from the first seconds are discarded.")
    mode: Literal["closed", "open"] = Field(
        "closed",
        description="`closed`: each user sends its next request when the last one answered; "
        "`open`: requests leave on a fixed schedule of `rate_per_s`, timed from their scheduled send.",
    )
    rate_per_s: float | None = Field(
        None,
        ge=0.1,
        le=100_000,
        description="Open model: the arrival rate (requests per second, all users together). "
        "Closed model: an optional ceiling (users pace themselves and never catch up).",
    )
    processes: int = Field(
        1,
        ge=1,
        le=64,
        description="Locust processes on this machine (`--processes`); `--load-processes` overrides.",
    )
    p95_ms: float = Field(
        500.0,
        gt=0,
        le=MAX_LATENCY_MS,
        description="Fail when the p95 latency is above this.",
    )
    max_error_rate: ErrorRate = Field(0.01, description="Fail when the error rate is above this.")
    min_requests: int = Field(
        100,
        ge=1,
        le=10_000_000,
        description="Fewer requests after warm-up: inconclusive, not a pass. With `rate_per_s`, it must be "
        "reachable: at most rate_per_s x (duration_s - warmup_s).",
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
        le=0.5,
        description="Open model: inconclusive when the achieved rate is more than this fraction below "
        "rate_per_s.",
    )
    sensitive_max_users: int = Field(
        5,
        ge=1,
        le=SENSITIVE_USERS_CAP,
        description="On a sensitive environment, at most this many users unless `--allow-full-load`.",
    )
    sensitive_max_rate_per_s: float = Field(
        10.0,
        ge=0.1,
        le=SENSITIVE_RATE_CAP,
        description="On a sensitive environment, at most this many requests per second (both models) "
        "unless `--allow-full-load`.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> LoadConfig:
        if self.mode == "open" and self.rate_per_s is None:
            raise ValueError(
                'mode = "open" needs rate_per_s (requests per second). Fix: add it, e.g. rate_per_s = 50'
            )
        if self.warmup_s >= self.duration_s:
            raise ValueError(
                f"warmup_s ({self.warmup_s}) must be shorter than duration_s ({self.duration_s}). "
                "Fix: shorten the warm-up or lengthen the run"
            )
        reachable = self.most_requests()
        if reachable is not None and self.min_requests > reachable:
            raise ValueError(
                f"min_requests ({self.min_requests}) can never be met: rate_per_s x (duration_s - warmup_s) "
                f"= {self.rate_per_s:g} x {self.duration_s - self.warmup_s:g} s = {reachable} requests at "
                "most, so every run would be inconclusive. Fix: lower min_requests, or raise rate_per_s "
                "or duration_s"
            )
        return self

    def most_requests(self, rate_cap: float | None = None) -> int | None:
        """The most requests a run can judge after warm-up, when a rate bounds it (None: unbounded)."""
        rates = [rate for rate in (self.rate_per_s, rate_cap) if rate is not None]
        if not rates:
            return None
        # the schedule's last request may land on the end itself: the bound is inclusive
        return int(min(rates) * (self.duration_s - self.warmup_s)) + 1
