"""gonogo's pytest wing: every module that talks to pytest lives in this package (``pytest11`` entry point).

Nothing outside ``gonogo.plugin`` imports pytest (a test proves it), so the verdict, the probes, the
load generator and the report writers stay plain, testable code. Here:

    core          options, reading the environment at configure, the header, per-check wiring
    collection    each check's stage, its ``gate`` marker, the destructive-check policy
    launching     the ``[launch]`` target: started once in the controller, stopped at the end
    fixtures      environment, base_url, http, baseline_http, secrets, findings, evidence, fail
    api           not_applicable, parametrize_from_env (re-exported by ``gonogo``)
    gate          the verdict: collect, judge, write gate.json and the report, set the exit code
    allure        Allure results: folder, labels, the verdict result, redaction
    load, compare, parity, watch   the pytest side of the postdeploy and blue-green checks
    hookspecs     ``pytest_gonogo_verdict``: react to the verdict in memory
"""

from __future__ import annotations

import pytest

from gonogo.plugin import hookspecs
from gonogo.plugin.collection import pytest_collection_modifyitems
from gonogo.plugin.core import (
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
    pytest_runtest_makereport,
    pytest_runtest_setup,
    pytest_runtest_teardown,
    pytest_unconfigure,
)
from gonogo.plugin.invocation import (
    pytest_cmdline_main,
    pytest_collection_finish,
    pytest_load_initial_conftests,
)
from gonogo.plugin.launching import pytest_sessionstart


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


__all__ = [
    "pytest_addhooks",
    "pytest_addoption",
    "pytest_cmdline_main",
    "pytest_collection_finish",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_load_initial_conftests",
    "pytest_report_header",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "pytest_runtest_teardown",
    "pytest_sessionstart",
    "pytest_unconfigure",
]
