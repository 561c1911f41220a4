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
    assert message == (
        "counted.xml: 1 suite(s) reported a problem of their own: suite unit: counts 2 failure(s)/error(s) "
        "in its header but lists 0 failing test(s): the report is incomplete. Fix the upstream job (its "
        "suite did not run) and re-run it before deploying"
    )


def test_a_suite_level_error_fails(tmp_path: Path) -> None:
    body = (
        '<testsuite name="tests.test_setup" errors="1"><error message="fixture db failed"/>'
        + case("a")
        + "</testsuite>"
    )
    message = junit.problem(junit.read(write(tmp_path / "setup.xml", body)), "setup.xml")
    assert message is not None
    assert "suite tests.test_setup: failed to load or set up (fixture db failed)" in message


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


# --- the shapes real producers write (see tests/fixtures/realworld for the files themselves) --------


def test_a_failing_testcase_directly_under_testsuites_is_counted(tmp_path: Path) -> None:
    # node's own junit reporter writes every top-level test() straight under <testsuites>
    body = (
        "<testsuites>"
        + case("passes", classname="test")
        + case("throws", '<failure type="testCodeFailure" message="boom"/>', classname="test")
        + "</testsuites>"
    )
    message = junit.problem(junit.read(write(tmp_path / "node.xml", body)), "node.xml")
    assert message is not None
    assert message.startswith(
        "node.xml: 1 of 2 tests did not pass (1 failed, 0 errored): test::throws (boom)"
    )


def test_a_file_of_top_level_testcases_only_is_green_when_they_pass(tmp_path: Path) -> None:
    body = "<testsuites>" + case("a", classname="test") + case("b", classname="test") + "</testsuites>"
    summary = junit.read(write(tmp_path / "node.xml", body))
    assert (summary.tests, junit.problem(summary, "node.xml")) == (2, None)


def test_a_failing_todo_test_does_not_fail_the_file(tmp_path: Path) -> None:
    todo = case("later", '<skipped type="todo" message="true"/><failure message="not yet"/>', classname="t")
    summary = junit.read(write(tmp_path / "todo.xml", "<testsuites>" + todo + case("ok") + "</testsuites>"))
    assert (summary.skipped, summary.failing, junit.problem(summary, "todo.xml")) == (1, 0, None)


def test_a_test_that_passed_on_its_last_attempt_is_passed_and_flaky(tmp_path: Path) -> None:
    # gotestsum --rerun-fails: the failed attempt first, the passing rerun after it, one header count
    body = suites(case("test_net", '<failure message="timeout"/>'), case("test_net"), case("b"), failures=1)
    summary = junit.read(write(tmp_path / "rerun.xml", body))
    assert junit.problem(summary, "rerun.xml") is None
    assert summary.tests == 2
    assert junit.flaky_note(summary, "rerun.xml") == (
        "rerun.xml: 1 flaky test(s) passed on a later attempt: "
        "tests.test_api::test_net (1 failed attempt(s) before passing)"
    )


def test_a_test_whose_last_attempt_failed_fails_once(tmp_path: Path) -> None:
    attempts = [case("test_net", f'<failure message="attempt {n}"/>') for n in (1, 2, 3)]
    summary = junit.read(write(tmp_path / "rerun.xml", suites(*attempts, case("b"), failures=3)))
    assert junit.problem(summary, "rerun.xml") == (
        "rerun.xml: 1 of 2 tests did not pass (1 failed, 0 errored): tests.test_api::test_net (attempt 3). "
        "Fix the upstream failures and re-run that job before deploying"
    )
    assert summary.broken[0].failed_attempts == 2


def test_surefire_flaky_and_rerun_elements_are_attempts(tmp_path: Path) -> None:
    flaky = case("flaky", '<flakyFailure message="first"/><flakyError message="second"/>')
    rerun = case("broken", '<failure message="last"/><rerunFailure message="again"/>')
    summary = junit.read(write(tmp_path / "surefire.xml", suites(flaky, rerun, failures=1)))
    assert [(c.id, c.outcome, c.failed_attempts) for c in summary.cases] == [
        ("tests.test_api::flaky", "passed", 2),
        ("tests.test_api::broken", "failed", 1),
    ]
    assert [c.id for c in summary.flaky] == ["tests.test_api::flaky"]


def test_a_suite_that_failed_to_load_is_named_not_reported_as_empty(tmp_path: Path) -> None:
    body = '<testsuites><testsuite name="tests/test_db.py" tests="3" errors="1"/></testsuites>'
    message = junit.problem(junit.read(write(tmp_path / "load.xml", body)), "load.xml")
    assert message is not None
    assert (
        "suite tests/test_db.py: counts 1 failure(s)/error(s) and lists no test case: it failed to load"
        in (message)
    )
    assert "contains no test cases" not in message


def test_counts_never_exceed_the_number_of_tests(tmp_path: Path) -> None:
    # a case with <error> and <failure> both, and a suite-level error: still one failing test of one
    body = (
        '<testsuite name="s" errors="2" failures="1"><error message="setup"/>'
        + case("a", '<failure message="f"/><error message="e"/>')
        + "</testsuite>"
    )
    message = junit.problem(junit.read(write(tmp_path / "both.xml", body)), "both.xml")
    assert message is not None
    assert message.startswith("both.xml: 1 of 1 tests did not pass (0 failed, 1 errored)")
    assert "suite s: failed to load or set up (setup)" in message


def test_an_empty_file_is_refused_with_the_likely_cause(tmp_path: Path) -> None:
    with pytest.raises(junit.JUnitError, match="is empty: the job that writes it crashed or wrote nothing"):
        junit.read(write(tmp_path / "empty.xml", ""))


def test_junit_errors_are_gonogo_errors() -> None:
    from gonogo.errors import GonogoError

    assert issubclass(junit.JUnitError, GonogoError)
    assert issubclass(junit.JUnitError, ValueError)


# what ctest --output-junit writes (cmCTestTestHandler::WriteJUnitXML): a disabled test has
# status="disabled" and no child, a test that could not run status="notrun" and a <skipped>
CTEST_DISABLED = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="(empty)"
\ttests="2" failures="0" disabled="2" skipped="0" hostname="" time="0" timestamp="2026-01-01T00:00:00">
\t<testcase name="slow_io" classname="slow_io" time="0" status="disabled">
\t\t<properties/>
\t\t<system-out>Disabled</system-out>
\t</testcase>
\t<testcase name="gpu" classname="gpu" time="0" status="disabled">
\t\t<properties/>
\t\t<system-out>Disabled</system-out>
\t</testcase>
</testsuite>
"""


def test_a_disabled_or_notrun_status_is_a_skip_not_a_pass(tmp_path: Path) -> None:
    summary = junit.read(write(tmp_path / "ctest.xml", CTEST_DISABLED))
    assert (summary.tests, summary.skipped) == (2, 2)
    message = junit.problem(summary, "ctest.xml")
    assert message == "ctest.xml: all 2 tests were skipped, so nothing was verified"
    mixed = suites(
        case("ran", classname=""),
        '<testcase name="off" status="disabled"/>',
        '<testcase name="DISABLED_x" status="notrun" result="suppressed"/>',
        '<testcase name="by_code" status="notrun"><skipped message="SKIP_RETURN_CODE=77"/></testcase>',
    )
    summary = junit.read(write(tmp_path / "mixed.xml", mixed))
    assert (summary.tests, summary.skipped, summary.ran) == (4, 3, 1)
    assert junit.problem(summary, "mixed.xml") is None


def test_a_notrun_case_skipped_for_any_reason_but_ctests_two_skips_is_an_error(tmp_path: Path) -> None:
    # ctest counts these as failed tests (and exits non-zero); its JUnit writes them as <skipped>
    # (tests/probes/test_junit_upstream.py has the real ctest)
    body = suites(
        case("ran", classname=""),
        '<testcase name="skip_re" status="notrun">'
        '<skipped message="SKIP_REGULAR_EXPRESSION_MATCHED"/></testcase>',
        '<testcase name="fixture" status="notrun"><skipped message="Fixture dependency failed"/></testcase>',
        '<testcase name="silent" status="notrun"><skipped/></testcase>',
    )
    summary = junit.read(write(tmp_path / "ctest.xml", body))
    message = junit.problem(summary, "ctest.xml")

    assert (summary.tests, summary.skipped, summary.ran) == (4, 1, 3)
    assert message is not None
    assert "2 of 4 tests did not pass" in message
    assert "not run: Fixture dependency failed (ctest counts it as failed)" in message


def test_a_disabled_status_does_not_hide_a_failure(tmp_path: Path) -> None:
    # tst writes status="disabled" on a case that also holds a <failure>: the failure counts
    body = suites(case("test_a", '<failure message="Assert: Boolean true check failed."/>'), failures=1)
    body = body.replace("<testcase ", '<testcase status="disabled" ')
    message = junit.problem(junit.read(write(tmp_path / "tst.xml", body)), "tst.xml")
    assert message is not None
    assert "1 of 1 tests did not pass" in message
