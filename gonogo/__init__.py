"""gonogo: verify a deployment with pytest and turn the results into GO, HOLD, NO-GO or ROLLBACK.

This is the public API for people who write their own checks (docs/writing-checks.md)::

    from gonogo import FindingRecorder, LoadedEnvironment, not_applicable

Everything else in the package is internal and may move between releases. The names that need pytest
(the fixture types and helpers of the pytest wing, ``gonogo.plugin``) are imported on first use, so
``import gonogo`` stays cheap and pytest-free for the command line and the plain modules.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from gonogo.environment import (
    Environment,
    EnvironmentFileError,
    LoadedEnvironment,
    RouteConfig,
    UnknownEnvironmentError,
    shown,
)
from gonogo.errors import GonogoError
from gonogo.lazy import lazy_attribute
from gonogo.model import STAGE_ORDER, CheckResult, Finding, FindingVerdict, Outcome, Stage
from gonogo.names import FINDING_ERROR_RATE, FINDING_P95, FINDING_ROLLBACK_READY, FINDING_VERSION
from gonogo.verdict import Decision, Reason, Verdict

if TYPE_CHECKING:
    from gonogo.plugin.api import loaded_environment_of, not_applicable, parametrize_from_env
    from gonogo.plugin.context import RunContext, run_context
    from gonogo.plugin.evidence import Evidence, FindingRecorder
    from gonogo.plugin.load import LoadCheck

try:
    __version__ = version("gonogo")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

#: public name -> the pytest-wing module that defines it (imported on first use)
_LAZY = {
    "Evidence": ".plugin.evidence",
    "FindingRecorder": ".plugin.evidence",
    "LoadCheck": ".plugin.load",
    "RunContext": ".plugin.context",
    "loaded_environment_of": ".plugin.api",
    "not_applicable": ".plugin.api",
    "parametrize_from_env": ".plugin.api",
    "run_context": ".plugin.context",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(globals(), _LAZY, name)


__all__ = [
    "FINDING_ERROR_RATE",
    "FINDING_P95",
    "FINDING_ROLLBACK_READY",
    "FINDING_VERSION",
    "STAGE_ORDER",
    "CheckResult",
    "Decision",
    "Environment",
    "EnvironmentFileError",
    "Evidence",
    "Finding",
    "FindingRecorder",
    "FindingVerdict",
    "GonogoError",
    "LoadCheck",
    "LoadedEnvironment",
    "Outcome",
    "Reason",
    "RouteConfig",
    "RunContext",
    "Stage",
    "UnknownEnvironmentError",
    "Verdict",
    "__version__",
    "loaded_environment_of",
    "not_applicable",
    "parametrize_from_env",
    "run_context",
    "shown",
]
