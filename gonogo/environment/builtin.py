"""`[builtin]`: gonogo's built-in checks switched off by name, for this environment."""

from __future__ import annotations

import difflib

from pydantic import Field, field_validator

from gonogo.environment._base import Section
from gonogo.suite import catalog


class BuiltinConfig(Section):
    """gonogo's own checks (the built-in suite) for this environment."""

    disable: list[str] = Field(
        default_factory=list,
        description="Built-in checks not to run here, by name (`gonogo checks` lists them, e.g. "
        '`"test_security_headers"`). Each is reported as skipped by policy, never counted.',
    )

    @field_validator("disable")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        unknown = catalog.unknown_names(names)
        if unknown:
            known = catalog.check_names()
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, known, n=1)
                hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ValueError(
                f"no built-in check named {', '.join(hints)}. Fix: use a name `gonogo checks` lists"
            )
        return names
