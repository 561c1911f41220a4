"""The whole file: the root :class:`Environment` and :class:`LoadedEnvironment` (a model and its file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from gonogo.environment._base import Section
from gonogo.environment.bluegreen import BaselineConfig, WatchConfig
from gonogo.environment.builtin import BuiltinConfig
from gonogo.environment.gate import GateConfig
from gonogo.environment.interpolate import Interpolated
from gonogo.environment.load import LoadConfig
from gonogo.environment.precheck import PrecheckConfig
from gonogo.environment.redaction import interpolated_values, userinfo_values
from gonogo.environment.smoke import HealthConfig, RouteConfig, SecurityConfig, VersionConfig
from gonogo.environment.target import HttpConfig, LaunchConfig, SecretsConfig
from gonogo.environment.values import HttpUrlText, VersionText, redacted_url


class Environment(Section):
    """One deployment target, as described by ``environments/<name>.toml``."""

    description: str = Field("", description="One line shown in the run header and reports.")
    base_url: HttpUrlText = Field(
        description="URL of the candidate. With `[launch]`, `{port}` is replaced by the launched port."
    )
    expected_version: VersionText = Field(
        description="Version the target must report (usually `${DEPLOY_VERSION}`); not empty."
    )
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
    builtin: BuiltinConfig = Field(default_factory=BuiltinConfig)

    @model_validator(mode="after")
    def _consistent(self) -> Environment:
        if "{port}" in self.base_url and self.launch is None:
            raise ValueError(
                "base_url: uses {port} but there is no [launch] section to provide it. Fix: add [launch] "
                "with a command that takes {port}, or write the port"
            )
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
                "on it. Fix: add {baseline_port} to the command"
            )
        names = [route.name for route in self.routes]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(
                f"routes: names must be unique (they name the checks): {', '.join(duplicates)}. "
                "Fix: rename one"
            )
        return self

    @property
    def shown_base_url(self) -> str:
        """``base_url`` with any ``user:password@`` shown as ``***@``: for headers, logs and reports."""
        return redacted_url(self.base_url)

    def urls(self) -> list[tuple[str, str]]:
        """Every URL the file gives, by key: where credentials may hide."""
        found = [("base_url", self.base_url)]
        if self.baseline is not None:
            found.append(("baseline.base_url", self.baseline.base_url))
        if self.watch is not None and self.watch.prometheus is not None:
            found.append(("watch.prometheus.url", self.watch.prometheus.url))
        if self.gate.notify_url is not None:
            found.append(("gate.notify_url", self.gate.notify_url))
        return found

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
    #: every value interpolation took from the process environment, with the key it went into
    interpolated: tuple[Interpolated, ...] = ()
    #: what loading noticed but did not refuse, one sentence each, for the plugin to print (the loader
    #: prints nothing)
    warnings: tuple[str, ...] = ()

    def secret_values(self, environ: Mapping[str, str] | None = None) -> dict[str, SecretStr]:
        """The secrets that are set, read now (a launcher may have generated some)."""
        source = os.environ if environ is None else environ
        return {name: SecretStr(source[name]) for name in self.model.secret_names() if source.get(name)}

    def redaction_values(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """Everything the redactor must scrub, by name: the secrets (as :meth:`secret_values`), every
        value interpolated into a URL, path, header or body, and the userinfo of every URL
        (gonogo/environment/redaction.py has the rule)."""
        values = interpolated_values(self.interpolated)
        values.update(userinfo_values(self.model.urls()))
        values.update({name: value.get_secret_value() for name, value in self.secret_values(environ).items()})
        return values
