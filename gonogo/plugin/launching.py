"""Start the ``[launch]`` target once, in the controller, before any check; stop it at the end.

A target that never becomes ready does not stop the run: the file-only prechecks (config, secrets,
upstream results, pins, wrangler) still run and count, every check that needs the target is blocked
(:mod:`gonogo.plugin.gating`), and the verdict is NO-GO (``launch-failed``, exit 11 in both gate modes).
What happened is said once, in the header, with the target's output.
"""

from __future__ import annotations

import os
import secrets as pysecrets
from importlib import import_module

import pytest

from gonogo import environment as envfile
from gonogo.plugin import signals
from gonogo.plugin.context import is_worker, run_context
from gonogo.plugin.gating import stage_gate
from gonogo.plugin.informational import informational


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    context = run_context(session.config)
    if context is None or context.loaded is None or is_worker(session.config):
        return
    config = context.loaded.model.launch
    if config is None or informational(session.config):
        return
    for name in config.generate_secrets:
        if not os.environ.get(name):
            os.environ[name] = pysecrets.token_urlsafe(24)
            context.generated_secrets.append(name)
            context.redactor.add(os.environ[name])
    from gonogo import launch  # processes, ctypes: only for a [launch] target

    # CI cancels with SIGTERM: an orderly interrupt (the gate installs it too; here for plugin-only use)
    signals.install()
    _import_before_the_clock_starts(session.config, context.loaded.model)
    env_dir = context.loaded.path.parent
    try:
        context.target = launch.start(
            config, base_url_template=context.loaded.model.base_url, env_dir=env_dir, environ=os.environ
        )
        target = context.target
        # a second SIGTERM ends the run at once: the target's group goes first
        signals.on_second_signal(lambda: launch.kill_now(target))
        # readiness only asks "is it up?": the certificate is the TLS check's business, and a CA
        # the target writes as it starts may not exist yet
        launch.wait_ready(
            context.target, ready_path=config.ready_path, timeout_s=config.timeout_s, verify=False
        )
    except launch.LaunchError as exc:
        context.launch_error = context.redactor.text(
            f"[launch] in {envfile.shown(context.loaded.path)}: {exc}"
        )
        gate = stage_gate(session.config)
        if gate is not None:
            gate.launch_error = context.launch_error
        if context.target is not None:  # up but never ready: no use to anyone now
            context.target.stop()
            context.target = None
        return
    context.base_url = context.target.base_url
    baseline = context.loaded.model.baseline
    if baseline is not None and context.target.baseline_port is not None:
        context.resolve_baseline(context.target.baseline_url(baseline.base_url))


def _import_before_the_clock_starts(config: pytest.Config, env: envfile.Environment) -> None:
    """The comparison's and the watch's statistics (SciPy) are imported on first use, not at start-up;
    with a launched target they are imported before it starts, so that what the target does on its
    own clock (a fault after N seconds) is not met earlier by a check that was late by an import."""
    if env.baseline is not None:
        import_module("gonogo.bluegreen.compare")
    if env.watch is not None or config.getoption("gonogo_watch", None):
        import_module("gonogo.bluegreen.probe")
