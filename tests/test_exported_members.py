"""The public API of ``gonogo`` (for people who write their own checks) is what ``__all__`` says."""

from __future__ import annotations

import subprocess
import sys

import pytest

import gonogo

#: changing this list is an API change: say so in CHANGELOG.md
PUBLIC = {
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
}


def test_all_lists_exactly_the_public_names() -> None:
    assert set(gonogo.__all__) == PUBLIC
    assert len(gonogo.__all__) == len(set(gonogo.__all__))


def test_every_public_name_resolves_and_says_where_it_comes_from() -> None:
    for name in gonogo.__all__:
        member = getattr(gonogo, name)
        if name.startswith("__") or name.isupper():
            continue
        assert member.__module__.startswith("gonogo"), (name, member.__module__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        gonogo.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_every_error_gonogo_raises_on_purpose_is_a_gonogo_error() -> None:
    from gonogo import environment, launch, processes, run_options

    for error in (
        environment.EnvironmentFileError,
        environment.UnknownEnvironmentError,
        launch.LaunchError,
        processes.ChildDidNotStart,
        run_options.RunOptionsError,
    ):
        assert issubclass(error, gonogo.GonogoError), error


def test_import_gonogo_does_not_import_pytest() -> None:
    code = "import sys, gonogo; print('pytest' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"
