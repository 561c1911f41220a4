"""gonogo's reading of JUnit files that a real producer writes here and now: ``ctest --output-junit``
(CMake's test driver), on a project whose tests pass, fail, time out, are skipped the two ways ctest
knows, are disabled, and cannot start because their executable was never built.

ctest's own exit code and summary are the truth: gonogo must fail a file exactly when ctest failed the
run, and count the tests it does not pass as ctest does. The project needs no compiler (``LANGUAGES
NONE``; every test runs ``cmake -E``).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from gonogo.probes import junit
from tests.support.tools import system_tool

PASSES = "add_test(NAME passes COMMAND ${CMAKE_COMMAND} -E true)"
TESTS = {
    "passes": PASSES,
    "passes too": "add_test(NAME passes_too COMMAND ${CMAKE_COMMAND} -E echo ok)",
    "fails": "add_test(NAME fails COMMAND ${CMAKE_COMMAND} -E false)",
    "times out": "add_test(NAME times_out COMMAND ${CMAKE_COMMAND} -E sleep 5)\n"
    "set_tests_properties(times_out PROPERTIES TIMEOUT 1)",
    "skipped by output": "add_test(NAME skip_output COMMAND ${CMAKE_COMMAND} -E echo SKIPME)\n"
    "set_tests_properties(skip_output PROPERTIES SKIP_REGULAR_EXPRESSION SKIPME)",
    "skipped by code": "add_test(NAME skip_code COMMAND ${CMAKE_COMMAND} -E false)\n"
    "set_tests_properties(skip_code PROPERTIES SKIP_RETURN_CODE 1)",
    "disabled": "add_test(NAME disabled COMMAND ${CMAKE_COMMAND} -E true)\n"
    "set_tests_properties(disabled PROPERTIES DISABLED TRUE)",
    "never built": "add_test(NAME never_built COMMAND ${CMAKE_BINARY_DIR}/not-built-unit-tests)",
}


def _ctest(tmp_path: Path, *names: str) -> tuple[int, str, Path]:
    """Configure a project with the tests ``names`` and run ctest on it: exit code, output, JUnit."""
    cmake = system_tool("cmake", what="to write the ctest JUnit files these tests read")
    ctest = system_tool("ctest", what="to write the ctest JUnit files these tests read")
    source, build = tmp_path / "src", tmp_path / "build"
    source.mkdir()
    body = "\n".join(TESTS[name] for name in names)
    (source / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\nproject(gonogo_ctest LANGUAGES NONE)\nenable_testing()\n"
        f"{body}\n"
    )
    subprocess.run([cmake, "-S", source, "-B", build], check=True, capture_output=True, timeout=120)
    done = subprocess.run(
        [ctest, "--test-dir", build, "--output-junit", "junit.xml"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr, build / "junit.xml"


def _ctest_failed(output: str) -> int:
    """How many tests ctest's summary counts as failed (``N tests failed out of M``)."""
    match = re.search(r"(\d+) tests? failed out of \d+", output)
    assert match, output
    return int(match.group(1))


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("passes", "passes too"), None),
        (("passes", "skipped by output", "skipped by code", "disabled"), None),
        (("passes", "fails"), "1 of 2 tests did not pass"),
        (("passes", "times out", "skipped by output"), "1 of 3 tests did not pass"),
        (("passes", "never built"), "1 of 2 tests did not pass"),
        (("passes", "never built", "disabled"), "1 of 3 tests did not pass"),
        (("disabled", "skipped by output"), "all 2 tests were skipped"),
    ],
    ids=lambda value: "+".join(value) if isinstance(value, tuple) else str(value),
)
def test_gonogo_fails_a_ctest_report_exactly_when_ctest_failed_the_run(
    tmp_path: Path, names: tuple[str, ...], expected: str | None
) -> None:
    code, output, report = _ctest(tmp_path, *names)
    summary = junit.read(report)
    problem = junit.problem(summary, "junit.xml")

    ctest_failed = code != 0
    if expected is None:
        assert not ctest_failed, output
        assert problem is None, problem
        return
    assert problem is not None
    assert expected in problem, problem
    if "skipped" in expected:  # ctest itself exits 0 on a run with nothing run: gonogo is stricter
        assert not ctest_failed, output
        return
    assert ctest_failed, output
    assert f"{_ctest_failed(output)} of " in problem, (problem, output)


def test_a_test_whose_executable_was_never_built_is_named_with_ctests_reason(tmp_path: Path) -> None:
    # ctest writes it as <testcase status="notrun"><skipped message="Unable to find executable"/>: read as
    # a skip, a run whose unit tests were never built would pass
    code, output, report = _ctest(tmp_path, "passes", "never built")
    assert code != 0, output
    assert "***Not Run" in output, output
    assert 'status="notrun"' in report.read_text()

    problem = junit.problem(junit.read(report), "junit.xml")

    assert problem is not None
    assert "never_built" in problem
    assert "not run: Unable to find executable (ctest counts it as failed)" in problem
