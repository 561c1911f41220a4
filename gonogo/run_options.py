"""Where gonogo's settings come from: command line, then environment variable, then ini file.

    --env NAME        GONOGO_ENV        ini gonogo_env
    --env-dir PATH    GONOGO_ENV_DIR    ini gonogo_env_dir      (default: environments/ under the rootdir)
    --stage NAME      GONOGO_STAGES     ini gonogo_stages       (default: every stage)
    --reports-dir P   GONOGO_REPORTS_DIR ini gonogo_reports_dir (default: reports/ under the rootdir)

The first one set wins. Relative paths are relative to where pytest was started (command line and
environment variable) or to the ini file's folder (ini), as pytest does for its own paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gonogo.errors import GonogoError
from gonogo.model import STAGE_ORDER, Stage

DEFAULT_ENV_DIR = "environments"
DEFAULT_REPORTS_DIR = "reports"


class RunOptionsError(GonogoError, ValueError):
    """An option given wrongly on the command line, in an environment variable or in the ini file."""


@dataclass(frozen=True)
class Settings:
    env_name: str | None
    env_source: str | None
    env_dir: Path
    stages: tuple[Stage, ...]
    stages_explicit: bool
    allow_destructive: bool
    #: run output goes to ``reports_root / <env name>``
    reports_root: Path


def _first(*candidates: tuple[str | None, str]) -> tuple[str | None, str | None]:
    for value, source in candidates:
        if value:
            return value, source
    return None, None


def parse_stages(values: Sequence[str], source: str) -> tuple[Stage, ...]:
    names: list[str] = []
    for value in values:
        names += [part.strip() for part in value.replace(",", " ").split() if part.strip()]
    chosen: set[Stage] = set()
    for name in names:
        try:
            chosen.add(Stage(name))
        except ValueError:
            allowed = ", ".join(stage.value for stage in STAGE_ORDER)
            raise RunOptionsError(f"{source}: unknown stage {name!r}; choose from {allowed}") from None
    return tuple(stage for stage in STAGE_ORDER if stage in chosen)


def resolve(
    *,
    cli_env: str | None,
    cli_env_dir: str | None,
    cli_stages: Sequence[str] | None,
    allow_destructive: bool,
    ini_env: str,
    ini_env_dir: str,
    ini_stages: Sequence[str],
    cli_reports_dir: str | None = None,
    ini_reports_dir: str = "",
    environ: Mapping[str, str],
    invocation_dir: Path,
    ini_dir: Path,
    rootdir: Path,
) -> Settings:
    env_name, env_source = _first(
        (cli_env, "--env"), (environ.get("GONOGO_ENV"), "GONOGO_ENV"), (ini_env, "ini gonogo_env")
    )

    def folder(cli: str | None, variable: str, ini: str, default: str) -> Path:
        # command line and variable: from where pytest started; ini: from the ini file's folder
        if cli:
            return invocation_dir / cli
        if environ.get(variable):
            return invocation_dir / environ[variable]
        if ini:
            return ini_dir / ini
        return rootdir / default

    env_dir = folder(cli_env_dir, "GONOGO_ENV_DIR", ini_env_dir, DEFAULT_ENV_DIR)
    if cli_stages:
        stages, explicit = parse_stages(cli_stages, "--stage"), True
    elif environ.get("GONOGO_STAGES"):
        stages, explicit = parse_stages([environ["GONOGO_STAGES"]], "GONOGO_STAGES"), True
    elif ini_stages:
        stages, explicit = parse_stages(ini_stages, "ini gonogo_stages"), True
    else:
        stages, explicit = STAGE_ORDER, False
    reports_root = folder(cli_reports_dir, "GONOGO_REPORTS_DIR", ini_reports_dir, DEFAULT_REPORTS_DIR)
    return Settings(
        env_name=env_name,
        env_source=env_source,
        env_dir=env_dir.resolve(),
        stages=stages,
        stages_explicit=explicit,
        allow_destructive=allow_destructive,
        reports_root=reports_root.resolve(),
    )
