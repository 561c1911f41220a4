"""``gonogo init``: the files a repository needs to use gonogo, written from templates in this package.

    environments/staging.toml       commented: every key explained, the checks it drives named
    environments/production.toml    the same for a sensitive target (destructive checks off, load capped)
    conftest.py                     how to override one of gonogo's fixtures
    .github/workflows/gonogo.yml    GitHub Actions: precheck, deploy, smoke, switch, postdeploy
    .gitlab-ci.yml                  GitLab CI: the same stages

An existing file is never replaced unless ``force`` is set; the result says what happened to each.
The templates end in ``.tmpl`` so that neither pytest, mypy nor ruff takes them for this package's code.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from gonogo import __version__

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: template file -> where it goes in the repository
FILES: tuple[tuple[str, str], ...] = (
    ("staging.toml.tmpl", "environments/staging.toml"),
    ("production.toml.tmpl", "environments/production.toml"),
    ("conftest.py.tmpl", "conftest.py"),
    ("github-workflow.yml.tmpl", ".github/workflows/gonogo.yml"),
    ("gitlab-ci.yml.tmpl", ".gitlab-ci.yml"),
)
VERSION_TOKEN = "@GONOGO_VERSION@"


class Action(StrEnum):
    WROTE = "wrote"
    REPLACED = "replaced"
    LEFT = "left alone"


@dataclass(frozen=True)
class Written:
    path: str
    action: Action


def render(template: str, version: str = __version__) -> str:
    """A template's text, with the gonogo version the CI files install filled in."""
    return (TEMPLATES / template).read_text(encoding="utf-8").replace(VERSION_TOKEN, version)


def _write(path: Path, text: str) -> None:
    # whole or not at all: an interrupted init leaves no half-written workflow behind
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(scratch, 0o666 & ~_umask())  # mkstemp's 0600 would hide the files from the CI user
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def init(target: Path, *, force: bool = False, version: str = __version__) -> list[Written]:
    """Write every file into ``target``; existing ones are left alone unless ``force``."""
    results = []
    for template, relative in FILES:
        path = target / relative
        existed = path.exists()
        if existed and not force:
            results.append(Written(relative, Action.LEFT))
            continue
        _write(path, render(template, version))
        results.append(Written(relative, Action.REPLACED if existed else Action.WROTE))
    return results


def summary(results: list[Written]) -> str:
    """What ``gonogo init`` prints: one line per file, then the next steps."""
    lines = []
    for result in results:
        if result.action is Action.LEFT:
            lines.append(f"  left alone  {result.path} (it exists; `gonogo init --force` replaces it)")
        else:
            lines.append(f"  {result.action.value:10}  {result.path}")
    lines += [
        "",
        "Next:",
        "  1. set base_url in environments/staging.toml (and production.toml) to your service",
        "  2. DEPLOY_VERSION=<version> API_TOKEN=<token> gonogo validate staging",
        "  3. DEPLOY_VERSION=<version> API_TOKEN=<token> pytest --env staging",
        "  4. commit the CI file for your CI (.github/workflows/gonogo.yml or .gitlab-ci.yml)",
        "`gonogo checks` lists the built-in checks; your own go in checks/, smoke/ and load/.",
    ]
    return "\n".join(lines) + "\n"
