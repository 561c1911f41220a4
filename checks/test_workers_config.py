"""Pre-deploy: the Cloudflare Workers config is complete for the target environment.

Wrangler does not inherit bindings or ``vars`` from the top level into ``[env.<name>]``: what the top
level declares and the env section does not is simply absent from that environment's Worker.
Driven by ``[precheck].wrangler_toml`` and ``[precheck].wrangler_env`` (default: the environment's name).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gonogo import LoadedEnvironment, not_applicable, shown
from gonogo.probes import wrangler
from gonogo.probes.files import display, project_root


class _Workers:
    """The wrangler.toml this environment names, and the ``[env.<name>]`` section it must have."""

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

    def load_with_section(self) -> dict[str, Any]:
        config = self.load()
        if wrangler.env_section(config, self.env_name) is None:
            pytest.fail(
                f"{self.shown}: no [{self.section}] section (see test_wrangler_config)", pytrace=False
            )
        return config


@pytest.fixture
def workers(request: pytest.FixtureRequest, loaded_environment: LoadedEnvironment) -> _Workers:
    precheck = loaded_environment.model.precheck
    if precheck.wrangler_toml is None:
        not_applicable(
            request, f"{shown(loaded_environment.path)} names no wrangler.toml ([precheck].wrangler_toml)"
        )
    root = project_root(loaded_environment.path)
    path = root / precheck.wrangler_toml
    return _Workers(path, display(path, root), precheck.wrangler_env or loaded_environment.name)


def test_wrangler_config(workers: _Workers) -> None:
    problems = wrangler.config_problems(workers.load(), workers.env_name)
    if problems:
        pytest.fail(f"{workers.shown}: " + "; ".join(problems), pytrace=False)


def test_wrangler_bindings_in_env(workers: _Workers) -> None:
    missing = wrangler.missing_bindings(workers.load_with_section(), workers.env_name)
    if missing:
        section, first = workers.section, missing[0]
        pytest.fail(
            f"{workers.shown}: [{section}] does not declare {', '.join(str(binding) for binding in missing)} "
            f"(declared at the top level; wrangler does not inherit bindings into environments, so the "
            f"{workers.env_name} Worker would not have them). Fix: declare each under [{section}], e.g. "
            f"[[{section}.{first.key}]] with {first.name!r} and that environment's resource id",
            pytrace=False,
        )


def test_wrangler_vars_in_env(workers: _Workers) -> None:
    # A failure rather than a warning: the deployed Worker reads undefined for these. When that is
    # intended, declaring the var in the env section (with its value for that environment) says so.
    missing = wrangler.missing_vars(workers.load_with_section(), workers.env_name)
    if missing:
        section = workers.section
        pytest.fail(
            f"{workers.shown}: [{section}.vars] does not declare {', '.join(missing)} (declared in top-level "
            f"[vars]; wrangler does not inherit vars into environments). Fix: add them to [{section}.vars]",
            pytrace=False,
        )
