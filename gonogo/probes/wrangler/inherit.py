"""What ``env.<name>`` lacks of the top level: wrangler's own "not inherited" warnings, one by one.

Wrangler warns and deploys anyway; the Worker of that environment then simply has no such binding or
var, and the first request that reads it throws. So each warning is a failure here, worded as wrangler
words it, with one exception wrangler itself makes necessary: a top-level var that is a placeholder for
a secret (named in ``secrets.required`` or in ``.dev.vars`` / ``.env`` beside the config) is not demanded
in the environment, since wrangler refuses a var and a secret of the same name in one Worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.probes.wrangler.keys import (
    BINDING_ARRAYS,
    BINDINGS_PROPERTY,
    NAME_MAPS,
    NON_INHERITABLE,
    SECRET_FILES,
)


@dataclass(frozen=True)
class Missing:
    """A field (``name`` None) or one named entry of it that ``env.<env>`` does not declare."""

    field: str
    name: str | None
    env: str

    @property
    def is_var(self) -> bool:
        return self.field == "vars" and self.name is not None

    def __str__(self) -> str:
        where = f"env.{self.env}"
        if self.name is None:
            return f'"{self.field}" exists at the top level, but not on "{where}"'
        if self.field in NAME_MAPS:
            return f'"{self.field}.{self.name}" exists at the top level, but not on "{where}.{self.field}"'
        return f'{self.field} binding "{self.name}" is at the top level, but not on "{where}.{self.field}"'

    def fix(self) -> str:
        if self.name is None:
            return f'add "{self.field}" to "env.{self.env}"'
        return f'add "{self.name}" to "env.{self.env}.{self.field}"'


def env_section(config: dict[str, Any], env_name: str) -> dict[str, Any] | None:
    envs = config.get("env")
    section = envs.get(env_name) if isinstance(envs, dict) else None
    return section if isinstance(section, dict) else None


def not_inherited(config: dict[str, Any], env_name: str) -> list[Missing]:
    """Every "not inherited" warning wrangler 4.86 gives for ``--env env_name``, in its order.

    Nothing when the config has no ``env.<env_name>`` (then there is nothing that could lack anything:
    see :func:`gonogo.probes.wrangler.config.config_problems` for what wrangler does then).
    """
    section = env_section(config, env_name)
    if section is None:
        return []
    found: list[Missing] = []
    for field in NON_INHERITABLE:
        top = config.get(field)
        if top is None:
            continue
        here = section.get(field)
        if here is None:
            found.append(Missing(field, None, env_name))
            continue
        present = set(_names(field, here))
        found += [Missing(field, name, env_name) for name in _names(field, top) if name not in present]
    return found


def secret_names(config: dict[str, Any], env_name: str | None, folder: Path | None) -> set[str]:
    """Names this Worker keeps as secrets: ``secrets.required`` (env's and top level's) and the names in
    wrangler's local secret files beside the config (``.dev.vars``, ``.dev.vars.<env>``, ``.env``, ...)."""
    names: set[str] = set()
    tables = [config] + ([env_section(config, env_name) or {}] if env_name else [])
    for table in tables:
        secrets = table.get("secrets")
        required = secrets.get("required") if isinstance(secrets, dict) else None
        names.update(str(name) for name in required or [] if isinstance(name, str))
    if folder is not None:
        for base in SECRET_FILES:
            for name in (base, f"{base}.{env_name}") if env_name else (base,):
                names.update(_dotenv_names(folder / name))
    return names


def _names(field: str, value: Any) -> list[str]:
    """The names wrangler compares for a field, by the validator it gives that field."""
    if field in NAME_MAPS:
        return [str(key) for key in value] if isinstance(value, dict) else []
    if field in BINDINGS_PROPERTY:
        bindings = value.get("bindings") if isinstance(value, dict) else None
        return [b["name"] for b in bindings or [] if isinstance(b, dict) and isinstance(b.get("name"), str)]
    if field in BINDING_ARRAYS:
        entries = value if isinstance(value, list) else []
        return [e["binding"] for e in entries if isinstance(e, dict) and isinstance(e.get("binding"), str)]
    return []


def _dotenv_names(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    names: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].strip())
    return names
