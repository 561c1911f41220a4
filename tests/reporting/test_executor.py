"""executor.json: which CI ran the checks, and a build order that always moves the trend forward."""

from __future__ import annotations

import pytest

from gonogo.reporting import executor


@pytest.mark.parametrize(
    ("environ", "previous", "expected"),
    [
        ({}, 0, ("local", 1)),
        ({}, 7, ("local", 8)),
        (
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_RUN_NUMBER": "42",
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_RUN_ID": "9",
            },
            7,
            ("github", 42),
        ),
        # a CI number that does not move the trend forward: the trend still gains a later point
        ({"GITHUB_ACTIONS": "true", "GITHUB_RUN_NUMBER": "3"}, 7, ("github", 8)),
        ({"GITLAB_CI": "true", "CI_PIPELINE_IID": "12"}, 0, ("gitlab", 12)),
        ({"JENKINS_URL": "http://j/", "BUILD_NUMBER": "5"}, 0, ("jenkins", 5)),
        ({"CI": "true", "BUILD_NUMBER": "77"}, 0, ("ci", 77)),
    ],
)
def test_executor_names_the_ci_and_orders_the_run_after_the_last(
    environ: dict[str, str], previous: int, expected: tuple[str, int]
) -> None:
    found = executor.detect_executor(environ, previous_order=previous, report_name="gonogo demo")
    assert (found.type, found.build_order) == expected
    assert found.ci is (expected[0] != "local")


def test_github_executor_links_to_the_run() -> None:
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": "123",
        "GITHUB_RUN_NUMBER": "4",
        "GITHUB_RUN_ATTEMPT": "2",
        "GITHUB_WORKFLOW": "deploy",
    }
    data = executor.detect_executor(environ, previous_order=0, report_name="gonogo prod").to_dict()
    assert data == {
        "name": "GitHub Actions",
        "type": "github",
        "buildOrder": 4,
        "buildName": "deploy #4 (attempt 2)",
        "url": "https://github.example/acme/shop/actions",
        "buildUrl": "https://github.example/acme/shop/actions/runs/123",
        "reportName": "gonogo prod",
    }
