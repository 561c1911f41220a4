"""Finding an environment file, reading it and turning every problem into a message people can act on.

Loading never sends a request: every problem (missing file, TOML syntax, unknown key, wrong type, unset
variable) becomes an :class:`EnvironmentFileError` whose message names the file, the key path and the
fix. The plugin turns that into a ``pytest.UsageError`` (exit 4) before any test runs.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from gonogo.environment._base import model_of
from gonogo.environment.errors import EnvironmentFileError, UnknownEnvironmentError
from gonogo.environment.interpolate import Interpolated, InterpolationError, format_path, interpolate_tree
from gonogo.environment.model import Environment, LoadedEnvironment
from gonogo.environment.nesting import MAX_DEPTH, shown_deep_path, too_deep_in_text, too_deep_in_tree
from gonogo.environment.redaction import interpolated_values, short_value_warnings, userinfo_values

ENV_SUFFIX = ".toml"


def shown(path: Path) -> str:
    """A path as people typed it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def available(env_dir: Path) -> list[str]:
    """Names of the environments in a folder."""
    if not env_dir.is_dir():
        return []
    return sorted(path.stem for path in env_dir.glob(f"*{ENV_SUFFIX}") if path.is_file())


def name_of(name: str) -> str:
    """The environment's name for ``--env``: a bare name, or the stem of a path to a .toml file."""
    return Path(name).stem if name.endswith(ENV_SUFFIX) or "/" in name else name


def resolve_path(name: str, env_dir: Path) -> Path:
    """The file for ``name``; a path to a .toml file is accepted as is."""
    if name.endswith(ENV_SUFFIX) or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise UnknownEnvironmentError(f"environment file {shown(path)} does not exist")
        return path
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise UnknownEnvironmentError(f"--env {name!r} is not an environment name (letters, digits, ., _, -)")
    path = env_dir / f"{name}{ENV_SUFFIX}"
    if not path.is_file():
        names = available(env_dir)
        listing = ", ".join(names) if names else "none"
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownEnvironmentError(
            f"unknown environment {name!r}: no file {shown(path)}.{hint} "
            f"Environments in {shown(env_dir)}/: {listing}. "
            f"Fix: pass one of them with --env, or create {shown(path)}."
        )
    return path


def load(name: str, env_dir: Path, environ: Mapping[str, str] | None = None) -> LoadedEnvironment:
    """Find, read, interpolate and validate an environment; raise :class:`EnvironmentFileError`."""
    path = resolve_path(name, env_dir)
    return load_file(path, name=path.stem, environ=environ)


def load_file(
    path: Path, *, name: str | None = None, environ: Mapping[str, str] | None = None
) -> LoadedEnvironment:
    """Read, interpolate and validate one file; raise :class:`EnvironmentFileError`.

    Files it names (schemas, CA bundle, precheck inputs) are checked by
    :func:`gonogo.environment.files.check_referenced_files`, which the callers run next.
    """
    source = os.environ if environ is None else environ
    where = shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentFileError(f"{where}: cannot be read: {exc}") from None
    raw = _parse(text, where)
    deep = too_deep_in_tree(raw)
    if deep is not None:
        raise EnvironmentFileError(_too_deep(where, shown_deep_path(deep)))
    found: list[Interpolated] = []
    try:
        data = interpolate_tree(raw, source, (), found)
    except InterpolationError as exc:
        raise EnvironmentFileError(f"{where}: {exc}") from None
    try:
        model = Environment.model_validate(data)
    except ValidationError as exc:
        # a value interpolated into a URL or header may be a credential: never echo it (imported here:
        # the redactor's package reads loaded environments, so it must not load with this one)
        from gonogo.redaction import Redactor

        scrub = Redactor(interpolated_values(found).values())
        raise EnvironmentFileError(scrub.text(format_validation_error(path, exc))) from None
    except RecursionError:
        raise EnvironmentFileError(_too_deep(where, "(a nested value)")) from None
    return LoadedEnvironment(
        name=name or path.stem,
        path=path,
        model=model,
        interpolated=tuple(found),
        warnings=tuple(_warnings(model, found)),
    )


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EnvironmentFileError(f"{where}: not valid TOML: {exc}. Fix the syntax at that line.") from None
    except RecursionError:
        # tomllib recurses once per nested array or inline table
        found = too_deep_in_text(text)
        at = f"line {found[0]}: {found[1]}" if found else "(a nested value)"
        raise EnvironmentFileError(_too_deep(where, at)) from None


def _too_deep(where: str, at: str) -> str:
    return (
        f"{where}: {at}: nested more than {MAX_DEPTH} levels deep (tables, arrays, inline tables). "
        "Fix: flatten it; an environment file needs a few levels at most"
    )


def _warnings(model: Environment, found: list[Interpolated]) -> list[str]:
    warnings = list(short_value_warnings(found, userinfo_values(model.urls())))
    load = model.load
    reachable = load.most_requests(rate_cap=load.sensitive_max_rate_per_s)
    if model.sensitive and reachable is not None and load.min_requests > reachable:
        judged_s = load.duration_s - load.warmup_s
        warnings.append(
            f"load.min_requests ({load.min_requests}) cannot be met under the sensitive cap "
            f"(sensitive_max_rate_per_s {load.sensitive_max_rate_per_s:g} x {judged_s:g} s "
            f"after warm-up = {reachable} requests at most): the load check will be inconclusive unless "
            "--allow-full-load. Fix: lower min_requests or lengthen duration_s"
        )
    compare = model.baseline.compare if model.baseline is not None else None
    if compare is not None and compare.enabled and compare.min_samples > compare.requests:
        # a warning, not an error: a file may mean it (to see the inconclusive path), and it is not silent
        warnings.append(
            f"baseline.compare.min_samples ({compare.min_samples}) can never be met with requests = "
            f"{compare.requests} per side: every comparison will be inconclusive. Fix: lower min_samples "
            "or raise requests"
        )
    return warnings


def format_validation_error(path: Path, error: ValidationError) -> str:
    """One line per problem, each naming the key path and the fix."""
    lines = [f"{shown(path)}: {error.error_count()} problem(s) in the environment file:"]
    for item in error.errors():
        loc = tuple(item["loc"])
        lines.append(f"  - {_describe(loc, item)}")
    return "\n".join(lines)


def _describe(loc: tuple[str | int, ...], item: Any) -> str:
    kind = item["type"]
    where = format_path(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        parent = f"in {format_path(loc[:-1])}" if loc[:-1] else "at the top level"
        return f"{where}: unknown key {key!r} {parent}.{hint} Allowed keys: {', '.join(allowed)}."
    if kind == "missing":
        return f"{where}: required key is missing. Fix: add it (see `gonogo schema` or docs/environments.md)."
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if not loc and _LEADING_KEY.match(message):
        # a check across keys of the whole file names its key itself: "base_url: uses {port} but ..."
        return f"{message}."
    given = item.get("input")
    given_text = (
        "" if isinstance(given, dict | list) or kind.startswith("value_error") else f" (given: {given!r})"
    )
    fix = _FIXES.get(kind)
    if fix is not None:
        return f"{where}: {message}. Fix: {fix}{given_text}."
    return f"{where}: {message}{given_text}."


#: a message that starts with its key: ``base_url: ...`` or ``[baseline].base_url uses ...``
_LEADING_KEY = re.compile(r"[a-z_]+(?:\.[a-z_]+)*: |\[[a-z_.]+\]\.[a-z_]+ ")
_RANGE_FIX = "give a value in that range (docs/environments.md says why each bound is there)"
#: what to do about the pydantic errors whose message says only what is wrong
_FIXES = {
    "bool_type": "write true or false, unquoted",
    "int_type": 'write a whole number, unquoted (or a "${VAR}" that holds one)',
    "float_type": 'write a number, unquoted (or a "${VAR}" that holds one)',
    "finite_number": "write a finite number: inf or nan would switch the check off",
    "string_type": "write it as a quoted string",
    "greater_than": _RANGE_FIX,
    "greater_than_equal": _RANGE_FIX,
    "less_than": _RANGE_FIX,
    "less_than_equal": _RANGE_FIX,
}


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] = Environment
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        if info is None:
            return []
        inner = model_of(info.annotation)
        if inner is None:
            return []
        model = inner
    return sorted(info.alias or key for key, info in model.model_fields.items())
