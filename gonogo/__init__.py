"""gonogo: verify a deployment with pytest and turn the results into GO, HOLD, NO-GO or ROLLBACK."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from gonogo.environment import Environment, EnvironmentFileError, LoadedEnvironment, UnknownEnvironmentError
from gonogo.results import CheckResult, Finding, FindingVerdict, Outcome, Stage

try:
    __version__ = version("gonogo")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "CheckResult",
    "Environment",
    "EnvironmentFileError",
    "Finding",
    "FindingVerdict",
    "LoadedEnvironment",
    "Outcome",
    "Stage",
    "UnknownEnvironmentError",
    "__version__",
]
