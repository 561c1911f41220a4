"""The runner: locust in a child process against the real demo, progress lines, files, the hard time bound."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.runner import run_locust
from tests.support.processes import pid_alive

from .conftest import REPO

LOCUSTFILE = REPO / "load" / "locustfile.py"


def test_a_run_against_the_demo_streams_progress_writes_its_files_and_keeps_locust_out_of_pytest(
    demo: Callable[..., Any], tmp_path: Path
) -> None:
    target = demo()
    plan = LoadPlan(
        environment="demo",
        base_url=target.url,
        routes=(
            RoutePlan("list items", "GET", "/api/items", 200, 3),
            RoutePlan("get item", "GET", "/api/items/1", 200, 1),
        ),
        users=3,
        spawn_rate=3,
        rate_per_s=150,
        duration_s=3.0,
        warmup_s=1.0,
    )
    lines: list[str] = []

    outcome = run_locust(plan, locustfile=LOCUSTFILE, folder=tmp_path / "run", on_line=lines.append)

    assert outcome.error is None, outcome.error
    assert outcome.results is not None
    assert outcome.results.complete
    assert outcome.results.processes == 1
    assert {route.name for route in outcome.results.routes} == {"list items", "get item"}
    assert outcome.results.locust is not None
    assert outcome.results.locust.requests > 0
    assert any(line.startswith("gonogo load ") and "req/s" in line and "p95" in line for line in lines), lines
    for path in (outcome.files.html, outcome.files.stats_csv, outcome.files.results, outcome.files.plan):
        assert path.is_file(), path
    assert outcome.files.stats_csv.read_text().startswith("Type,Name,Request Count")
    # the check judges: the child writes its measurements and leaves the judging (and SciPy) to it
    assert outcome.returncode == 0
    assert not any(line.startswith(("  PASS", "  FAIL", "  INCONCLUSIVE")) for line in lines), lines
    # gevent's monkey-patching stays in the child
    assert "locust" not in sys.modules
    assert "gevent.monkey" not in sys.modules or not sys.modules["gevent.monkey"].is_module_patched("socket")


def test_the_locust_side_of_the_profile_loads_without_scipy() -> None:
    # SciPy takes about a second to import, only judging needs it, and the check judges in pytest
    code = (
        "import sys, gonogo.loadgen.profile; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )

    assert done.stdout.strip() == "[]"


def test_a_run_past_its_time_bound_is_killed_with_its_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    hang = tmp_path / "hang.py"
    hang.write_text(
        textwrap.dedent(
            f"""
            import signal, subprocess, sys, time
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # deaf to the polite stop: SIGKILL must follow
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
            open({str(pid_file)!r}, "w").write(str(child.pid))
            print("gonogo load  hanging", file=sys.stderr, flush=True)
            time.sleep(120)
            """
        )
    )
    plan = LoadPlan(environment="x", base_url="http://127.0.0.1:9", routes=())
    lines: list[str] = []
    started = time.monotonic()

    outcome = run_locust(
        plan,
        locustfile=LOCUSTFILE,
        folder=tmp_path / "run",
        on_line=lines.append,
        timeout_s=1.0,
        term_grace_s=1.0,
        command=[sys.executable, str(hang)],
    )

    assert time.monotonic() - started < 20
    assert outcome.timed_out
    assert outcome.results is None
    assert outcome.error is not None
    assert outcome.error.startswith("the load run exceeded its time bound of 1 s and was stopped")
    assert lines == ["gonogo load  hanging"]
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while pid_alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(grandchild)
