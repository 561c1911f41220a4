"""Two demos for a blue-green run: the baseline (blue, the live version) and the candidate (green).

``python -m gonogo.demo.pair --port P --baseline-port B [--baseline-version V] [candidate flags]``
starts the baseline on B, waits until it listens, then becomes the candidate on P (``exec``), so one
launched process group holds both and gonogo stops them together. Fault knobs (``GONOGO_DEMO_*``
variables and the extra flags) reach the candidate only: the baseline is the healthy previous version.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from gonogo.processes import die_with_parent

READY_TIMEOUT_S = 20.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gonogo.demo.pair", description=__doc__)
    parser.add_argument("--port", required=True, help="the candidate's port")
    parser.add_argument("--baseline-port", required=True, help="the baseline's port")
    parser.add_argument(
        "--baseline-version", default="1.4.1", help="what the baseline reports (default: %(default)s)"
    )
    args, candidate_flags = parser.parse_known_args(argv)

    token_env = _flag_value(candidate_flags, "--token-env")
    baseline_env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_DEMO_")}
    baseline_command = [sys.executable, "-m", "gonogo.demo", "--port", args.baseline_port]
    baseline_command += ["--report-version", args.baseline_version]
    if token_env:
        baseline_command += ["--token-env", token_env]
    baseline = subprocess.Popen(
        baseline_command,
        env=baseline_env,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent,  # noqa: PLW1509 - only a prctl call, no locks taken
    )
    assert baseline.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        line = baseline.stdout.readline()
        if not line:
            print("gonogo.demo.pair: the baseline exited before listening", file=sys.stderr)
            return 1
        print(f"baseline: {line.strip()}", flush=True)
        if "listening on" in line:
            break
    else:
        baseline.kill()
        print(f"gonogo.demo.pair: the baseline did not listen within {READY_TIMEOUT_S:g} s", file=sys.stderr)
        return 1
    # the candidate replaces this process: same pid, same process group as the baseline
    os.execv(sys.executable, [sys.executable, "-m", "gonogo.demo", "--port", args.port, *candidate_flags])
    return 0  # pragma: no cover - execv does not return


def _flag_value(flags: Sequence[str], name: str) -> str | None:
    for index, flag in enumerate(flags):
        if flag == name and index + 1 < len(flags):
            return flags[index + 1]
        if flag.startswith(name + "="):
            return flag.split("=", 1)[1]
    return None


if __name__ == "__main__":
    raise SystemExit(main())
