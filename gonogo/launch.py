"""Start a local target, wait until it answers, stop it with everything it started.

The target runs in its own process group (session): Ctrl-C in the terminal reaches pytest only, and
pytest stops the whole group at the end, after failures and interrupts too. On Linux the child is also
asked to die with its parent (``PR_SET_PDEATHSIG``) in case pytest itself is killed with SIGKILL.
Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gonogo.environment import LaunchConfig
from gonogo.errors import GonogoError
from gonogo.processes import die_with_parent, free_port, stop_group

OUTPUT_TAIL_CHARS = 4000
#: characters of an unhealthy readiness answer quoted in the launch error
BODY_CHARS = 300


class LaunchError(GonogoError):
    """The target did not start or never became ready; the message carries its output."""


@dataclass
class LaunchedTarget:
    process: subprocess.Popen[bytes]
    base_url: str
    port: int
    output_path: Path
    command: list[str]
    started_at: float = field(default_factory=time.monotonic)
    #: a second port, for a baseline the same command starts (``{baseline_port}``)
    baseline_port: int | None = None

    def baseline_url(self, template: str) -> str:
        """``[baseline].base_url`` with the launched baseline's port filled in."""
        return template.replace("{baseline_port}", str(self.baseline_port))

    @property
    def pid(self) -> int:
        return self.process.pid

    def output_tail(self, limit: int = OUTPUT_TAIL_CHARS) -> str:
        try:
            text = self.output_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text[-limit:]

    def stop(self, grace_s: float = 5.0) -> None:
        """Stop the target with everything it started, and drop its output file."""
        stop_group(self.process, grace_s)
        with contextlib.suppress(OSError):
            self.output_path.unlink()


def kill_now(target: LaunchedTarget) -> None:
    """SIGKILL the target's process group without waiting (a second SIGTERM: the run ends now)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(target.process.pid, signal.SIGKILL)


def expand(command: list[str], *, port: int, env_dir: Path, baseline_port: int | None = None) -> list[str]:
    values = {"port": str(port), "python": sys.executable, "env_dir": str(env_dir)}
    if baseline_port is not None:
        values["baseline_port"] = str(baseline_port)
    expanded = []
    for arg in command:
        text = arg
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        expanded.append(text)
    return expanded


def start(
    config: LaunchConfig,
    *,
    base_url_template: str,
    env_dir: Path,
    environ: Mapping[str, str],
) -> LaunchedTarget:
    port = free_port()
    baseline_port = free_port() if any("{baseline_port}" in arg for arg in config.command) else None
    command = expand(config.command, port=port, env_dir=env_dir, baseline_port=baseline_port)
    cwd = (env_dir / config.cwd) if config.cwd else env_dir.parent
    child_env = {**environ, **config.env, "PYTHONUNBUFFERED": "1"}
    fd, name = tempfile.mkstemp(prefix="gonogo-target-", suffix=".log")
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only a prctl call, no locks taken
        )
    except OSError as exc:
        os.unlink(name)
        raise LaunchError(
            f"[launch] could not start {command[0]!r} in {cwd}: {exc.strerror or exc}"
        ) from None
    finally:
        os.close(fd)
    base_url = base_url_template.replace("{port}", str(port))
    return LaunchedTarget(
        process=process,
        base_url=base_url,
        port=port,
        output_path=Path(name),
        command=command,
        baseline_port=baseline_port,
    )


def wait_ready(
    target: LaunchedTarget,
    *,
    ready_path: str,
    timeout_s: float,
    verify: ssl.SSLContext | str | bool = True,
    clock: Callable[[], float] = time.monotonic,
) -> float:
    """Poll ``ready_path`` until it answers 2xx; return the seconds it took. Raise LaunchError."""
    url = target.base_url + ready_path
    deadline = clock() + timeout_s
    last = "no answer yet"
    # how many polls got an HTTP answer: a target that answers 503 from its first poll is up and
    # unhealthy, and more time will not help it
    polls, answered, body = 0, 0, ""
    with httpx.Client(timeout=httpx.Timeout(1.0), verify=verify) as client:
        while True:
            code = target.process.poll()
            if code is not None:
                raise LaunchError(
                    f"the target exited with code {code} before {url} answered.\n"
                    f"command: {' '.join(target.command)}\n--- its output ---\n{target.output_tail()}"
                )
            polls += 1
            try:
                response = client.get(url)
                if response.is_success:
                    return timeout_s - (deadline - clock())
                last = f"HTTP {response.status_code}"
                answered += 1
                body = " ".join(response.text[:BODY_CHARS].split()) or "(empty body)"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if clock() >= deadline:
                raise LaunchError(
                    _not_ready(url, timeout_s, last, polls=polls, answered=answered)
                    + (f"; its body: {body}" if last.startswith("HTTP") else ".")
                    + f"\ncommand: {' '.join(target.command)}\n"
                    + _fix(ready_path, polls=polls, answered=answered, last=last)
                    + f"\n--- its output ---\n{target.output_tail()}"
                )
            time.sleep(0.1)


def _not_ready(url: str, timeout_s: float, last: str, *, polls: int, answered: int) -> str:
    if answered == polls:
        return (
            f"the target is up but unhealthy: {url} answered {last} from its first poll "
            f"({polls} polls in {timeout_s:g} s, none 2xx)"
        )
    if last.startswith("HTTP"):
        return (
            f"the target is up but unhealthy: {url} answered {last} once it came up "
            f"({answered} of {polls} polls in {timeout_s:g} s answered, none 2xx)"
        )
    return f"the target did not become ready within {timeout_s:g} s: {url} last gave {last}"


def _fix(ready_path: str, *, polls: int, answered: int, last: str) -> str:
    if answered == polls:
        return (
            f"Fix: find out why {ready_path} reports unhealthy (its output below); more time will not help."
        )
    if last.startswith("HTTP"):
        return (
            f"Fix: find out why {ready_path} reports unhealthy (its output below), or raise "
            "[launch].timeout_s if it needs longer to become healthy."
        )
    return "Fix: raise [launch].timeout_s if it starts slowly, or check the output below."
