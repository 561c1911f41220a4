"""Pre-deploy: dependencies are pinned, and lock files agree with their manifests ([precheck].lockfiles)."""

from __future__ import annotations

import pytest

from gonogo import FindingRecorder, FindingVerdict, LoadedEnvironment, not_applicable, parametrize_from_env
from gonogo import shown as shown_path
from gonogo.probes import lockfiles
from gonogo.probes.files import display, project_root


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_from_env(metafunc, "lockfile", lambda env: [(name, name) for name in env.precheck.lockfiles])


def test_dependencies_pinned(
    request: pytest.FixtureRequest,
    loaded_environment: LoadedEnvironment,
    findings: FindingRecorder,
    lockfile: str | None,
) -> None:
    if lockfile is None:
        not_applicable(
            request, f"{shown_path(loaded_environment.path)} names no lock files ([precheck].lockfiles)"
        )
    root = project_root(loaded_environment.path)
    path = root / lockfile
    shown = display(path, root)
    if not path.is_file():
        pytest.fail(
            f"[precheck].lockfiles: {shown} does not exist under {root} (paths are relative to the project "
            f"root, the environments folder's parent). "
            f"Fix: commit it, or correct {shown_path(loaded_environment.path)}",
            pytrace=False,
        )
    report = lockfiles.check(path)
    findings.record(
        "dependency pin problems",
        len(report.problems),
        limit=0,
        verdict=FindingVerdict.FAIL if report.problems else FindingVerdict.PASS,
        detail=f"{shown}: {report.entries} entries ({report.kind})" + "".join(f"; {n}" for n in report.notes),
    )
    message = report.message(shown)
    if message:
        pytest.fail(message, pytrace=False)
