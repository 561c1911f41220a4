"""What a run's redactor knows, read from a loaded environment file and the process environment.

Every value the environment file's rule names (``LoadedEnvironment.redaction_values``: the secrets of
``[secrets].required`` and ``[http].bearer_secret``, every value ``${VAR}`` put into a URL, a path, a
header or a body, the userinfo of every URL) and the ``[launch].generate_secrets`` that are set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from gonogo.environment import LoadedEnvironment
from gonogo.redaction.forms import MIN_SECRET_LENGTH
from gonogo.redaction.redactor import Redactor


def known_values(loaded: LoadedEnvironment, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{name: value}`` of everything the run must never write."""
    source = os.environ if environ is None else environ
    values = loaded.redaction_values(source)
    launch = loaded.model.launch
    for name in launch.generate_secrets if launch is not None else []:
        if source.get(name):
            values.setdefault(name, source[name])
    return values


def redactor_for(loaded: LoadedEnvironment, environ: Mapping[str, str] | None = None) -> Redactor:
    return Redactor.named(known_values(loaded, environ))


def too_short_warnings(loaded: LoadedEnvironment, redactor: Redactor) -> Iterator[str]:
    """The loader's warnings, then one for each named secret too short to scrub (never its value)."""
    yield from loaded.warnings
    secrets = set(loaded.model.secret_names())
    for name in redactor.too_short:
        if name in secrets:
            yield (
                f"secret {name} is shorter than {MIN_SECRET_LENGTH} characters: it is not scrubbed from "
                "output. Fix: use a longer secret"
            )
