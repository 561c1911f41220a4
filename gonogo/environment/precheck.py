"""`[precheck]`: the inputs of the pre-deploy checks."""

from __future__ import annotations

from pydantic import Field

from gonogo.environment._base import Section
from gonogo.environment.values import ProjectPath


class PrecheckConfig(Section):
    """Inputs of the pre-deploy checks (docs/checks.md). Paths are relative to the project root: the
    folder above the environments folder. A path that would leave it or walk all of it is refused: absolute
    paths, `..` out of the root, a glob starting with `**`."""

    junit: list[ProjectPath] = Field(
        default_factory=list,
        description="Globs of upstream JUnit XML files that must be green (`**` recurses); a glob matching "
        "no file fails.",
    )
    lockfiles: list[ProjectPath] = Field(
        default_factory=list,
        description="Dependency lock files whose pins are checked: requirements-style (pip-compile, uv "
        "export), `uv.lock`, `poetry.lock`, `pdm.lock`, `Pipfile.lock`, `pylock.toml`, `package-lock.json`, "
        "`pnpm-lock.yaml`, `yarn.lock`, `bun.lock` (compared with the manifest beside them).",
    )
    wrangler_toml: ProjectPath | None = Field(
        None, description="Cloudflare Workers config to validate for this environment."
    )
    wrangler_env: str | None = Field(
        None, description="The `[env.<name>]` section to require (default: the environment's name)."
    )
