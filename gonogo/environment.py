"""The environment file: pydantic models, ``${VAR}`` interpolation, loading and error messages.

An environment is ``environments/<name>.toml``. Loading it never sends a request: every problem
(missing file, TOML syntax, unknown key, wrong type, unset variable) becomes an
:class:`EnvironmentFileError` whose message names the file, the key path and the fix. The plugin turns
that into a ``pytest.UsageError`` (exit 4) before any test runs.

Exceptions::

    EnvironmentFileError        the file exists but cannot be used (syntax, schema, interpolation)
    └── UnknownEnvironmentError no file for that name; the message lists the environments that exist
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_SUFFIX = ".toml"


class EnvironmentFileError(Exception):
    """An environment file that cannot be used; the message says where and how to fix it."""


class UnknownEnvironmentError(EnvironmentFileError):
    """``--env NAME`` names no file in the environments folder."""


def _http_url(url: str) -> str:
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError(f"must be an http:// or https:// URL, got {url!r}")
    return url.rstrip("/")


#: a URL gonogo will call: http(s) only, without a trailing slash
HttpUrlText = Annotated[str, AfterValidator(_http_url)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LaunchConfig(_Section):
    """Start the target locally (the demo, or a service under test in CI) and stop it at the end."""

    command: list[str] = Field(
        min_length=1,
        description="Command and arguments. `{port}` becomes a free loopback port, `{python}` the "
        "interpreter running pytest, `{env_dir}` the folder of the environment file, `{baseline_port}` a "
        "second free port for a baseline the command also starts (`[baseline].base_url` may use it).",
    )
    ready_path: str = Field("/health", description="Path polled until it answers 2xx.")
    timeout_s: float = Field(30.0, gt=0, le=600, description="Give up waiting for readiness after this long.")
    cwd: str | None = Field(None, description="Working directory, relative to the environment file's folder.")
    env: dict[str, str] = Field(
        default_factory=dict, description="Extra environment variables for the launched process."
    )
    generate_secrets: list[str] = Field(
        default_factory=list,
        description="Secret names to fill with a random value when unset: a throwaway token shared by "
        "the launched target and the checks (local targets only).",
    )


class HttpConfig(_Section):
    """How checks talk to the target."""

    timeout_s: float = Field(
        5.0, gt=0, le=300, description="Connect/read/write timeout of one request attempt."
    )
    retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Extra attempts on transient network errors (connection failures for every method; "
        "read timeouts and broken connections for GET/HEAD/OPTIONS), never on HTTP statuses; the total "
        "time is bounded by timeout_s x (retries + 1).",
    )
    verify_tls: bool = Field(True, description="Verify the server certificate on https.")
    ca_bundle: str | None = Field(
        None, description="A CA file to verify against instead of the system store (relative to the file)."
    )
    headers: dict[str, str] = Field(default_factory=dict, description="Headers sent with every request.")
    bearer_secret: str | None = Field(
        None, description="Name of the secret sent as `Authorization: Bearer <value>`; never printed."
    )


class SecretsConfig(_Section):
    """Secrets are named, never written in the file: their values come from the process environment."""

    required: list[str] = Field(
        default_factory=list, description="Environment variables that must be set and non-empty."
    )

    @field_validator("required")
    @classmethod
    def _names_are_env_vars(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"{name!r} is not an environment variable name (letters, digits, _)")
        return names


class HealthConfig(_Section):
    """The health endpoint."""

    path: str = Field("/health", description="Path of the health endpoint.")
    status: int = Field(200, ge=100, le=599, description="Expected HTTP status.")
    json_fields: dict[str, Any] = Field(
        default_factory=dict,
        alias="json",
        description='JSON fields the body must contain, by dotted path (e.g. `{ status = "ok" }`).',
    )


class VersionConfig(_Section):
    """Where the deployed version is read."""

    path: str = Field("/version", description="Path of the version endpoint.")
    field: str = Field("version", description="Dotted path of the version in the JSON body.")


HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class RouteConfig(_Section):
    """One route the smoke checks call (and the load profile exercises)."""

    name: str = Field(min_length=1, description="Shown in the check id, e.g. `test_route[list items]`.")
    method: HttpMethod = Field("GET", description="HTTP method.")
    path: str = Field(description="Path, starting with `/`.")
    status: int = Field(200, ge=100, le=599, description="Expected HTTP status.")
    content_type: str | None = Field(
        None, description="Expected media type (prefix match, e.g. `application/json`)."
    )
    schema_file: str | None = Field(
        None, alias="schema", description="JSON Schema file for the body, relative to the environment file."
    )
    json_body: Any = Field(None, alias="json", description="JSON body to send.")
    max_latency_ms: float | None = Field(None, gt=0, description="Fail if one request takes longer.")
    destructive: bool = Field(False, description="Changes state: skipped on sensitive environments.")
    weight: int = Field(1, ge=0, le=1000, description="Relative weight of this route in the load profile.")

    @field_validator("path")
    @classmethod
    def _path_is_absolute(cls, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"must start with '/', got {path!r}")
        return path


class SecurityConfig(_Section):
    """Security headers and certificate checks."""

    required_headers: list[str] = Field(
        default_factory=list, description="Headers every response must carry."
    )
    forbidden_headers: list[str] = Field(
        default_factory=list, description="Headers no response may carry (e.g. `x-powered-by`)."
    )
    forbidden_only_with_version: list[str] = Field(
        default_factory=lambda: ["server"],
        description="Of `forbidden_headers`, those that are a problem only when their value carries a "
        "version number (`server: nginx/1.25.3`, not `server: nginx`). `[]` forbids `server` outright.",
    )
    tls_min_days: int = Field(
        14, ge=0, description="The certificate must stay valid at least this many days."
    )


class PrecheckConfig(_Section):
    """Inputs of the pre-deploy checks (docs/checks.md). Paths are relative to the project root: the
    folder above the environments folder (absolute paths are taken as they are)."""

    junit: list[str] = Field(
        default_factory=list,
        description="Globs of upstream JUnit XML files that must be green (`**` recurses); a glob matching "
        "no file fails.",
    )
    lockfiles: list[str] = Field(
        default_factory=list,
        description="Dependency lock files whose pins are checked: requirements-style, `package-lock.json`, "
        "`uv.lock`, `poetry.lock` (compared with the `package.json` / `pyproject.toml` beside them).",
    )
    wrangler_toml: str | None = Field(
        None, description="Cloudflare Workers config to validate for this environment."
    )
    wrangler_env: str | None = Field(
        None, description="The `[env.<name>]` section to require (default: the environment's name)."
    )


class LoadConfig(_Section):
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


class CompareConfig(_Section):
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
        100, ge=1, le=2000, description="Requests per route and side (the same count to both)."
    )
    max_duration_s: float = Field(
        60.0, gt=0, le=3600, description="Stop sending after this long; fewer samples may be inconclusive."
    )
    concurrency: int = Field(
        4, ge=1, le=64, description="Request pairs in flight at once (each pair: baseline and candidate)."
    )
    seed: int | None = Field(
        None, description="Seeds the request order (route draws, which side goes first) to repeat a run."
    )
    confidence: float = Field(
        0.98, gt=0.5, lt=1, description="Confidence level of the tests and intervals (0.98: alpha 0.02)."
    )
    min_samples: int = Field(
        50, ge=2, description="Fewer samples on either side: the finding is inconclusive, never a pass."
    )
    latency_tolerance: float = Field(
        0.10,
        ge=0,
        le=10,
        description="Tolerated latency shift, as a fraction of the baseline's p50 (0.10: 10 %).",
    )
    latency_tolerance_ms: float = Field(
        1.0,
        ge=0,
        description="The tolerated shift is at least this many milliseconds (a floor for fast routes).",
    )
    p95_increase_limit: float = Field(
        0.5,
        ge=0,
        description="Effect-size limit: the candidate's p95 may be at most this fraction above the "
        "baseline's.",
    )
    error_rate_increase: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Allowed increase of the error rate, candidate minus baseline (0.01: one point).",
    )

    @field_validator("stage")
    @classmethod
    def _known_stage(cls, stage: str) -> str:
        if stage not in ("postdeploy", "smoke"):
            raise ValueError(f'must be "postdeploy" or "smoke", got {stage!r}')
        return stage


class ParityConfig(_Section):
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


class BaselineConfig(_Section):
    """The live deployment the candidate replaces (blue when the candidate is green)."""

    base_url: HttpUrlText = Field(
        description="URL of the baseline. With `[launch]`, `{baseline_port}` is the port the launch command "
        "was given for a baseline it starts."
    )
    version: str | None = Field(None, description="Version the baseline is expected to report, when known.")
    rollback_command: str | None = Field(
        None,
        description="The command that sends traffic back to the baseline, printed under NEXT STEPS on "
        "ROLLBACK (e.g. `wrangler rollback ${BLUE_VERSION_ID} --env production -y`).",
    )
    compare: CompareConfig = Field(default_factory=CompareConfig)
    parity: ParityConfig = Field(default_factory=ParityConfig)


class PrometheusConfig(_Section):
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
    timeout_s: float = Field(5.0, gt=0, le=60, description="Timeout of one query.")

    @model_validator(mode="after")
    def _has_a_query(self) -> PrometheusConfig:
        if self.error_rate_query is None and self.p95_ms_query is None:
            raise ValueError(
                "give error_rate_query, p95_ms_query or both: there is nothing to ask Prometheus"
            )
        return self


class WatchConfig(_Section):
    """The post-promotion watch: health, version and a request sample at each interval (docs/bluegreen.md).

    The limits mean what they mean in Argo Rollouts' AnalysisRun: a limit is exceeded when the count
    goes above it."""

    duration_s: float = Field(
        300.0, gt=0, le=86_400, description="How long to watch; `--watch DURATION` overrides it."
    )
    interval_s: float = Field(10.0, gt=0, le=3600, description="Time between the starts of two measurements.")
    failure_limit: int = Field(
        0, ge=0, description="Failed measurements tolerated; one more ends the watch: failed (ROLLBACK)."
    )
    consecutive_error_limit: int = Field(
        4,
        ge=0,
        description="Measurements in a row that got no answer (network errors) tolerated; one more ends the "
        "watch: failed (ROLLBACK).",
    )
    inconclusive_limit: int = Field(
        0,
        ge=0,
        description="Inconclusive measurements tolerated; one more ends the watch: inconclusive (HOLD).",
    )
    sample_requests: int = Field(
        10, ge=0, le=1000, description="Requests to the GET routes in each measurement (round robin)."
    )
    max_error_rate: float | None = Field(
        None,
        ge=0,
        le=1,
        description="A measurement fails above this error rate. Default: `[load].max_error_rate`.",
    )
    p95_ms: float | None = Field(
        None, gt=0, description="A measurement fails above this p95 (ms). Default: `[load].p95_ms`."
    )
    prometheus: PrometheusConfig | None = Field(
        None, description="Also ask Prometheus for the error rate and p95 at each measurement."
    )


class GateConfig(_Section):
    """How results become a verdict."""

    pass_score: float = Field(90.0, ge=0, le=100, description="Weighted score needed for GO.")
    warn_score: float = Field(75.0, ge=0, le=100, description="Below this score the verdict is NO-GO.")
    notify_url: str | None = Field(None, description="POST gate.json here after the verdict.")

    @model_validator(mode="after")
    def _ordered(self) -> GateConfig:
        if self.warn_score > self.pass_score:
            raise ValueError(f"warn_score ({self.warn_score}) must not exceed pass_score ({self.pass_score})")
        return self


class Environment(_Section):
    """One deployment target, as described by ``environments/<name>.toml``."""

    description: str = Field("", description="One line shown in the run header and reports.")
    base_url: HttpUrlText = Field(
        description="URL of the candidate. With `[launch]`, `{port}` is replaced by the launched port."
    )
    expected_version: str = Field(description="Version the target must report (usually `${DEPLOY_VERSION}`).")
    sensitive: bool = Field(
        False, description="Production-like: destructive checks are skipped and load is capped."
    )
    launch: LaunchConfig | None = Field(None, description="Start the target locally.")
    http: HttpConfig = Field(default_factory=HttpConfig)
    secrets: SecretsConfig = Field(default_factory=SecretsConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    version: VersionConfig = Field(default_factory=VersionConfig)
    routes: list[RouteConfig] = Field(default_factory=list, description="Routes the smoke checks call.")
    security: SecurityConfig = Field(default_factory=SecurityConfig)
    precheck: PrecheckConfig = Field(default_factory=PrecheckConfig)
    load: LoadConfig = Field(default_factory=LoadConfig)
    baseline: BaselineConfig | None = Field(
        None, description="The live deployment, for comparison and rollback."
    )
    gate: GateConfig = Field(default_factory=GateConfig)
    watch: WatchConfig | None = Field(
        None, description="Watch the candidate after promotion (also `--watch DURATION`)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Environment:
        if "{port}" in self.base_url and self.launch is None:
            raise ValueError("base_url uses {port} but there is no [launch] section to provide it")
        launches_baseline = self.launch is not None and any(
            "{baseline_port}" in a for a in self.launch.command
        )
        if (
            self.baseline is not None
            and "{baseline_port}" in self.baseline.base_url
            and not launches_baseline
        ):
            raise ValueError(
                "[baseline].base_url uses {baseline_port} but no [launch].command starts a baseline "
                "on it: add {baseline_port} to the command"
            )
        names = [route.name for route in self.routes]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"route names must be unique (they name the checks): {', '.join(duplicates)}")
        return self

    def secret_names(self) -> list[str]:
        """Every secret the run knows: the required ones and the bearer token's."""
        names = list(self.secrets.required)
        if self.http.bearer_secret and self.http.bearer_secret not in names:
            names.append(self.http.bearer_secret)
        return names


class LoadedEnvironment(BaseModel):
    """A validated environment with where it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    path: Path
    model: Environment

    def secret_values(self, environ: Mapping[str, str] | None = None) -> dict[str, SecretStr]:
        """The secrets that are set, read now (a launcher may have generated some)."""
        source = os.environ if environ is None else environ
        return {name: SecretStr(source[name]) for name in self.model.secret_names() if source.get(name)}


# --- interpolation ---------------------------------------------------------------------------

_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\})")


def interpolate(value: str, environ: Mapping[str, str], where: str) -> str:
    """Replace ``${VAR}`` and ``${VAR:-default}``; ``$$`` is a literal ``$``."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        found = environ.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise _InterpolationError(
            f"{where}: ${{{name}}} is not set. Fix: export {name}=..., "
            f"or give a default with ${{{name}:-value}}"
        )

    return _VAR.sub(substitute, value)


class _InterpolationError(Exception):
    pass


def _interpolate_tree(node: Any, environ: Mapping[str, str], path: tuple[str | int, ...]) -> Any:
    if isinstance(node, str):
        return interpolate(node, environ, _format_path(path))
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, environ, (*path, key)) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolate_tree(value, environ, (*path, index)) for index, value in enumerate(node)]
    return node


def _format_path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


# --- loading ---------------------------------------------------------------------------------


def shown(path: Path) -> str:
    """A path as people typed it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def available(env_dir: Path) -> list[str]:
    """Names of the environments in a folder."""
    if not env_dir.is_dir():
        return []
    return sorted(path.stem for path in env_dir.glob(f"*{ENV_SUFFIX}") if path.is_file())


def name_of(name: str) -> str:
    """The environment's name for ``--env``: a bare name, or the stem of a path to a .toml file."""
    return Path(name).stem if name.endswith(ENV_SUFFIX) or "/" in name else name


def resolve_path(name: str, env_dir: Path) -> Path:
    """The file for ``name``; a path to a .toml file is accepted as is."""
    if name.endswith(ENV_SUFFIX) or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise UnknownEnvironmentError(f"environment file {shown(path)} does not exist")
        return path
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise UnknownEnvironmentError(f"--env {name!r} is not an environment name (letters, digits, ., _, -)")
    path = env_dir / f"{name}{ENV_SUFFIX}"
    if not path.is_file():
        names = available(env_dir)
        listing = ", ".join(names) if names else "none"
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownEnvironmentError(
            f"unknown environment {name!r}: no file {shown(path)}.{hint} "
            f"Environments in {shown(env_dir)}/: {listing}. "
            f"Fix: pass one of them with --env, or create {shown(path)}."
        )
    return path


def load(name: str, env_dir: Path, environ: Mapping[str, str] | None = None) -> LoadedEnvironment:
    """Find, read, interpolate and validate an environment; raise :class:`EnvironmentFileError`."""
    path = resolve_path(name, env_dir)
    return load_file(path, name=path.stem, environ=environ)


def load_file(
    path: Path, *, name: str | None = None, environ: Mapping[str, str] | None = None
) -> LoadedEnvironment:
    source = os.environ if environ is None else environ
    where = shown(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise EnvironmentFileError(f"{where}: not valid TOML: {exc}. Fix the syntax at that line.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentFileError(f"{where}: cannot be read: {exc}") from None
    try:
        data = _interpolate_tree(raw, source, ())
    except _InterpolationError as exc:
        raise EnvironmentFileError(f"{where}: {exc}") from None
    try:
        model = Environment.model_validate(data)
    except ValidationError as exc:
        raise EnvironmentFileError(format_validation_error(path, exc)) from None
    return LoadedEnvironment(name=name or path.stem, path=path, model=model)


def format_validation_error(path: Path, error: ValidationError) -> str:
    """One line per problem, each naming the key path and the fix."""
    lines = [f"{shown(path)}: {error.error_count()} problem(s) in the environment file:"]
    for item in error.errors():
        loc = tuple(item["loc"])
        lines.append(f"  - {_describe(loc, item)}")
    return "\n".join(lines)


def _describe(loc: tuple[str | int, ...], item: Any) -> str:
    kind = item["type"]
    where = _format_path(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        parent = f"in {_format_path(loc[:-1])}" if loc[:-1] else "at the top level"
        return f"{where}: unknown key {key!r} {parent}.{hint} Allowed keys: {', '.join(allowed)}."
    if kind == "missing":
        return f"{where}: required key is missing. Fix: add it (see `gonogo schema` or docs/environments.md)."
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    given = item.get("input")
    shown = "" if isinstance(given, dict | list) or kind.startswith("value_error") else f" (given: {given!r})"
    return f"{where}: {message}{shown}."


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] = Environment
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        if info is None:
            return []
        inner = _model_of(info.annotation)
        if inner is None:
            return []
        model = inner
    return sorted(info.alias or key for key, info in model.model_fields.items())


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the environment file, for editors (taplo, Even Better TOML)."""
    schema = Environment.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gonogo environment file"
    return schema
