"""Smoke: the target runs the version this deployment is about (``[version]`` and ``expected_version``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import httpx

from gonogo import FINDING_VERSION, FindingRecorder, FindingVerdict, LoadedEnvironment, shown
from gonogo.probes.health import read_version


def test_version(
    http: httpx.Client,
    loaded_environment: LoadedEnvironment,
    expected_version: str,
    findings: FindingRecorder,
    fail: Callable[[str], NoReturn],
) -> None:
    reading = read_version(http, loaded_environment.model.version, expected_version)
    verdict = FindingVerdict.PASS if reading.ok else FindingVerdict.FAIL
    findings.record(FINDING_VERSION, reading.actual, limit=expected_version, verdict=verdict)
    if reading.ok:
        return
    fix = ""
    if reading.actual is not None:
        fix = (
            f"deploy {expected_version} to this target, or set expected_version in "
            f"{shown(loaded_environment.path)} to the version being verified"
        )
    fail(reading.message("version", fix=fix))
