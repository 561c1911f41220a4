"""The demo's fault knobs: one table gives each knob its variable, its flag and the values it accepts.

Precedence: a command-line flag beats its ``GONOGO_DEMO_*`` variable, which beats the default. An empty
variable counts as unset, so CI templates that render ``GONOGO_DEMO_ERROR_RATE=`` leave the default alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard, get_args

from gonogo.errors import GonogoError

LatencyDist = Literal["fixed", "lognormal"]
HealthStatus = Literal["ok", "degraded"]

SECURITY_HEADERS: dict[str, str] = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'",
}
ITEM_FIELDS: tuple[str, ...] = ("id", "name", "price")

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class DemoSettingsError(GonogoError, ValueError):
    """A knob got a value it does not accept; the message names the variable or flag and what it accepts."""


@dataclass(frozen=True)
class DemoSettings:
    """How the demo misbehaves. The defaults describe a healthy service."""

    #: what ``/version`` reports; a value other than the deployed one is the "wrong version" fault
    version: str = "1.4.2"
    #: fraction of ``/api/*`` requests answered with an injected HTTP 500
    error_rate: float = 0.0
    #: seeds the fault dice so a test sees the same sequence every run; None draws from the OS
    seed: int | None = None
    #: added to each request except ``/metrics``; with ``lognormal`` it is the median
    latency_ms: float = 0.0
    latency_dist: LatencyDist = "fixed"
    #: spread of the lognormal latency (sigma of the underlying normal)
    latency_sigma: float = 0.5
    #: security headers left out of every response (lower case)
    drop_headers: frozenset[str] = frozenset()
    #: add ``x-powered-by`` and ``server`` headers that reveal the stack
    leak_headers: bool = False
    #: seconds to wait before binding the port, so readiness waits get exercised
    start_delay_s: float = 0.0
    health_status: HealthStatus = "ok"
    #: name of the environment variable holding the bearer token for ``/api/*``; never the token itself
    token_env: str | None = None
    #: the error and latency faults start this many seconds after the app is created
    fault_after_s: float = 0.0
    #: (old, new): rename a field of every item, a response-shape change
    rename_field: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        # Settings built in code get the same checks as settings read from the environment.
        for knob in KNOBS:
            value = getattr(self, knob.field)
            if not knob.check(value):
                raise DemoSettingsError(f"{knob.field} must be {knob.accepted}, given: {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> DemoSettings:
        """Read every ``GONOGO_DEMO_*`` variable; raise DemoSettingsError naming the first bad one."""
        return cls()._apply({knob.field: environ.get(knob.env, "") for knob in KNOBS}, source="env")

    def with_flags(self, args: argparse.Namespace) -> DemoSettings:
        """Apply the flags added by ``add_knob_flags`` on top of these settings (flags win)."""
        raw: dict[str, str] = {}
        for knob in KNOBS:
            value = getattr(args, knob.field, None)
            if isinstance(value, list):  # --drop-header is repeatable
                value = ",".join(value)
            if value is not None:
                raw[knob.field] = value
        return self._apply(raw, source="flag")

    def _apply(self, raw: Mapping[str, str], *, source: Literal["env", "flag"]) -> DemoSettings:
        changes: dict[str, Any] = {}
        for knob in KNOBS:
            text = raw.get(knob.field)
            if text is None or (text == "" and source == "env"):
                continue
            try:
                value = knob.convert(text)
                valid = knob.check(value)
            except ValueError:
                valid = False
            if not valid:
                name = knob.env if source == "env" else knob.flag
                raise DemoSettingsError(f"{name} must be {knob.accepted}, given: {text!r}")
            changes[knob.field] = value
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Knob:
    """One setting as the outside world sees it: where it comes from and what it accepts."""

    field: str
    env: str
    flag: str
    #: completes "<name> must be ...": used in error messages and in docs/demo.md
    accepted: str
    #: text to value; raises ValueError when the text is not even the right type
    convert: Callable[[str], Any]
    #: whether a typed value is in range; shared by text input and settings built in code
    check: Callable[[Any], bool]
    help: str
    metavar: str | None = None


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def is_non_negative_number(value: object) -> TypeGuard[float]:
    """A finite int or float >= 0; bools are ints to Python but not numbers to a person setting a knob."""
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    )


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)


def _header_set(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in text.split(",") if part.strip())


def _rename(text: str) -> tuple[str, str]:
    old, sep, new = text.partition(":")
    if not sep:
        raise ValueError(text)
    return old.strip(), new.strip()


def _valid_rename(value: Any) -> bool:
    if value is None:
        return True
    old, new = value
    return old in ITEM_FIELDS and bool(new) and new not in ITEM_FIELDS


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda value: value in choices


def _choices(literal: Any) -> tuple[str, ...]:
    return tuple(get_args(literal))


KNOBS: tuple[Knob, ...] = (
    Knob(
        field="version",
        env="GONOGO_DEMO_VERSION",
        flag="--report-version",
        accepted="a non-empty version string",
        convert=str.strip,
        check=lambda value: isinstance(value, str) and bool(value),
        help="version that /version reports (the wrong-version fault)",
        metavar="VERSION",
    ),
    Knob(
        field="error_rate",
        env="GONOGO_DEMO_ERROR_RATE",
        flag="--error-rate",
        accepted="a number from 0 to 1",
        convert=_number,
        check=lambda value: is_non_negative_number(value) and value <= 1,
        help="fraction of /api/* requests answered with HTTP 500",
        metavar="RATE",
    ),
    Knob(
        field="seed",
        env="GONOGO_DEMO_SEED",
        flag="--seed",
        accepted="an integer",
        convert=int,
        check=lambda value: value is None or (isinstance(value, int) and not isinstance(value, bool)),
        help="seed for the fault dice, for repeatable runs",
        metavar="N",
    ),
    Knob(
        field="latency_ms",
        env="GONOGO_DEMO_LATENCY_MS",
        flag="--latency-ms",
        accepted="a number of milliseconds >= 0",
        convert=_number,
        check=is_non_negative_number,
        help="latency added to every request but /metrics (the median when lognormal)",
        metavar="MS",
    ),
    Knob(
        field="latency_dist",
        env="GONOGO_DEMO_LATENCY_DIST",
        flag="--latency-dist",
        accepted="one of " + ", ".join(_choices(LatencyDist)),
        convert=str.strip,
        check=_one_of(_choices(LatencyDist)),
        help="shape of the added latency",
        metavar="|".join(_choices(LatencyDist)),
    ),
    Knob(
        field="latency_sigma",
        env="GONOGO_DEMO_LATENCY_SIGMA",
        flag="--latency-sigma",
        accepted="a number >= 0",
        convert=_number,
        check=is_non_negative_number,
        help="spread of the lognormal latency",
        metavar="SIGMA",
    ),
    Knob(
        field="drop_headers",
        env="GONOGO_DEMO_DROP_HEADERS",
        flag="--drop-header",
        accepted="a comma-separated list of " + ", ".join(SECURITY_HEADERS),
        convert=_header_set,
        check=lambda value: isinstance(value, frozenset) and value <= SECURITY_HEADERS.keys(),
        help="security header to leave out (repeatable)",
        metavar="NAME",
    ),
    Knob(
        field="leak_headers",
        env="GONOGO_DEMO_LEAK_HEADERS",
        flag="--leak-headers",
        accepted="one of " + ", ".join(word for pair in zip(_TRUE, _FALSE, strict=True) for word in pair),
        convert=_boolean,
        check=lambda value: isinstance(value, bool),
        help="add x-powered-by and server headers",
    ),
    Knob(
        field="start_delay_s",
        env="GONOGO_DEMO_START_DELAY_S",
        flag="--start-delay",
        accepted="a number of seconds >= 0",
        convert=_number,
        check=is_non_negative_number,
        help="seconds to wait before binding the port",
        metavar="SECONDS",
    ),
    Knob(
        field="health_status",
        env="GONOGO_DEMO_HEALTH",
        flag="--health",
        accepted="one of " + ", ".join(_choices(HealthStatus)),
        convert=str.strip,
        check=_one_of(_choices(HealthStatus)),
        help="degraded: /health answers 503",
        metavar="|".join(_choices(HealthStatus)),
    ),
    Knob(
        field="token_env",
        env="GONOGO_DEMO_TOKEN_ENV",
        flag="--token-env",
        accepted="an environment variable name (letters, digits, _)",
        convert=str.strip,
        check=lambda value: (
            value is None or (isinstance(value, str) and _ENV_NAME.fullmatch(value) is not None)
        ),
        help="variable holding the bearer token /api/* requires",
        metavar="NAME",
    ),
    Knob(
        field="fault_after_s",
        env="GONOGO_DEMO_FAULT_AFTER_S",
        flag="--fault-after",
        accepted="a number of seconds >= 0",
        convert=_number,
        check=is_non_negative_number,
        help="seconds of health before the error and latency faults start",
        metavar="SECONDS",
    ),
    Knob(
        field="rename_field",
        env="GONOGO_DEMO_RENAME_FIELD",
        flag="--rename-field",
        accepted=f"OLD:NEW with OLD one of {', '.join(ITEM_FIELDS)} and NEW a new field name",
        convert=_rename,
        check=_valid_rename,
        help="rename a field of every item (a response-shape change)",
        metavar="OLD:NEW",
    ),
)


def add_knob_flags(parser: argparse.ArgumentParser) -> None:
    """Add one flag per knob. Values stay text so flags and variables share one parser and one message."""
    group = parser.add_argument_group("fault knobs (each also read from its GONOGO_DEMO_* variable)")
    for knob in KNOBS:
        help_text = f"{knob.help} [{knob.env}]"
        if knob.field == "drop_headers":
            group.add_argument(
                knob.flag, dest=knob.field, action="append", metavar=knob.metavar, help=help_text
            )
        elif knob.field == "leak_headers":
            # const "1"/"0" rather than True/False: every flag value stays text, parsed like its variable
            group.add_argument(knob.flag, dest=knob.field, action="store_const", const="1", help=help_text)
            group.add_argument(
                "--no-leak-headers",
                dest=knob.field,
                action="store_const",
                const="0",
                help="undo --leak-headers",
            )
        else:
            group.add_argument(knob.flag, dest=knob.field, metavar=knob.metavar, help=help_text)
