"""Cloudflare Workers config (``wrangler.toml``) for one target environment.

Wrangler does not inherit bindings or ``vars`` from the top level into ``[env.<name>]``: a KV namespace
declared only at the top level simply does not exist in the staging Worker, and the first request that
touches it throws. These functions find that before the deploy does.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: binding arrays wrangler does not inherit, and the key that names each binding in them
BINDING_KEYS: tuple[tuple[str, str], ...] = (
    ("kv_namespaces", "binding"),
    ("r2_buckets", "binding"),
    ("d1_databases", "binding"),
    ("services", "binding"),
    ("durable_objects.bindings", "name"),
    ("queues.producers", "binding"),
    ("hyperdrive", "binding"),
    ("vectorize", "binding"),
    ("analytics_engine_datasets", "binding"),
)


class WranglerError(Exception):
    """The file is missing or is not valid TOML."""


@dataclass(frozen=True)
class Binding:
    key: str
    name: str

    def __str__(self) -> str:
        return f"{self.key} binding {self.name!r}"


def load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WranglerError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WranglerError(f"{path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WranglerError(f"{path} is not valid TOML: {exc}") from None


def config_problems(config: dict[str, Any], env_name: str, *, today: dt.date | None = None) -> list[str]:
    """What is missing at the top level and whether ``[env.<env_name>]`` exists."""
    problems: list[str] = []
    if not isinstance(config.get("name"), str) or not config.get("name"):
        problems.append('no top-level `name` (the Worker\'s name), e.g. name = "my-worker"')
    date = config.get("compatibility_date")
    if date is None:
        problems.append('no `compatibility_date`, e.g. compatibility_date = "2025-01-01"')
    else:
        parsed = _date(date)
        if parsed is None:
            problems.append(f"compatibility_date = {date!r} is not a date (YYYY-MM-DD)")
        elif parsed > (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1):
            problems.append(f"compatibility_date = {parsed} is in the future: Cloudflare rejects the deploy")
    if env_section(config, env_name) is None:
        declared = sorted((config.get("env") or {}).keys()) if isinstance(config.get("env"), dict) else []
        listing = ", ".join(f"[env.{name}]" for name in declared) or "none"
        problems.append(
            f"no [env.{env_name}] section (environments declared: {listing}). "
            f"Fix: add [env.{env_name}] with its vars and bindings, or set [precheck].wrangler_env"
        )
    return problems


def env_section(config: dict[str, Any], env_name: str) -> dict[str, Any] | None:
    envs = config.get("env")
    section = envs.get(env_name) if isinstance(envs, dict) else None
    return section if isinstance(section, dict) else None


def bindings(table: dict[str, Any]) -> list[Binding]:
    """Every binding a table (top level or an env section) declares."""
    found: list[Binding] = []
    for key, name_key in BINDING_KEYS:
        node: Any = table
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        for entry in node if isinstance(node, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get(name_key), str):
                found.append(Binding(key, entry[name_key]))
    return found


def missing_bindings(config: dict[str, Any], env_name: str) -> list[Binding]:
    """Top-level bindings that ``[env.<env_name>]`` does not declare (wrangler will not inherit them)."""
    section = env_section(config, env_name)
    if section is None:
        return []
    present = set(bindings(section))
    return [binding for binding in bindings(config) if binding not in present]


def missing_vars(config: dict[str, Any], env_name: str) -> list[str]:
    """Top-level ``vars`` that ``[env.<env_name>].vars`` does not declare."""
    section = env_section(config, env_name)
    top = config.get("vars")
    if section is None or not isinstance(top, dict):
        return []
    env_vars = section.get("vars")
    present = set(env_vars) if isinstance(env_vars, dict) else set()
    return sorted(name for name in top if name not in present)


def _date(value: Any) -> dt.date | None:
    # TOML may hold a bare date (compatibility_date = 2025-01-01) or a string
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
