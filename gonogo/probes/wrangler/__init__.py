"""Cloudflare Workers config (``wrangler.jsonc`` / ``wrangler.json`` / ``wrangler.toml``) for one
environment, judged by wrangler 4.86's own rules (:mod:`.keys` names the source)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gonogo.probes.wrangler.config import config_problems, selection_note
from gonogo.probes.wrangler.inherit import Missing, env_section, not_inherited, secret_names
from gonogo.probes.wrangler.keys import CONFIG_FILES, NON_INHERITABLE, WRANGLER_VERSION
from gonogo.probes.wrangler.read import WranglerError, load

__all__ = [
    "CONFIG_FILES",
    "NON_INHERITABLE",
    "WRANGLER_VERSION",
    "Missing",
    "WranglerError",
    "config_problems",
    "env_section",
    "load",
    "missing_bindings",
    "missing_vars",
    "not_inherited",
    "secret_names",
    "selection_note",
]


def missing_bindings(config: dict[str, Any], env_name: str) -> list[Missing]:
    """Everything but vars that ``env.<env_name>`` lacks of the top level."""
    return [missing for missing in not_inherited(config, env_name) if missing.field != "vars"]


def missing_vars(config: dict[str, Any], env_name: str, folder: Path | None = None) -> list[str]:
    """Top-level vars ``env.<env_name>.vars`` lacks (all of them when it has no vars), less the
    placeholders of secrets."""
    missing: list[str] = []
    for item in not_inherited(config, env_name):
        if item.field == "vars":
            top = config.get("vars")
            missing += [item.name] if item.name else [str(n) for n in top] if isinstance(top, dict) else []
    secrets = secret_names(config, env_name, folder)
    return [name for name in missing if name not in secrets]
