"""What a run's redactor knows, read from a loaded environment file and the process environment.

Every value the environment file's rule names (``LoadedEnvironment.redaction_values``: the secrets of
``[secrets].required`` and ``[http].bearer_secret``, every value ``${VAR}`` put into a URL, a path, a
header or a body, the userinfo of every URL) and the ``[launch].generate_secrets`` that are set.

One narrowing: a variable that is not a named secret and gives a whole URL (``[baseline].base_url =
"${BLUE_URL}"``) contributes the parts of it that can carry a credential, its userinfo, path, query and
fragment, not the scheme and host: the issue's rule is "a URL's userinfo, path and query", and the
baseline's address must stay readable where the report says "route traffic back to the baseline".
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator, Mapping

from gonogo.environment import LoadedEnvironment
from gonogo.redaction.forms import MIN_SECRET_LENGTH
from gonogo.redaction.redactor import Redactor


def known_values(loaded: LoadedEnvironment, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{name: value}`` of everything the run must never write."""
    source = os.environ if environ is None else environ
    launch = loaded.model.launch
    generated = launch.generate_secrets if launch is not None else []
    named = set(loaded.model.secret_names()) | set(generated)
    values: dict[str, str] = {}
    for name, value in loaded.redaction_values(source).items():
        if name in named:
            values[name] = value
        else:
            values.update(_credential_parts(name, value))
    for name in generated:
        if source.get(name):
            values.setdefault(name, source[name])
    return values


def _credential_parts(name: str, value: str) -> dict[str, str]:
    """A whole URL's userinfo, path, query and fragment; any other value as it is."""
    split = urllib.parse.urlsplit(value) if "://" in value else None
    if split is None or not split.scheme or not split.hostname:
        return {name: value}
    parts = {
        f"{name} userinfo": split.netloc.rpartition("@")[0],
        f"{name} path": split.path.strip("/"),
        f"{name} query": split.query,
        f"{name} fragment": split.fragment,
    }
    if split.password:
        parts[f"{name} password"] = split.password
    return {key: part for key, part in parts.items() if part}


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
