"""Upstream JUnit results: green files pass; failures, errors, empty and hostile files are explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.probes import junit
from gonogo.probes.files import Match, expand


def write(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def case(name: str, inner: str = "", classname: str = "tests.test_api") -> str:
    return f'<testcase classname="{classname}" name="{name}">{inner}</testcase>'


def suites(*cases: str, failures: int = 0, errors: int = 0) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<testsuites>'
        f'<testsuite name="unit" tests="{len(cases)}" failures="{failures}" errors="{errors}">'
        + "".join(cases)
        + "</testsuite></testsuites>"
    )


def test_a_green_file_has_no_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "unit.xml", suites(case("test_a"), case("test_b"), case("test_c", "<skipped/>")))
    summary = junit.read(path)
    assert (summary.tests, summary.skipped, summary.failing) == (3, 1, 0)
    assert junit.problem(summary, "unit.xml") is None


def test_failures_and_errors_are_listed_by_id_with_the_file(tmp_path: Path) -> None:
    body = suites(
        case("test_ok"),
        case("test_total", '<failure message="assert 3 == 4">trace</failure>'),
        case("test_db", '<error message="ConnectionError: db down"/>', classname="tests.test_db"),
        failures=1,
        errors=1,
    )
    summary = junit.read(write(tmp_path / "qa" / "api.xml", body))
    message = junit.problem(summary, "qa/api.xml")
    assert message is not None
    assert message.startswith("qa/api.xml: 2 of 3 tests did not pass (1 failed, 1 errored): ")
    assert "tests.test_api::test_total (assert 3 == 4)" in message
    assert "tests.test_db::test_db (ConnectionError: db down)" in message
    assert "test_ok" not in message


def test_a_long_list_of_failures_is_bounded(tmp_path: Path) -> None:
    cases = [case(f"test_{index:02d}", "<failure/>") for index in range(25)]
    summary = junit.read(write(tmp_path / "many.xml", suites(*cases, failures=25)))
    message = junit.problem(summary, "many.xml")
    assert message is not None
    assert "tests.test_api::test_09" in message
    assert "tests.test_api::test_10" not in message
    assert " and 15 more" in message


def test_a_testsuite_root_and_nested_suites_are_read(tmp_path: Path) -> None:
    body = (
        '<testsuite name="outer"><testsuite name="inner" failures="1">'
        + case("test_x", "<failure>boom</failure>")
        + "</testsuite>"
        + case("test_y")
        + "</testsuite>"
    )
    summary = junit.read(write(tmp_path / "nested.xml", body))
    assert summary.tests == 2
    assert [c.id for c in summary.broken] == ["tests.test_api::test_x"]


def test_a_file_without_test_cases_fails(tmp_path: Path) -> None:
    summary = junit.read(
        write(tmp_path / "empty.xml", '<testsuites><testsuite name="none" tests="0"/></testsuites>')
    )
    message = junit.problem(summary, "empty.xml")
    assert message is not None
    assert message.startswith("empty.xml: contains no test cases")


def test_a_file_where_every_test_was_skipped_fails(tmp_path: Path) -> None:
    summary = junit.read(
        write(tmp_path / "skipped.xml", suites(case("a", "<skipped/>"), case("b", "<skipped/>")))
    )
    assert (
        junit.problem(summary, "skipped.xml")
        == "skipped.xml: all 2 tests were skipped, so nothing was verified"
    )


def test_failures_a_suite_counts_but_does_not_list_still_fail(tmp_path: Path) -> None:
    summary = junit.read(write(tmp_path / "counted.xml", suites(case("a"), failures=2)))
    message = junit.problem(summary, "counted.xml")
    assert message is not None
    assert "unit: 2 failure(s)/error(s) counted but not listed" in message


def test_a_suite_level_error_fails(tmp_path: Path) -> None:
    body = (
        '<testsuite name="tests.test_setup" errors="1"><error message="fixture db failed"/>'
        + case("a")
        + "</testsuite>"
    )
    message = junit.problem(junit.read(write(tmp_path / "setup.xml", body)), "setup.xml")
    assert message is not None
    assert "tests.test_setup (suite) (fixture db failed)" in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("not xml at all", "is not well-formed XML"),
        ("<html><body/></html>", "has root element <html>, expected <testsuites> or <testsuite>"),
        (
            '<?xml version="1.0"?>\n<!-- billion laughs -->\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;">]><testsuites>&lol2;</testsuites>',
            "declares a DOCTYPE",
        ),
    ],
    ids=["not xml", "wrong root", "doctype"],
)
def test_unreadable_files_raise_a_message(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(junit.JUnitError, match=expected):
        junit.read(write(tmp_path / "bad.xml", body))


def test_globs_expand_relative_to_the_root_and_an_empty_glob_stays_visible(tmp_path: Path) -> None:
    write(tmp_path / "reports" / "qa" / "b.xml", "")
    write(tmp_path / "reports" / "qa" / "a.xml", "")
    write(tmp_path / "reports" / "deep" / "x" / "c.xml", "")
    matches = expand(["reports/qa/*.xml", "reports/**/c.xml", "missing/*.xml"], tmp_path)
    assert [m.shown(tmp_path) for m in matches] == [
        "reports/qa/a.xml",
        "reports/qa/b.xml",
        "reports/deep/x/c.xml",
        "missing/*.xml",
    ]
    assert matches[-1] == Match("missing/*.xml", None)
