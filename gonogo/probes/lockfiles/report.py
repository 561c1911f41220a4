"""What a lock file check found, and how each tool says to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gonogo.probes.files import bounded

#: the fix for each kind, in that tool's own terms
FIXES = {
    "requirements": "pin every line with == (pip-compile / uv pip compile, with --generate-hashes if hashes "
    "are used) and commit the result",
    "package-lock.json": "run `npm install` and commit package.json and package-lock.json together "
    "(`npm ci` refuses a lock that does not satisfy package.json)",
    "pnpm-lock.yaml": "run `pnpm install` and commit package.json and pnpm-lock.yaml together "
    "(`pnpm install --frozen-lockfile`, CI's default, refuses an outdated lock)",
    "yarn.lock": "run `yarn install` and commit package.json and yarn.lock together "
    "(`yarn install --frozen-lockfile` / `--immutable` refuse an outdated lock)",
    "bun.lock": "run `bun install` and commit package.json and bun.lock together "
    "(`bun install --frozen-lockfile` refuses an outdated lock)",
    "uv.lock": "run `uv lock` and commit pyproject.toml and uv.lock together (`uv lock --check` and "
    "`uv sync --locked` refuse an outdated lock)",
    "poetry.lock": "run `poetry lock` and commit pyproject.toml and poetry.lock together "
    "(`poetry check --lock` and `poetry install` refuse an outdated lock)",
    "pdm.lock": "run `pdm lock` and commit pyproject.toml and pdm.lock together (`pdm lock --check` "
    "refuses an outdated lock)",
    "Pipfile.lock": "run `pipenv lock` and commit Pipfile and Pipfile.lock together (`pipenv verify` and "
    "`pipenv install --deploy` refuse an outdated lock)",
    "pylock.toml": "regenerate it (`uv export --format pylock.toml` or `pip lock`) and commit it",
    "unsupported": "list requirements-style files or a lock format gonogo reads in [precheck].lockfiles "
    "(docs/checks.md lists them)",
}


@dataclass
class LockReport:
    """What a lock file holds and what is wrong with it."""

    path: Path
    kind: str
    #: packages (or requirement lines) the file pins
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    #: what could not be compared or was let through, said in the report, not a failure
    notes: list[str] = field(default_factory=list)
    #: the file is not one gonogo can judge (its format, or it does not parse): a failure of its own kind
    refused: bool = False

    def refuse(self, reason: str) -> None:
        self.refused = True
        self.problems.append(reason)

    def message(self, shown: str) -> str | None:
        if not self.problems:
            return None
        what = "cannot be checked" if self.refused else f"{len(self.problems)} problem(s)"
        return f"{shown} ({self.kind}): {what}: {bounded(self.problems)}. Fix: {FIXES[self.kind]}"
