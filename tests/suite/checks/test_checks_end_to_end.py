"""Pre-deploy checks run by pytest on a copy of the suite: ids, outcomes and messages as people see them."""

from __future__ import annotations

import datetime as dt
import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import trustme

from tests.support.samples import HEALTHY_WRANGLER_TOML

if TYPE_CHECKING:
    from tests.conftest import DemoProcess, SuiteProject, SuiteRun

Days = Callable[[float], dt.datetime]

GREEN_JUNIT = (
    '<testsuites><testsuite name="api" tests="2">'
    '<testcase classname="tests.test_api" name="test_list"/>'
    '<testcase classname="tests.test_api" name="test_total"/>'
    "</testsuite></testsuites>"
)
RED_JUNIT = GREEN_JUNIT.replace(
    'name="test_total"/>', 'name="test_total"><failure message="assert 3 == 4"/></testcase>'
)


def write(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


def project_files(root: Path, *, healthy: bool) -> None:
    write(root / "build" / "junit" / "api.xml", GREEN_JUNIT if healthy else RED_JUNIT)
    write(root / "requirements.lock", "httpx==0.28.1\n" + ("click==8.1.7\n" if healthy else "flask>=2\n"))
    declared = {"hono": "4.5.0"}
    write(root / "web" / "package.json", json.dumps({"name": "web", "dependencies": declared}))
    locked = "4.5.0" if healthy else "4.4.0"
    lock = {
        "lockfileVersion": 3,
        "packages": {"": {"dependencies": declared}, "node_modules/hono": {"version": locked}},
    }
    write(root / "web" / "package-lock.json", json.dumps(lock))
    wrangler = HEALTHY_WRANGLER_TOML
    if not healthy:  # env.staging without the KV namespace and the vars it does not inherit
        for line in (
            'kv_namespaces = [{ binding = "SESSIONS", id = "bbbb" }]\n',
            'vars = { API_BASE = "https://api.staging.example.com" }\n',
        ):
            wrangler = wrangler.replace(line, "")
    write(root / "worker" / "wrangler.toml", wrangler)


def environment(port: int, ca_file: Path, baseline_url: str, junit: str = '"build/junit/*.xml"') -> str:
    return f"""
base_url = "https://127.0.0.1:{port}"
expected_version = "1.4.2"
[http]
ca_bundle = "{ca_file}"
timeout_s = 3
retries = 0
[precheck]
junit = [{junit}]
lockfiles = ["requirements.lock", "web/package-lock.json"]
wrangler_toml = "worker/wrangler.toml"
[baseline]
base_url = "{baseline_url}"
"""


@pytest.fixture
def https_target(
    tls_server: Callable[..., int], ca: trustme.CA, days_from_now: Days
) -> Callable[[float, float], int]:
    """``https_target(from_days, until_days)`` -> port of a 127.0.0.1 listener (``ca_file``'s CA)."""

    def start(valid_from: float, valid_until: float) -> int:
        leaf = ca.issue_cert(
            "127.0.0.1", not_before=days_from_now(valid_from), not_after=days_from_now(valid_until)
        )
        return tls_server(leaf)

    return start


@dataclass
class Prechecked:
    """A precheck stage run, and what its environment pointed at."""

    run: SuiteRun
    port: int
    baseline_url: str


@pytest.fixture
def prechecked(
    suite_project: SuiteProject,
    demo: Callable[..., DemoProcess],
    https_target: Callable[[float, float], int],
    ca_file: Path,
) -> Callable[..., Prechecked]:
    """Factory: ``prechecked(healthy=, valid=(from_days, until_days), baseline_version=, junit=)``: the
    project's files (healthy, or each with its fault), an HTTPS target whose certificate is valid over
    those days, a baseline demo reporting that version, and the precheck stage run on them."""

    def run(
        *,
        healthy: bool,
        valid: tuple[float, float],
        baseline_version: str,
        junit: str = '"build/junit/*.xml"',
    ) -> Prechecked:
        project_files(suite_project.path, healthy=healthy)
        port = https_target(*valid)
        baseline = demo("--report-version", baseline_version)
        suite_project.write_env("staging", environment(port, ca_file, baseline.url, junit=junit))
        return Prechecked(
            suite_project.run("--env", "staging", "--stage", "precheck", "-v"), port, baseline.url
        )

    return run


def test_every_precheck_passes_on_healthy_inputs(prechecked: Callable[..., Prechecked]) -> None:
    run = prechecked(healthy=True, valid=(-1, 60), baseline_version="1.4.1").run
    lines = run.stdout.splitlines()
    expected = [
        "checks/test_config.py::test_environment_file_is_valid PASSED",
        "checks/test_dependency_pins.py::test_dependencies_pinned[requirements.lock] PASSED",
        "checks/test_dependency_pins.py::test_dependencies_pinned[web/package-lock.json] PASSED",
        "checks/test_network.py::test_dns_resolves PASSED",
        "checks/test_network.py::test_tls_certificate PASSED",
        "checks/test_rollback.py::test_rollback_ready PASSED",
        "checks/test_upstream_tests.py::test_upstream_tests_passed[build/junit/api.xml] PASSED",
        "checks/test_workers_config.py::test_wrangler_config PASSED",
        "checks/test_workers_config.py::test_wrangler_bindings_in_env PASSED",
        "checks/test_workers_config.py::test_wrangler_vars_in_env PASSED",
    ]
    missing = [line for line in expected if not any(seen.startswith(line) for seen in lines)]
    assert not missing, run.output
    assert run.returncode == 0, run.output


def test_each_injected_fault_fails_its_check_with_a_message_naming_it(
    prechecked: Callable[..., Prechecked], ca_file: Path
) -> None:
    junit = '"build/junit/*.xml", "build/e2e/*.xml"'
    faulty = prechecked(healthy=False, valid=(-30, -2), baseline_version="1.4.2", junit=junit)
    run, port, baseline_url = faulty.run, faulty.port, faulty.baseline_url
    output = run.output
    for line in [
        "checks/test_upstream_tests.py::test_upstream_tests_passed[build/junit/api.xml] FAILED",
        "checks/test_upstream_tests.py::test_upstream_tests_passed[build/e2e/*.xml] FAILED",
        "build/junit/api.xml: 1 of 2 tests did not pass (1 failed, 0 errored): tests.test_api::test_total "
        "(assert 3 == 4)",
        "[precheck].junit glob 'build/e2e/*.xml' matched no file under",
        "checks/test_dependency_pins.py::test_dependencies_pinned[requirements.lock] FAILED",
        "requirements.lock (requirements): 1 problem(s): "
        "line 2: flask>=2 (>=2 is a range: not pinned with ==)",
        "checks/test_dependency_pins.py::test_dependencies_pinned[web/package-lock.json] FAILED",
        "web/package-lock.json (package-lock.json): 1 problem(s): hono: package.json wants 4.5.0, "
        "the lock has 4.4.0: npm ci reports the lock invalid",
        "checks/test_workers_config.py::test_wrangler_config PASSED",
        "checks/test_workers_config.py::test_wrangler_bindings_in_env FAILED",
        "worker/wrangler.toml: wrangler 4.86.0 does not inherit these into env.staging, so the staging "
        'Worker would not have them: "kv_namespaces" exists at the top level, but not on "env.staging"',
        "checks/test_workers_config.py::test_wrangler_vars_in_env FAILED",
        "worker/wrangler.toml: env.staging.vars does not declare API_BASE (declared in the top-level vars",
        "checks/test_network.py::test_tls_certificate FAILED",
        f"https://127.0.0.1:{port}: the certificate does not verify for 127.0.0.1 "
        f"against the CA file {ca_file}: certificate has expired; "
        "the certificate expired 2.0 days ago (not after ",
        "checks/test_rollback.py::test_rollback_ready FAILED",
        f"rollback not ready: baseline {baseline_url}: the baseline already reports version '1.4.2', the "
        "candidate's expected_version",
    ]:
        assert line in output, f"missing {line!r} in:\n{output}"
    assert run.returncode != 0


def test_checks_without_configuration_are_not_applicable(suite_project: SuiteProject) -> None:
    suite_project.write_env("bare", 'base_url = "http://127.0.0.1:9"\nexpected_version = "1.0.0"\n')
    run = suite_project.run("--env", "bare", "--stage", "precheck", "-v")
    output = run.output
    for line in [
        "checks/test_upstream_tests.py::test_upstream_tests_passed[none configured] SKIPPED",
        "checks/test_dependency_pins.py::test_dependencies_pinned[none configured] SKIPPED",
        "checks/test_workers_config.py::test_wrangler_config SKIPPED",
        "checks/test_rollback.py::test_rollback_ready SKIPPED",
        "checks/test_network.py::test_tls_certificate SKIPPED",
        "checks/test_network.py::test_dns_resolves PASSED",
        "environments/bare.toml names no upstream test results ([precheck].junit)",
        "http://127.0.0.1:9 is not https: no certificate to check",
        "environments/bare.toml has no [baseline]: no live deployment to compare with or roll back to",
    ]:
        assert line in output, f"missing {line!r} in:\n{output}"
    assert run.returncode == 0, output
    assert ssl.HAS_TLSv1_3  # the TLS tests above expect a TLS 1.3 capable OpenSSL
