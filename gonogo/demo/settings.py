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
            if not knob.accepts.check(value):
                raise DemoSettingsError(f"{knob.field} must be {knob.accepts.phrase}, given: {value!r}")

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
                value = knob.accepts.convert(text)
                valid = knob.accepts.check(value)
            except ValueError:
                valid = False
            if not valid:
                name = knob.env if source == "env" else knob.flag
                raise DemoSettingsError(f"{name} must be {knob.accepts.phrase}, given: {text!r}")
            changes[knob.field] = value
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Accepts:
    """What a knob accepts: the text to value step, the range check and the words for both."""

    #: completes "<name> must be ...": used in error messages and in docs/demo.md
    phrase: str
    #: text to value; raises ValueError when the text is not even the right type
    convert: Callable[[str], Any]
    #: whether a typed value is in range; shared by text input and settings built in code
    check: Callable[[Any], bool]
    metavar: str | None = None


@dataclass(frozen=True)
class Knob:
    """One setting as the outside world sees it: where it comes from and what it accepts."""

    field: str
    env: str
    flag: str
    accepts: Accepts
    help: str


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


def _is_rate(value: object) -> bool:
    return is_non_negative_number(value) and value <= 1


def _is_seed(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _is_version(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _is_env_name(value: object) -> bool:
    return value is None or (isinstance(value, str) and _ENV_NAME.fullmatch(value) is not None)


def _is_boolean(value: object) -> bool:
    return isinstance(value, bool)


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)


def _header_set(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in text.split(",") if part.strip())


def _is_header_set(value: object) -> bool:
    return isinstance(value, frozenset) and value <= SECURITY_HEADERS.keys()


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


def _one_of(literal: Any) -> Accepts:
    choices: tuple[str, ...] = get_args(literal)
    return Accepts(
        "one of " + ", ".join(choices), str.strip, lambda value: value in choices, "|".join(choices)
    )


_BOOLEAN = Accepts(
    "one of " + ", ".join(word for pair in zip(_TRUE, _FALSE, strict=True) for word in pair),
    _boolean,
    _is_boolean,
)
_RENAME = Accepts(
    f"OLD:NEW with OLD one of {', '.join(ITEM_FIELDS)} and NEW a new field name",
    _rename,
    _valid_rename,
    "OLD:NEW",
)
_HEADERS = Accepts(
    "a comma-separated list of " + ", ".join(SECURITY_HEADERS), _header_set, _is_header_set, "NAME"
)
_SECONDS = Accepts("a number of seconds >= 0", _number, is_non_negative_number, "SECONDS")

# each: Knob(field, variable, flag, what it accepts, help)
KNOBS: tuple[Knob, ...] = (
    Knob(
        "version",
        "GONOGO_DEMO_VERSION",
        "--report-version",
        Accepts("a non-empty version string", str.strip, _is_version, "VERSION"),
        "version that /version reports (the wrong-version fault)",
    ),
    Knob(
        "error_rate",
        "GONOGO_DEMO_ERROR_RATE",
        "--error-rate",
        Accepts("a number from 0 to 1", _number, _is_rate, "RATE"),
        "fraction of /api/* requests answered with HTTP 500",
    ),
    Knob(
        "seed",
        "GONOGO_DEMO_SEED",
        "--seed",
        Accepts("an integer", int, _is_seed, "N"),
        "seed for the fault dice, for repeatable runs",
    ),
    Knob(
        "latency_ms",
        "GONOGO_DEMO_LATENCY_MS",
        "--latency-ms",
        Accepts("a number of milliseconds >= 0", _number, is_non_negative_number, "MS"),
        "latency added to every request but /metrics (the median when lognormal)",
    ),
    Knob(
        "latency_dist",
        "GONOGO_DEMO_LATENCY_DIST",
        "--latency-dist",
        _one_of(LatencyDist),
        "shape of the added latency",
    ),
    Knob(
        "latency_sigma",
        "GONOGO_DEMO_LATENCY_SIGMA",
        "--latency-sigma",
        Accepts("a number >= 0", _number, is_non_negative_number, "SIGMA"),
        "spread of the lognormal latency",
    ),
    Knob(
        "drop_headers",
        "GONOGO_DEMO_DROP_HEADERS",
        "--drop-header",
        _HEADERS,
        "security header to leave out (repeatable)",
    ),
    Knob(
        "leak_headers",
        "GONOGO_DEMO_LEAK_HEADERS",
        "--leak-headers",
        _BOOLEAN,
        "add x-powered-by and server headers",
    ),
    Knob(
        "start_delay_s",
        "GONOGO_DEMO_START_DELAY_S",
        "--start-delay",
        _SECONDS,
        "seconds to wait before binding the port",
    ),
    Knob(
        "health_status",
        "GONOGO_DEMO_HEALTH",
        "--health",
        _one_of(HealthStatus),
        "degraded: /health answers 503",
    ),
    Knob(
        "token_env",
        "GONOGO_DEMO_TOKEN_ENV",
        "--token-env",
        Accepts("an environment variable name (letters, digits, _)", str.strip, _is_env_name, "NAME"),
        "variable holding the bearer token /api/* requires",
    ),
    Knob(
        "fault_after_s",
        "GONOGO_DEMO_FAULT_AFTER_S",
        "--fault-after",
        _SECONDS,
        "seconds of health before the error and latency faults start",
    ),
    Knob(
        "rename_field",
        "GONOGO_DEMO_RENAME_FIELD",
        "--rename-field",
        _RENAME,
        "rename a field of every item (a response-shape change)",
    ),
)


def add_knob_flags(parser: argparse.ArgumentParser) -> None:
    """Add one flag per knob. Values stay text so flags and variables share one parser and one message."""
    group = parser.add_argument_group("fault knobs (each also read from its GONOGO_DEMO_* variable)")
    for knob in KNOBS:
        help_text = f"{knob.help} [{knob.env}]"
        if knob.field == "drop_headers":
            group.add_argument(
                knob.flag, dest=knob.field, action="append", metavar=knob.accepts.metavar, help=help_text
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
            group.add_argument(knob.flag, dest=knob.field, metavar=knob.accepts.metavar, help=help_text)
