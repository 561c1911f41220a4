"""The gate's options: command line, environment variable, ini and the environment file's ``[gate]``.

--gate-mode enforce|report   GONOGO_GATE_MODE   ini gonogo_gate_mode   (default enforce)
--gate-pass-score N / --gate-warn-score N        [gate].pass_score / warn_score
--notify URL                                     [gate].notify_url
--notify-timeout S           seconds > 0, finite (default 5)
--keep-going                 run later stages after a critical precheck or smoke failure
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from gonogo.plugin.context import RunContext
from gonogo.plugin.option_types import positive_seconds
from gonogo.verdict import Policy


def add_options(parser: pytest.Parser) -> None:
    """The gate's own options (the exit code, scores, the webhook)."""
    gate = parser.getgroup("gonogo gate", "gonogo promotion gate")
    gate.addoption(
        "--gate-mode",
        dest="gonogo_gate_mode",
        choices=("enforce", "report"),
        help="enforce: the exit code is the verdict's (GO 0, HOLD 10, NO-GO 11, ROLLBACK 12); "
        "report: record the verdict, keep pytest's exit code. Default: $GONOGO_GATE_MODE, ini, enforce.",
    )
    gate.addoption(
        "--gate-pass-score",
        dest="gonogo_pass_score",
        type=float,
        metavar="N",
        help="score needed for GO (overrides [gate].pass_score).",
    )
    gate.addoption(
        "--gate-warn-score",
        dest="gonogo_warn_score",
        type=float,
        metavar="N",
        help="below this score: NO-GO (overrides [gate].warn_score).",
    )
    gate.addoption(
        "--notify",
        dest="gonogo_notify",
        metavar="URL",
        help="POST gate.json to this URL after the verdict (overrides [gate].notify_url).",
    )
    gate.addoption(
        "--notify-timeout",
        dest="gonogo_notify_timeout",
        type=positive_seconds,
        default=5.0,
        metavar="S",
        help="timeout of one webhook attempt in seconds, > 0 (3 attempts at most). Default: 5.",
    )
    gate.addoption(
        "--keep-going",
        dest="gonogo_keep_going",
        action="store_true",
        default=False,
        help="run every stage even after a critical precheck or smoke failure (by default it blocks "
        "the later stages: they are reported as blocked).",
    )
    parser.addini("gonogo_gate_mode", "enforce (default) or report", default="")


@dataclass(frozen=True)
class GateOptions:
    mode: str  # "enforce" | "report"
    policy: Policy
    notify_url: str | None
    notify_timeout_s: float


def resolve_options(config: pytest.Config, context: RunContext) -> GateOptions:
    """The gate's settings, first one set wins; a bad mode or scores out of order: a usage error."""
    assert context.loaded is not None
    gate_config = context.loaded.model.gate
    mode = (
        config.option.gonogo_gate_mode
        or os.environ.get("GONOGO_GATE_MODE")
        or config.getini("gonogo_gate_mode")
    )
    if mode not in ("", "enforce", "report"):
        raise pytest.UsageError(
            f"gate mode must be enforce or report, given: {mode!r} (GONOGO_GATE_MODE or ini)"
        )
    try:
        policy = Policy(
            pass_score=_first_set(config.option.gonogo_pass_score, gate_config.pass_score),
            warn_score=_first_set(config.option.gonogo_warn_score, gate_config.warn_score),
        )
    except ValueError as exc:
        raise pytest.UsageError(f"--gate-pass-score / --gate-warn-score: {exc}") from None
    options = GateOptions(
        mode=mode or "enforce",
        policy=policy,
        notify_url=config.option.gonogo_notify or gate_config.notify_url,
        notify_timeout_s=config.option.gonogo_notify_timeout,
    )
    return options


def _first_set(override: float | None, default: float) -> float:
    return default if override is None else override
