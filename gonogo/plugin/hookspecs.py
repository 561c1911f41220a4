"""gonogo's own hooks (added with ``pytest_addhooks``, as pytest-xdist's ``newhooks.py``).

Implement them in a conftest.py or a plugin to react to the run in memory, never by reading files back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gonogo.model import CheckResult
    from gonogo.verdict import Verdict


@pytest.hookspec(historic=False)
def pytest_gonogo_verdict(
    config: pytest.Config,
    verdict: Verdict,
    results: list[CheckResult],
    document: dict[str, Any],
) -> None:
    """Called once in the controller after the gate judged the run and wrote ``gate.json``.

    ``verdict`` is the decision with its reasons, ``results`` one entry per check, and ``document``
    the redacted gate.json document as written. gonogo's own Allure plugin and notifier use it.
    An exception raised here does not change the verdict; it is reported as a warning.
    """
