"""Blue-green: `[baseline]` (with `.compare` and `.parity`) and `[watch]` (with `.prometheus`)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from gonogo.environment._base import Section
from gonogo.environment.load import MAX_ERROR_RATE, ErrorRate
from gonogo.environment.smoke import MAX_LATENCY_MS
from gonogo.environment.values import HttpUrlText, VersionText

#: failures, errors or inconclusive measurements a watch may tolerate at most
MAX_WATCH_LIMIT = 1000
#: a count of measurements a watch tolerates
WatchLimit = Annotated[int, Field(ge=0, le=MAX_WATCH_LIMIT)]
#: the confidence of a comparison or a watch: above 0.5, below 1
Confidence = Annotated[float, Field(gt=0.5, lt=1)]


class CompareConfig(Section):
    """`[baseline.compare]`: the same requests to baseline and candidate, judged route by route.

    Interleaved in time; judged on the latency shift (Mann-Whitney U, Hodges-Lehmann), the p95 and the
    error rate (docs/bluegreen.md)."""

    enabled: bool = Field(True, description="`false` turns the comparison check off (not applicable).")
    # a plain string in the schema (checked below), so `stage = "${COMPARE_STAGE:-postdeploy}"` validates
    # before interpolation: the same file serves the runs before and after the switch
    stage: str = Field(
        "postdeploy",
        description="`postdeploy`: the candidate is live (a failure is ROLLBACK); `smoke`: the candidate is "
        "the idle colour, before the switch (a failure is NO-GO).",
    )
    routes: list[str] | None = Field(
        None,
        description="Names of the `[[routes]]` to compare (GET, not destructive). Default: every such route.",
    )
    requests: int = Field(
        2000,
        ge=1,
        le=20_000,
        description="The most request pairs per route (one request to each side). The comparison looks "
        "after each batch and stops as soon as every measure is decided; this bounds it.",
    )
    max_duration_s: float = Field(
        60.0, ge=1, le=3600, description="Stop sending after this long; fewer samples may be inconclusive."
    )
    concurrency: int = Field(
        4, ge=1, le=64, description="Request pairs in flight at once (each pair: baseline and candidate)."
    )
    seed: int | None = Field(
        None, description="Seeds the request order (route draws, which side goes first) to repeat a run."
    )
    confidence: Confidence = Field(
        0.98, description="Confidence level of the tests and intervals (0.98: alpha 0.02)."
    )
    min_samples: int = Field(
        50,
        ge=2,
        le=2000,
        description="Fewer samples on either side: the finding is inconclusive, never a pass (always, when "
        "above `requests`: loading warns).",
    )
    latency_tolerance: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Tolerated latency shift, as a fraction of the baseline's p50 (0.10: 10 %).",
    )
    latency_tolerance_ms: float = Field(
        1.0,
        ge=0,
        le=10_000,
        description="The tolerated shift is at least this many milliseconds (a floor for fast routes).",
    )
    p95_increase_limit: float = Field(
        0.5,
        ge=0,
        le=10,
        description="Effect-size limit: the candidate's p95 may be at most this fraction above the "
        "baseline's.",
    )
    error_rate_increase: ErrorRate = Field(
        0.01,
        description="Allowed increase of the error rate, candidate minus baseline (0.01: one point).",
    )

    @field_validator("stage")
    @classmethod
    def _known_stage(cls, stage: str) -> str:
        if stage not in ("postdeploy", "smoke"):
            raise ValueError(f'must be "postdeploy" or "smoke", got {stage!r}. Fix: use one of them')
        return stage


class ParityConfig(Section):
    """`[baseline.parity]`: the GET routes answer the same status and JSON shape on both colours."""

    enabled: bool = Field(True, description="`false` turns the parity check off (not applicable).")
    compare: Literal["shape", "values"] = Field(
        "shape",
        description="`shape`: keys and JSON types; `values`: the values as well (volatile fields excepted).",
    )
    volatile_fields: list[str] = Field(
        default_factory=list,
        description="Fields ignored on both sides: a bare name (`updated_at`) at any depth, or a dotted path "
        "where `*` is any key or list index (`items.*.id`).",
    )


class BaselineConfig(Section):
    """The live deployment the candidate replaces (blue when the candidate is green)."""

    base_url: HttpUrlText = Field(
        description="URL of the baseline. With `[launch]`, `{baseline_port}` is the port the launch command "
        "was given for a baseline it starts."
    )
    version: VersionText | None = Field(
        None, description="Version the baseline is expected to report, when known."
    )
    rollback_command: str | None = Field(
        None,
        description="The command that sends traffic back to the baseline, printed under NEXT STEPS on "
        "ROLLBACK (e.g. `wrangler rollback ${BLUE_VERSION_ID} --env production -y`).",
    )
    compare: CompareConfig = Field(default_factory=CompareConfig)
    parity: ParityConfig = Field(default_factory=ParityConfig)


class PrometheusConfig(Section):
    """`[watch.prometheus]`: error rate and p95 from Prometheus at each measurement of the watch.

    Instant queries over the HTTP API (`/api/v1/query`). In the queries, `{{labels}}` becomes the
    `labels` as PromQL matchers and `{{window}}` the `window`."""

    url: HttpUrlText = Field(description="Base URL of the Prometheus server, e.g. `http://prometheus:9090`.")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description='Label matchers for the candidate, e.g. `{ job = "shop", colour = "green" }`.',
    )
    window: str = Field(
        "1m",
        pattern=r"^[0-9]+(ms|s|m|h)$",
        description="The range of `rate()` in the queries (`{{window}}`).",
    )
    error_rate_query: str | None = Field(
        None, description="PromQL giving the error rate as a fraction (0..1); compared with the watch limit."
    )
    p95_ms_query: str | None = Field(
        None, description="PromQL giving the p95 latency in milliseconds; compared with the watch limit."
    )
    timeout_s: float = Field(5.0, ge=0.1, le=60, description="Timeout of one query.")

    @model_validator(mode="after")
    def _has_a_query(self) -> PrometheusConfig:
        if self.error_rate_query is None and self.p95_ms_query is None:
            raise ValueError(
                "give error_rate_query, p95_ms_query or both: there is nothing to ask Prometheus. "
                "Fix: add a query, or remove [watch.prometheus]"
            )
        return self


class WatchConfig(Section):
    """The post-promotion watch: health, version and a request sample at each interval (docs/bluegreen.md).

    The limits mean what they mean in Argo Rollouts' AnalysisRun: a limit is exceeded when the count
    goes above it."""

    duration_s: float = Field(
        300.0, ge=1, le=86_400, description="How long to watch; `--watch DURATION` overrides it."
    )
    interval_s: float = Field(
        10.0, ge=0.1, le=3600, description="Time between the starts of two measurements."
    )
    failure_limit: WatchLimit = Field(
        0,
        description="Failed measurements tolerated; one more ends the watch: failed (ROLLBACK). Fewer than "
        "the measurements in duration_s.",
    )
    consecutive_error_limit: WatchLimit = Field(
        4,
        description="Measurements in a row that got no answer (network errors) tolerated; one more ends the "
        "watch: failed (ROLLBACK).",
    )
    inconclusive_limit: WatchLimit = Field(
        0,
        description="Inconclusive measurements tolerated; one more ends the watch: inconclusive (HOLD).",
    )
    sample_requests: int = Field(
        10,
        ge=0,
        le=1000,
        description="Requests to the GET routes in each measurement (round robin), at least; more when the "
        "watch would otherwise end with too few to show its limits held.",
    )
    confidence: Confidence = Field(
        0.99,
        description="The watch's false-ROLLBACK rate stays under 1 - confidence; the same confidence says "
        "whether a whole watch showed its limits held.",
    )
    max_error_rate: float | None = Field(
        None,
        ge=0,
        le=MAX_ERROR_RATE,
        description="A measurement fails above this error rate. Default: `[load].max_error_rate`.",
    )
    p95_ms: float | None = Field(
        None,
        gt=0,
        le=MAX_LATENCY_MS,
        description="A measurement fails above this p95 (ms). Default: `[load].p95_ms`.",
    )
    prometheus: PrometheusConfig | None = Field(
        None, description="Also ask Prometheus for the error rate and p95 at each measurement."
    )

    @model_validator(mode="after")
    def _can_fail(self) -> WatchConfig:
        measurements = self.measurements()
        if self.failure_limit >= measurements:
            raise ValueError(
                f"failure_limit ({self.failure_limit}) is not below the {measurements} measurement(s) of "
                f"duration_s {self.duration_s:g} s every interval_s {self.interval_s:g} s: the watch could "
                "never fail. Fix: lower failure_limit, or watch longer"
            )
        return self

    def measurements(self) -> int:
        """How many measurements the watch takes in ``duration_s`` (one at 0, one every interval, one
        at the end), as gonogo.bluegreen.watch schedules them."""
        count = math.floor(self.duration_s / self.interval_s + 1e-9)
        return count + 1 + (1 if self.duration_s - count * self.interval_s > 1e-6 else 0)
