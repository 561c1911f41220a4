"""The environment file: pydantic models, ``${VAR}`` interpolation, loading and error messages.

An environment is ``environments/<name>.toml``. Import everything from here; the modules behind it
each hold one concern::

    _base.py        the strict section base (strict types, numbers from ${VAR} text)
    values.py       rules for single values: URLs, request paths, headers, variable names, project paths
    target.py       [launch] [http] [secrets]
    smoke.py        [health] [version] [[routes]] [security]
    precheck.py     [precheck]
    load.py         [load]
    bluegreen.py    [baseline] (.compare, .parity), [watch] (.prometheus)
    gate.py         [gate]
    model.py        Environment (the whole file), LoadedEnvironment (a model and where it came from)
    interpolate.py  ${VAR} and ${VAR:-default}, recording what each filled in
    redaction.py    which interpolated values and URL credentials the redactor must know
    nesting.py      how deep a file may nest
    loading.py      find, read, validate; the messages
    files.py        the files an environment names (schemas, CA bundle, precheck inputs), checked
    schema.py       JSON Schema
    reference.py    the markdown reference in docs/environments.md
    errors.py       the exceptions

Exceptions (under :class:`gonogo.errors.GonogoError`)::

    EnvironmentFileError        the file exists but cannot be used (syntax, schema, interpolation)
    └── UnknownEnvironmentError no file for that name; the message lists the environments that exist
"""

from __future__ import annotations

from gonogo.environment.bluegreen import (
    BaselineConfig,
    CompareConfig,
    ParityConfig,
    PrometheusConfig,
    WatchConfig,
)
from gonogo.environment.errors import EnvironmentFileError, UnknownEnvironmentError
from gonogo.environment.files import check_referenced_files
from gonogo.environment.gate import GateConfig
from gonogo.environment.interpolate import Interpolated, interpolate
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
from gonogo.environment.values import HttpUrlText, redacted_url

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
    "Interpolated",
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
    "check_referenced_files",
    "format_validation_error",
    "interpolate",
    "json_schema",
    "load",
    "load_file",
    "name_of",
    "redacted_url",
    "resolve_path",
    "shown",
]
