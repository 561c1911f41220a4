"""A reports folder the run cannot write: a clear usage error, no INTERNALERROR, and no earlier GO left.

Read-only: ``chmod`` for a normal user; as root (who ignores modes) the folder is made immutable with
``chattr +i``. Full: a 1 MiB tmpfs mounted on the reports folder in a private mount namespace
(``unshare -m``), so nothing outside the test sees it. Each skips, saying why, where the machine does
not allow it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugin.gate_runs import MODES, GateSuite


@pytest.fixture
def read_only(suite: GateSuite) -> Iterator[Path]:
    """The environment's reports folder after a GO run, then made read-only."""
    run = suite.run()
    assert run.gate is not None, run.output
    assert run.gate["verdict"] == "GO", run.output
    folder = suite.gate_path.parent
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only for root")
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not allowed here: {made.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


@pytest.mark.parametrize("mode", MODES)
def test_a_read_only_reports_folder_is_a_clear_error_and_no_earlier_go_survives(
    suite: GateSuite, read_only: Path, mode: list[str]
) -> None:
    run = suite.run(*mode)

    assert run.ret == 4, run.output
    assert f"ERROR: gonogo cannot write its reports to {read_only}" in run.stderr
    assert "cannot remove the previous gate.json" in run.stderr
    assert "it was emptied in place, so no earlier verdict survives" in run.stderr
    assert "INTERNALERROR" not in run.output
    assert "Traceback" not in run.output
    assert suite.gate_path.read_text() == ""  # unreadable, so NO-GO to every consumer


def test_a_full_reports_folder_is_a_clear_error_and_the_earlier_go_is_removed(suite: GateSuite) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) to mount a small tmpfs privately")
    reports = suite.path / "reports"
    reports.mkdir()
    pytest_argv = " ".join(suite.argv())
    script = f"""
mount -t tmpfs -o size=1m tmpfs {reports} || exit 97
{pytest_argv} > go.out 2>&1 || true
dd if=/dev/zero of={reports}/filler bs=64k 2>/dev/null || true
{pytest_argv} > full.out 2> full.err; echo $? > full.rc
test -e {reports}/staging/gate.json && echo present > gate.state || echo absent > gate.state
"""
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"unshare -m is not allowed here: {probe.stderr.strip()}")

    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=suite.path,
        env=suite.environ(),
        timeout=300,
        check=False,
    )
    if done.returncode == 97:
        pytest.skip("cannot mount a tmpfs here")

    go = (suite.path / "go.out").read_text()
    assert "gonogo verdict: GO" in go, go
    stderr = (suite.path / "full.err").read_text()
    assert (suite.path / "full.rc").read_text().strip() == "4", stderr
    assert "gonogo cannot write its reports to" in stderr
    assert "No space left on device" in stderr
    assert "INTERNALERROR" not in stderr + (suite.path / "full.out").read_text()
    assert (suite.path / "gate.state").read_text().strip() == "absent"
