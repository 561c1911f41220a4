"""What one load run does, resolved from the environment file: routes, users, rate, time bounds and caps.

A :class:`LoadPlan` is plain data. The pytest process builds it (``build_plan``), writes it as JSON and
hands the file to the locust child, which runs exactly that; a locust master sends it to its workers.
It never holds a secret value: the bearer token is named, and routes, headers and the base URL's
userinfo keep the environment file's own text, ``${NAME}`` references included, which each locust
process fills from its own environment (``gonogo.loadgen.templates``). The base URL itself carries no
userinfo: it goes on the locust child's command line.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from gonogo.environment import LoadedEnvironment
from gonogo.errors import GonogoError
from gonogo.loadgen.templates import escaped, raw_file, split_userinfo, template

Mode = Literal["closed", "open"]

#: a plan file says what it is, so a file from something else is refused with a clear message
PLAN_FORMAT = "gonogo-load-plan/1"
#: the largest response body a load request may carry; a larger one is a failed request (a few MiB:
#: an API answer of that size is a bug, and reading it would cost the generator its accuracy)
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
#: seconds a locust child gets beyond the run itself: interpreter and locust start (~2 s), a locust
#: master collecting its workers' last samples (bounded at 10 s), the HTML report and the results file
_START_AND_STOP_MARGIN_S = 40.0


class PlanError(GonogoError, ValueError):
    """The environment cannot be turned into a load run; the message names the key and the fix."""


class NothingToLoad(PlanError):
    """No route qualifies for load (none configured, all destructive, or all weight 0)."""


@dataclass(frozen=True)
class RoutePlan:
    """One ``[[routes]]`` entry as the load profile calls it; name, path and body as the file wrote them."""

    name: str
    method: str
    path: str
    status: int
    weight: int
    json_body: Any = None


@dataclass(frozen=True)
class LoadPlan:
    """Everything a locust process needs to run the environment's load, and the limits that judge it."""

    environment: str
    base_url: str
    routes: tuple[RoutePlan, ...]
    mode: Mode = "closed"
    users: int = 10
    spawn_rate: float = 10.0
    duration_s: float = 20.0
    warmup_s: float = 2.0
    #: open model: the arrival rate; closed model: a ceiling the users pace themselves to (or None)
    rate_per_s: float | None = None
    processes: int = 1
    #: per request (connect and read), from ``[http].timeout_s``; also bounds reading a body
    request_timeout_s: float = 5.0
    #: a response body larger than this is a failed request (``GONOGO_LOAD_MAX_BODY_BYTES``)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    verify_tls: bool = True
    ca_bundle: str | None = None
    #: header values may hold ``${NAME}`` references, filled in by each locust process
    headers: Mapping[str, str] = field(default_factory=dict)
    #: the base URL's ``user:password`` as the file wrote it (references kept); sent as Basic auth
    #: unless a bearer secret is set
    userinfo: str | None = None
    #: name of the environment variable holding the bearer token, never its value
    bearer_secret: str | None = None
    p95_ms: float = 500.0
    max_error_rate: float = 0.01
    min_requests: int = 100
    max_generator_cpu: float = 90.0
    rate_tolerance: float = 0.05
    sensitive: bool = False
    #: what the sensitive-environment policy changed, one sentence each (empty: nothing capped)
    caps: tuple[str, ...] = ()

    @property
    def measured_s(self) -> float:
        """Length of the measured window: the run minus its warm-up."""
        return self.duration_s - self.warmup_s

    @property
    def model(self) -> str:
        """One phrase for reports: ``closed model, 10 users, 1 process``."""
        return self.describe()

    def describe(self, processes: int | None = None) -> str:
        """``model`` with the number of processes that actually sent load (a master's workers)."""
        count = self.processes if processes is None else processes
        processes_text = f"{count} process" + ("es" if count > 1 else "")
        if self.mode == "open":
            rate = f"{self.rate_per_s:g} req/s scheduled"
            return f"open model, {rate}, up to {self.users} in flight, {processes_text}"
        paced = f", paced to {self.rate_per_s:g} req/s" if self.rate_per_s else ""
        return f"closed model, {self.users} users{paced}, {processes_text}"

    def hard_timeout_s(self) -> float:
        """The longest the locust child may live before it is killed."""
        return self.duration_s + _START_AND_STOP_MARGIN_S + 0.1 * self.duration_s

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["headers"] = dict(self.headers)
        data["routes"] = [asdict(route) for route in self.routes]
        data["caps"] = list(self.caps)
        return {"format": PLAN_FORMAT, **data}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoadPlan:
        if data.get("format") != PLAN_FORMAT:
            raise PlanError(
                f"not a gonogo load plan (format {data.get('format')!r}, expected {PLAN_FORMAT!r})"
            )
        values = {key: value for key, value in data.items() if key != "format"}
        values["routes"] = tuple(RoutePlan(**route) for route in values.get("routes", ()))
        values["caps"] = tuple(values.get("caps", ()))
        values["headers"] = dict(values.get("headers", {}))
        return cls(**values)

    @classmethod
    def read(cls, path: Path) -> LoadPlan:
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise PlanError(f"load plan {path}: {exc}") from None

    def with_overrides(
        self,
        *,
        users: int | None = None,
        spawn_rate: float | None = None,
        duration_s: float | None = None,
        base_url: str | None = None,
    ) -> LoadPlan:
        """The plan with locust's own ``-u``/``-r``/``-t``/``-H`` applied (plain ``locust`` runs)."""
        changes: dict[str, Any] = {}
        if users is not None:
            changes["users"] = users
        if spawn_rate is not None:
            changes["spawn_rate"] = spawn_rate
        if duration_s is not None:
            changes["duration_s"] = duration_s
            changes["warmup_s"] = min(self.warmup_s, duration_s / 2)
        if base_url is not None:
            bare, userinfo = split_userinfo(base_url.rstrip("/"))
            changes["base_url"] = bare
            if userinfo is not None:
                changes["userinfo"] = escaped(userinfo)
        return replace(self, **changes)


def build_plan(
    loaded: LoadedEnvironment,
    *,
    base_url: str,
    allow_destructive: bool = False,
    allow_full_load: bool = False,
    processes: int | None = None,
    users: int | None = None,
    spawn_rate: float | None = None,
    duration_s: float | None = None,
) -> LoadPlan:
    """Resolve the environment's ``[load]``, ``[[routes]]`` and ``[http]`` into a plan.

    Destructive routes take part only with ``allow_destructive`` (load repeats a request thousands of
    times). ``users``, ``spawn_rate`` and ``duration_s`` override the file (locust's ``-u -r -t``). On a
    sensitive environment users and rate are then capped unless ``allow_full_load``.
    """
    env = loaded.model
    config = env.load
    raw = raw_file(loaded.path)
    raw_routes = [_table(item) for item in raw.get("routes", [])]
    raw_routes += [{}] * (len(env.routes) - len(raw_routes))
    routes = tuple(
        RoutePlan(
            name=template(written.get("name"), route.name),
            method=route.method,
            path=template(written.get("path"), route.path),
            status=route.status,
            weight=route.weight,
            json_body=template(written.get("json"), route.json_body),
        )
        for route, written in zip(env.routes, raw_routes, strict=False)
        if route.weight > 0 and (allow_destructive or not route.destructive)
    )
    if not routes:
        raise NothingToLoad(_nothing_to_load(loaded, allow_destructive))
    raw_headers = _table(_table(raw.get("http")).get("headers"))
    bare_url, userinfo = split_userinfo(base_url.rstrip("/"))
    if userinfo is not None:
        # the file's text when the credentials are the file's (not a -H of someone's own)
        raw_url = raw.get("base_url")
        _, raw_userinfo = split_userinfo(raw_url) if isinstance(raw_url, str) else (None, None)
        file_userinfo = split_userinfo(env.base_url)[1]
        userinfo = raw_userinfo if raw_userinfo and file_userinfo == userinfo else escaped(userinfo)
    ca_bundle = str((loaded.path.parent / env.http.ca_bundle).resolve()) if env.http.ca_bundle else None
    plan = LoadPlan(
        environment=loaded.name,
        base_url=bare_url,
        routes=routes,
        mode=config.mode,
        users=config.users,
        spawn_rate=config.spawn_rate,
        duration_s=config.duration_s,
        warmup_s=config.warmup_s,
        rate_per_s=config.rate_per_s,
        processes=processes if processes is not None else config.processes,
        request_timeout_s=env.http.timeout_s,
        verify_tls=env.http.verify_tls,
        ca_bundle=ca_bundle,
        headers={name: template(raw_headers.get(name), value) for name, value in env.http.headers.items()},
        userinfo=userinfo,
        bearer_secret=env.http.bearer_secret,
        p95_ms=config.p95_ms,
        max_error_rate=config.max_error_rate,
        min_requests=config.min_requests,
        max_generator_cpu=config.max_generator_cpu,
        rate_tolerance=config.rate_tolerance,
        sensitive=env.sensitive,
    ).with_overrides(users=users, spawn_rate=spawn_rate, duration_s=duration_s)
    if env.sensitive and not allow_full_load:
        plan = apply_sensitive_caps(
            plan, max_users=config.sensitive_max_users, max_rate_per_s=config.sensitive_max_rate_per_s
        )
    return plan


def apply_sensitive_caps(plan: LoadPlan, *, max_users: int, max_rate_per_s: float) -> LoadPlan:
    """Cap users and rate; each change is described in ``plan.caps`` for the report."""
    caps = list(plan.caps)
    users = plan.users
    rate = plan.rate_per_s
    if users > max_users:
        caps.append(f"users {users} -> {max_users} (sensitive_max_users)")
        users = max_users
    if plan.mode == "open":
        assert rate is not None  # LoadConfig requires it for the open model
        if rate > max_rate_per_s:
            caps.append(f"rate {rate:g} -> {max_rate_per_s:g} req/s (sensitive_max_rate_per_s)")
            rate = max_rate_per_s
    elif rate is None or rate > max_rate_per_s:
        # closed-model users would otherwise send as fast as the target answers
        before = "unpaced" if rate is None else f"{rate:g} req/s"
        caps.append(f"rate {before} -> at most {max_rate_per_s:g} req/s (sensitive_max_rate_per_s)")
        rate = max_rate_per_s
    return replace(
        plan, users=users, rate_per_s=rate, spawn_rate=min(plan.spawn_rate, users), caps=tuple(caps)
    )


def host_pattern(base_url: str) -> re.Pattern[str]:
    """Which hosts a plan may load: its base URL, where ``{port}`` (a launched target) is any port.

    Credentials are no part of where load goes: match against a URL without them (``split_userinfo``).
    """
    pattern = re.escape(split_userinfo(base_url.rstrip("/"))[0]).replace(re.escape("{port}"), r"\d+")
    return re.compile(rf"{pattern}/?")


def spawn_seconds(plan: LoadPlan) -> float:
    """How long spawning every user takes; a warm-up shorter than this measures the ramp."""
    return math.ceil(plan.users / plan.spawn_rate * 10) / 10


def _table(node: Any) -> dict[str, Any]:
    """A table of the raw file, or an empty one where the file has something else (the loader said so)."""
    return node if isinstance(node, dict) else {}


def _nothing_to_load(loaded: LoadedEnvironment, allow_destructive: bool) -> str:
    routes = loaded.model.routes
    if not routes:
        return f"{loaded.path.name} has no [[routes]]: nothing to put under load"
    destructive = [route.name for route in routes if route.destructive and route.weight > 0]
    if destructive and not allow_destructive:
        return (
            f"every [[routes]] entry of {loaded.path.name} with a weight is destructive "
            f"({', '.join(destructive)}): load runs them only with --allow-destructive"
        )
    return f"every [[routes]] entry of {loaded.path.name} has weight = 0: nothing to put under load"
