"""The files an environment file names, checked before any test runs: a misspelt path is a usage error
(exit 4) naming the key, not a check that fails halfway through the run.

Checked: every route's JSON Schema (exists, is JSON, is a valid schema; its ``$ref``s are followed when
a body is validated), the ``[http].ca_bundle`` (a CA file that loads), the ``[launch].cwd`` folder, and
the ``[precheck]`` lock files and ``wrangler_toml`` (exist under the project root). Not checked:
``[precheck].junit`` globs (upstream jobs produce those files, and a glob that matches nothing is the
upstream check's finding) and a ``ca_bundle`` of an environment with ``[launch]`` (the launched target
may make its CA as it starts, as ``environments/demo-tls.toml`` does). A run that does not include the
precheck stage does not look for the ``[precheck]`` files (a post-deploy run need not hold the lock files).
"""

from __future__ import annotations

import ssl
from collections.abc import Collection, Iterator

from gonogo.environment.errors import EnvironmentFileError
from gonogo.environment.loading import shown
from gonogo.environment.model import LoadedEnvironment
from gonogo.model import Stage


def check_referenced_files(loaded: LoadedEnvironment, stages: Collection[Stage] | None = None) -> None:
    """Raise :class:`EnvironmentFileError` listing every referenced file that is missing or unusable.

    ``gonogo validate`` calls it after loading (every stage); the plugin calls it after loading too,
    before any test, for the stages the run selects.
    """
    problems = list(_problems(loaded, Stage.PRECHECK in stages if stages is not None else True))
    if problems:
        lines = [f"{shown(loaded.path)}: {len(problems)} problem(s) with the files it names:"]
        lines += [f"  - {problem}" for problem in problems]
        raise EnvironmentFileError("\n".join(lines))


def _problems(loaded: LoadedEnvironment, precheck: bool) -> Iterator[str]:
    env = loaded.model
    here = loaded.path.parent
    yield from _schemas(loaded)
    if env.http.ca_bundle is not None and env.launch is None:
        path = here / env.http.ca_bundle
        try:
            ssl.create_default_context(cafile=str(path))
        except (OSError, ssl.SSLError, ValueError) as exc:
            yield (
                f"http.ca_bundle: {shown(path)} cannot be used as a CA file ({_reason(exc)}). "
                "Fix: give a PEM file of CA certificates, relative to the environment file"
            )
    if env.launch is not None and env.launch.cwd is not None and not (here / env.launch.cwd).is_dir():
        yield (
            f"launch.cwd: {shown(here / env.launch.cwd)} is not a folder. Fix: give a folder relative to "
            "the environment file"
        )
    if precheck:
        yield from _precheck(loaded)


def _schemas(loaded: LoadedEnvironment) -> Iterator[str]:
    # imported here: jsonschema and referencing are needed only when a file names schemas
    from gonogo.probes.schema import SchemaFileError, load_schema

    for index, route in enumerate(loaded.model.routes):
        if route.schema_file is None:
            continue
        path = loaded.path.parent / route.schema_file
        try:
            load_schema(path, shown=shown(path))
        except SchemaFileError as exc:
            yield (
                f"routes[{index}].schema ({route.name!r}): {exc}. Fix: correct the path (relative to the "
                "environment file) or the schema"
            )


def _precheck(loaded: LoadedEnvironment) -> Iterator[str]:
    precheck = loaded.model.precheck
    # the folder above the environments folder, as gonogo/probes/files.py reads these paths
    root = loaded.path.resolve().parent.parent
    named = [(f"precheck.lockfiles[{i}]", name) for i, name in enumerate(precheck.lockfiles)]
    if precheck.wrangler_toml is not None:
        named.append(("precheck.wrangler_toml", precheck.wrangler_toml))
    for key, name in named:
        path = root / name
        if not path.is_file():
            yield (
                f"{key}: {name!r} is not a file under the project root {shown(root)}. Fix: correct the path "
                "(relative to the folder above the environments folder)"
            )
        elif not path.resolve().is_relative_to(root):
            yield (
                f"{key}: {name!r} leads outside the project root {shown(root)} (a link). "
                "Fix: name the file itself"
            )


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc) or type(exc).__name__
