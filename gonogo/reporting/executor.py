"""``executor.json``: who ran the checks (GitHub Actions, GitLab CI, Jenkins, another CI, or a local run).

The Allure 2 generator shows it in the Executors widget and labels the run's point in the trend with
``buildOrder``: it must move forward from one run to the next, whatever the CI numbers say.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.reporting.allure_files import EXECUTOR_FILE
from gonogo.reporting.files import write_atomic


@dataclass(frozen=True)
class Executor:
    """Who ran the checks: the Executors widget, and the run's label in the trend (``buildOrder``)."""

    name: str
    type: str
    build_order: int
    build_name: str
    url: str | None = None
    build_url: str | None = None
    report_name: str | None = None
    ci: bool = True

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "buildOrder": self.build_order,
            "buildName": self.build_name,
        }
        for key, value in (("url", self.url), ("buildUrl", self.build_url), ("reportName", self.report_name)):
            if value:
                data[key] = value
        return data


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def detect_executor(environ: Mapping[str, str], *, previous_order: int, report_name: str) -> Executor:
    """GitHub Actions, GitLab CI, Jenkins, or any CI that sets ``CI``; else a local run that says so.

    ``buildOrder`` is the CI's run number when it moves forward, else one more than the last run in the
    kept trend: the trend always gains a new, later point.
    """

    def order(number: int | None) -> int:
        return number if number is not None and number > previous_order else previous_order + 1

    if environ.get("GITHUB_ACTIONS") == "true":
        server = environ.get("GITHUB_SERVER_URL", "https://github.com")
        repo = environ.get("GITHUB_REPOSITORY", "")
        run_id = environ.get("GITHUB_RUN_ID", "")
        number = _int(environ.get("GITHUB_RUN_NUMBER"))
        attempt = environ.get("GITHUB_RUN_ATTEMPT", "1")
        workflow = environ.get("GITHUB_WORKFLOW", "workflow")
        return Executor(
            name="GitHub Actions",
            type="github",
            build_order=order(number),
            build_name=f"{workflow} #{number or '?'}"
            + (f" (attempt {attempt})" if attempt not in ("", "1") else ""),
            url=f"{server}/{repo}/actions" if repo else None,
            build_url=f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None,
            report_name=report_name,
        )
    if environ.get("GITLAB_CI") == "true":
        number = _int(environ.get("CI_PIPELINE_IID"))
        return Executor(
            name="GitLab CI",
            type="gitlab",
            build_order=order(number),
            build_name=f"{environ.get('CI_JOB_NAME', 'job')} #{environ.get('CI_PIPELINE_IID', '?')}",
            url=environ.get("CI_PROJECT_URL"),
            build_url=environ.get("CI_JOB_URL") or environ.get("CI_PIPELINE_URL"),
            report_name=report_name,
        )
    if environ.get("JENKINS_URL"):
        number = _int(environ.get("BUILD_NUMBER"))
        return Executor(
            name="Jenkins",
            type="jenkins",
            build_order=order(number),
            build_name=environ.get("BUILD_DISPLAY_NAME")
            or f"{environ.get('JOB_NAME', 'job')} #{number or '?'}",
            url=environ.get("JENKINS_URL"),
            build_url=environ.get("BUILD_URL"),
            report_name=report_name,
        )
    if environ.get("CI", "").lower() in ("true", "1", "yes"):
        number = _int(environ.get("BUILD_NUMBER") or environ.get("CI_BUILD_NUMBER"))
        name = environ.get("CI_NAME") or "CI"
        return Executor(
            name=name,
            type=name.lower().replace(" ", "-"),
            build_order=order(number),
            build_name=f"{name} build #{number}" if number is not None else f"{name} build",
            build_url=environ.get("BUILD_URL") or environ.get("CI_BUILD_URL"),
            report_name=report_name,
        )
    build_order = previous_order + 1
    return Executor(
        name="local run (no CI detected)",
        type="local",
        build_order=build_order,
        build_name=f"local run #{build_order} on {socket.gethostname()}",
        report_name=report_name,
        ci=False,
    )


def write_executor(results_dir: Path, executor: Executor) -> Path:
    path = results_dir / EXECUTOR_FILE
    write_atomic(path, json.dumps(executor.to_dict(), indent=2) + "\n")
    return path
