"""What a deploy of one environment needs from the config as a whole: a name, a compatibility date that
Cloudflare accepts, and an ``env.<name>`` wrangler can select."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gonogo.probes.wrangler.inherit import env_section


def config_problems(config: dict[str, Any], env_name: str, *, today: dt.date | None = None) -> list[str]:
    """What stops ``wrangler deploy [--env env_name]``; ``env_name`` "" means the top level."""
    problems: list[str] = []
    section = env_section(config, env_name) if env_name else None
    declared = _declared_envs(config)
    if env_name and section is None and declared:
        # validation.ts: an error when other environments exist, only a warning when none does
        listing = ", ".join(f'"{name}"' for name in declared)
        problems.append(
            f'No environment found in configuration with name "{env_name}" (the configured environment '
            f'names are: {listing}). Fix: add an "env.{env_name}" section, or set [precheck].wrangler_env '
            f'to one of them ("" deploys the top level)'
        )
    effective = {**config, **(section or {})}
    name = effective.get("name")
    if not isinstance(name, str) or not name:
        problems.append(
            'no "name" (the Worker\'s name): wrangler deploy refuses to publish without one. '
            'Fix: add "name" at the top level, e.g. "name": "my-worker"'
        )
    date = effective.get("compatibility_date")
    if date is None:
        problems.append(
            'no "compatibility_date": wrangler deploy refuses to publish without one. '
            'Fix: add "compatibility_date" at the top level, e.g. "compatibility_date": "2025-01-01"'
        )
    else:
        parsed = _date(date)
        if parsed is None:
            problems.append(f'"compatibility_date" = {date!r} is not a date (YYYY-MM-DD)')
        elif parsed > (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1):
            problems.append(
                f'"compatibility_date" = {parsed} is in the future: Cloudflare rejects the deploy'
            )
    return problems


def selection_note(config: dict[str, Any], env_name: str) -> str | None:
    """Said in the report when wrangler would fall back to the top level for ``--env env_name``."""
    if env_name and env_section(config, env_name) is None and not _declared_envs(config):
        return (
            f'no "env" section at all: wrangler deploy --env {env_name} uses the top-level settings '
            "(it only warns), so those are what is checked"
        )
    return None


def _declared_envs(config: dict[str, Any]) -> list[str]:
    envs = config.get("env")
    return sorted(str(name) for name in envs) if isinstance(envs, dict) else []


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
