"""The environment file: pydantic models, ``${VAR}`` interpolation, loading and error messages.

An environment is ``environments/<name>.toml``. Import everything from here; the modules behind it
each hold one concern::

    _base.py        the strict section base, the URL rule
    target.py       [launch] [http] [secrets]
    smoke.py        [health] [version] [[routes]] [security]
    precheck.py     [precheck]
    load.py         [load]
    bluegreen.py    [baseline] (.compare, .parity), [watch] (.prometheus)
    gate.py         [gate]
    model.py        Environment (the whole file), LoadedEnvironment (a model and where it came from)
    interpolate.py  ${VAR} and ${VAR:-default}
    loading.py      find, read, validate; the messages
    schema.py       JSON Schema
    reference.py    the markdown reference in docs/environments.md
    errors.py       the exceptions

Exceptions (under :class:`gonogo.errors.GonogoError`)::

    EnvironmentFileError        the file exists but cannot be used (syntax, schema, interpolation)
    └── UnknownEnvironmentError no file for that name; the message lists the environments that exist
"""

from __future__ import annotations

from gonogo.environment._base import HttpUrlText
from gonogo.environment.bluegreen import (
    BaselineConfig,
    CompareConfig,
    ParityConfig,
    PrometheusConfig,
    WatchConfig,
)
from gonogo.environment.errors import EnvironmentFileError, UnknownEnvironmentError
from gonogo.environment.gate import GateConfig
from gonogo.environment.interpolate import interpolate
from gonogo.environment.load import LoadConfig
from gonogo.environment.loading import (
    ENV_SUFFIX,
    available,
    format_validation_error,
    load,
    load_file,
    name_of,
    resolve_path,
    shown,
)
from gonogo.environment.model import Environment, LoadedEnvironment
from gonogo.environment.precheck import PrecheckConfig
from gonogo.environment.schema import json_schema
from gonogo.environment.smoke import HealthConfig, HttpMethod, RouteConfig, SecurityConfig, VersionConfig
from gonogo.environment.target import HttpConfig, LaunchConfig, SecretsConfig

__all__ = [
    "ENV_SUFFIX",
    "BaselineConfig",
    "CompareConfig",
    "Environment",
    "EnvironmentFileError",
    "GateConfig",
    "HealthConfig",
    "HttpConfig",
    "HttpMethod",
    "HttpUrlText",
    "LaunchConfig",
    "LoadConfig",
    "LoadedEnvironment",
    "ParityConfig",
    "PrecheckConfig",
    "PrometheusConfig",
    "RouteConfig",
    "SecretsConfig",
    "SecurityConfig",
    "UnknownEnvironmentError",
    "VersionConfig",
    "WatchConfig",
    "available",
    "format_validation_error",
    "interpolate",
    "json_schema",
    "load",
    "load_file",
    "name_of",
    "resolve_path",
    "shown",
]
