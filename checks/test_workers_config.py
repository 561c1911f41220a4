"""Pre-deploy: the Cloudflare Workers config is complete for the target environment.

Wrangler does not inherit bindings or ``vars`` from the top level into ``env.<name>``: what the top
level declares and the env section does not is simply absent from that environment's Worker. The rules
are wrangler 4.86's own (gonogo/probes/wrangler/keys.py); the file may be ``wrangler.jsonc``,
``wrangler.json`` or ``wrangler.toml``. Driven by ``[precheck].wrangler_toml`` and
``[precheck].wrangler_env`` (default: the environment's name; ``""``: the top level).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gonogo import LoadedEnvironment, not_applicable, shown
from gonogo.probes import wrangler
from gonogo.probes.files import display, project_root


class _Workers:
    """The wrangler config this environment names, and the ``env.<name>`` it deploys ("" = top level)."""

    def __init__(self, path: Path, shown: str, env_name: str) -> None:
        self.path = path
        self.shown = shown
        self.env_name = env_name
        self.section = f"env.{env_name}"

    def load(self) -> dict[str, Any]:
        try:
            return wrangler.load(self.path)
        except wrangler.WranglerError as exc:
            raise pytest.fail.Exception(f"[precheck].wrangler_toml: {exc}", pytrace=False) from None


@pytest.fixture
def workers(request: pytest.FixtureRequest, loaded_environment: LoadedEnvironment) -> _Workers:
    precheck = loaded_environment.model.precheck
    if precheck.wrangler_toml is None:
        not_applicable(
            request,
            f"{shown(loaded_environment.path)} names no wrangler config ([precheck].wrangler_toml)",
        )
    root = project_root(loaded_environment.path)
    path = root / precheck.wrangler_toml
    env_name = loaded_environment.name if precheck.wrangler_env is None else precheck.wrangler_env
    return _Workers(path, display(path, root), env_name)


def test_wrangler_config(workers: _Workers) -> None:
    config = workers.load()
    problems = wrangler.config_problems(config, workers.env_name)
    if problems:
        pytest.fail(f"{workers.shown}: " + "; ".join(problems), pytrace=False)
    note = wrangler.selection_note(config, workers.env_name)
    if note:
        print(f"{workers.shown}: {note}")  # shown with -rP and in the report's captured output


def test_wrangler_bindings_in_env(workers: _Workers) -> None:
    missing = wrangler.missing_bindings(workers.load(), workers.env_name)
    if missing:
        pytest.fail(
            f"{workers.shown}: wrangler {wrangler.WRANGLER_VERSION} does not inherit these into "
            f"{workers.section}, so the {workers.env_name} Worker would not have them: "
            + "; ".join(str(item) for item in missing)
            + ". Fix: "
            + "; ".join(item.fix() for item in missing)
            + " (with that environment's resource ids)",
            pytrace=False,
        )


def test_wrangler_vars_in_env(workers: _Workers) -> None:
    # A failure rather than a warning: the deployed Worker reads undefined for these. Placeholders of
    # secrets (secrets.required, .dev.vars, .env) are left out: wrangler refuses a var and a secret of
    # one name, so the environment must not declare them as vars.
    missing = wrangler.missing_vars(workers.load(), workers.env_name, workers.path.parent)
    if missing:
        section = workers.section
        pytest.fail(
            f"{workers.shown}: {section}.vars does not declare {', '.join(missing)} (declared in the "
            f"top-level vars; wrangler does not inherit vars into environments). Fix: add them to "
            f"{section}.vars, or, if they are secrets, list them in {section}.secrets.required and set "
            f"them with `wrangler secret put NAME --env {workers.env_name}`",
            pytrace=False,
        )
