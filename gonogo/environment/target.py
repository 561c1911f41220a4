"""Where the target is and how checks reach it: `[launch]`, `[http]`, `[secrets]`."""

from __future__ import annotations

from pydantic import Field

from gonogo.environment._base import Section
from gonogo.environment.values import EnvVarName, HeaderName, HeaderValue, RequestPath


class LaunchConfig(Section):
    """Start the target locally (the demo, or a service under test in CI) and stop it at the end."""

    command: list[str] = Field(
        min_length=1,
        description="Command and arguments. `{port}` becomes a free loopback port, `{python}` the "
        "interpreter running pytest, `{env_dir}` the folder of the environment file, `{baseline_port}` a "
        "second free port for a baseline the command also starts (`[baseline].base_url` may use it).",
    )
    ready_path: RequestPath = Field("/health", description="Path polled until it answers 2xx.")
    timeout_s: float = Field(
        30.0, ge=0.1, le=600, description="Give up waiting for readiness after this long."
    )
    cwd: str | None = Field(None, description="Working directory, relative to the environment file's folder.")
    env: dict[EnvVarName, str] = Field(
        default_factory=dict, description="Extra environment variables for the launched process."
    )
    generate_secrets: list[EnvVarName] = Field(
        default_factory=list,
        description="Secret names to fill with a random value when unset: a throwaway token shared by "
        "the launched target and the checks (local targets only).",
    )


class HttpConfig(Section):
    """How checks talk to the target."""

    timeout_s: float = Field(
        5.0, ge=0.1, le=300, description="Connect/read/write timeout of one request attempt."
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
    headers: dict[HeaderName, HeaderValue] = Field(
        default_factory=dict, description="Headers sent with every request."
    )
    bearer_secret: EnvVarName | None = Field(
        None, description="Name of the secret sent as `Authorization: Bearer <value>`; never printed."
    )
    max_body_bytes: int = Field(
        4 * 1024 * 1024,
        ge=1024,
        le=1024**3,
        description="Largest response body a check reads (bytes on the wire); a larger one fails the "
        "request. Bodies must also arrive within timeout_s x (retries + 1).",
    )


class SecretsConfig(Section):
    """Secrets are named, never written in the file: their values come from the process environment."""

    required: list[EnvVarName] = Field(
        default_factory=list, description="Environment variables that must be set and non-empty."
    )
