"""What the smoke checks ask of the target: `[health]`, `[version]`, `[[routes]]`, `[security]`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from gonogo.environment._base import Section
from gonogo.environment.values import HeaderName, RequestPath

#: the longest a request may take at all ([http].timeout_s at most): a latency limit above it is no limit
MAX_LATENCY_MS = 300_000.0


class HealthConfig(Section):
    """The health endpoint."""

    path: RequestPath = Field("/health", description="Path of the health endpoint.")
    status: int = Field(200, ge=100, le=599, description="Expected HTTP status.")
    json_fields: dict[str, Any] = Field(
        default_factory=dict,
        alias="json",
        description='JSON fields the body must contain, by dotted path (e.g. `{ status = "ok" }`).',
    )


class VersionConfig(Section):
    """Where the deployed version is read."""

    path: RequestPath = Field("/version", description="Path of the version endpoint.")
    field: str = Field("version", min_length=1, description="Dotted path of the version in the JSON body.")


HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class RouteConfig(Section):
    """One route the smoke checks call (and the load profile exercises)."""

    name: str = Field(min_length=1, description="Shown in the check id, e.g. `test_route[list items]`.")
    method: HttpMethod = Field("GET", description="HTTP method.")
    path: RequestPath = Field(
        description="Path on base_url, starting with a single `/` (a query is allowed; no scheme, host or "
        "`..` above the root)."
    )
    status: int = Field(200, ge=100, le=599, description="Expected HTTP status.")
    content_type: str | None = Field(
        None, description="Expected media type (prefix match, e.g. `application/json`)."
    )
    schema_file: str | None = Field(
        None, alias="schema", description="JSON Schema file for the body, relative to the environment file."
    )
    json_body: Any = Field(None, alias="json", description="JSON body to send.")
    max_latency_ms: float | None = Field(
        None, gt=0, le=MAX_LATENCY_MS, description="Fail if one request takes longer."
    )
    destructive: bool = Field(False, description="Changes state: skipped on sensitive environments.")
    weight: int = Field(1, ge=0, le=1000, description="Relative weight of this route in the load profile.")


class SecurityConfig(Section):
    """Security headers and certificate checks."""

    required_headers: list[HeaderName] = Field(
        default_factory=list, description="Headers every response must carry."
    )
    forbidden_headers: list[HeaderName] = Field(
        default_factory=list, description="Headers no response may carry (e.g. `x-powered-by`)."
    )
    forbidden_only_with_version: list[HeaderName] = Field(
        default_factory=lambda: ["server"],
        description="Of `forbidden_headers`, those that are a problem only when their value carries a "
        "version number (`server: nginx/1.25.3`, not `server: nginx`). `[]` forbids `server` outright.",
    )
    tls_min_days: int = Field(
        14, ge=0, le=3650, description="The certificate must stay valid at least this many days."
    )
