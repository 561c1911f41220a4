"""Start the ``[launch]`` target once, in the controller, before any check; stop it at the end."""

from __future__ import annotations

import os
import secrets as pysecrets
import signal
from types import FrameType

import pytest

from gonogo import environment as envfile
from gonogo import launch
from gonogo.plugin.context import is_worker, run_context
from gonogo.plugin.gate import EXIT_CODES, GATE_KEY
from gonogo.verdict import Decision


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    context = run_context(session.config)
    if context is None or context.loaded is None or is_worker(session.config):
        return
    config = context.loaded.model.launch
    if config is None or session.config.option.collectonly:
        return
    for name in config.generate_secrets:
        if not os.environ.get(name):
            os.environ[name] = pysecrets.token_urlsafe(24)
            context.generated_secrets.append(name)
            context.redactor.add(os.environ[name])
    _stop_on_sigterm()
    env_dir = context.loaded.path.parent
    try:
        context.target = launch.start(
            config, base_url_template=context.loaded.model.base_url, env_dir=env_dir, environ=os.environ
        )
        # readiness only asks "is it up?": the certificate is the TLS check's business, and a CA
        # the target writes as it starts may not exist yet
        launch.wait_ready(
            context.target, ready_path=config.ready_path, timeout_s=config.timeout_s, verify=False
        )
    except launch.LaunchError as exc:
        message = context.redactor.text(f"gonogo: [launch] in {envfile.shown(context.loaded.path)}: {exc}")
        context.launch_error = message
        gate = session.config.stash.get(GATE_KEY, None)
        enforce = gate is None or gate.options.mode == "enforce"
        # report mode keeps pytest's own code for a run that never got going (interrupted, 2)
        pytest.exit(
            message, returncode=EXIT_CODES[Decision.NO_GO] if enforce else pytest.ExitCode.INTERRUPTED
        )
    context.base_url = context.target.base_url
    baseline = context.loaded.model.baseline
    if baseline is not None and context.target.baseline_port is not None:
        context.resolve_baseline(context.target.baseline_url(baseline.base_url))


def _stop_on_sigterm() -> None:
    # CI runners cancel jobs with SIGTERM; as KeyboardInterrupt it takes pytest's orderly way out,
    # so the launched target is stopped and the run is reported as interrupted.
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, interrupt)
