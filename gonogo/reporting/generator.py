"""Finding the Allure 2 generator for ``gonogo report``, and installing the pinned one on first use.

In this order:

1. ``$GONOGO_ALLURE``: an allure launcher you chose (it must exist);
2. ``allure`` on ``PATH``;
3. ``node_modules/allure-commandline`` in the project (the working folder, the reports folder or a folder
   above them) or in gonogo's own source checkout, as ``npm ci`` at its root installs it;
4. the per-user cache (``$GONOGO_CACHE_DIR``, else ``$XDG_CACHE_HOME/gonogo``, else ``~/.cache/gonogo``):
   the generator pinned by the npm lock that ships inside the package (``gonogo/reporting/allure/``),
   installed there with ``npm ci`` the first time it is needed, saying so. Later runs reuse it.

The generator itself is a Java program (the npm package carries its jar): it needs Java 17+, which
:func:`gonogo.reporting.html.render` checks. Installing needs Node.js with npm and the npm registry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gonogo.reporting.html import LAUNCHER, ReportError, find_generator, require_java

_HERE = Path(__file__).resolve().parent
#: the lock shipped in the wheel (pyproject.toml force-includes the repository's package*.json here)
SHIPPED_LOCK = _HERE / "allure"
#: the same files in a source checkout: the repository root
CHECKOUT_LOCK = _HERE.parent.parent
LOCK_FILES = ("package.json", "package-lock.json")
NPM_CI_TIMEOUT_S = 600.0


def lock_folder() -> Path:
    """Where the pinned ``package.json`` and ``package-lock.json`` are, installed or from source."""
    for folder in (SHIPPED_LOCK, CHECKOUT_LOCK):
        if all((folder / name).is_file() for name in LOCK_FILES):
            return folder
    raise ReportError(f"gonogo's Allure lock is missing from {SHIPPED_LOCK}: reinstall gonogo")


def pinned_version(lock: Path) -> str:
    packages = json.loads((lock / "package-lock.json").read_text(encoding="utf-8")).get("packages", {})
    version = packages.get("node_modules/allure-commandline", {}).get("version")
    if not isinstance(version, str):
        raise ReportError(f"{lock / 'package-lock.json'} pins no allure-commandline version")
    return version


def cache_root(environ: Mapping[str, str] = os.environ) -> Path:
    if environ.get("GONOGO_CACHE_DIR"):
        return Path(environ["GONOGO_CACHE_DIR"])
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "gonogo"
    return Path.home() / ".cache" / "gonogo"


def cached_install(lock: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """The cache folder for this lock: named for its version and digest (a new pin installs anew)."""
    digest = hashlib.sha256(b"".join((lock / name).read_bytes() for name in LOCK_FILES)).hexdigest()[:12]
    return cache_root(environ) / f"allure-{pinned_version(lock)}-{digest}"


def _npm(environ: Mapping[str, str]) -> str:
    path = environ.get("PATH")
    node, npm = shutil.which("node", path=path), shutil.which("npm", path=path)
    if node is None or npm is None:
        missing = " and ".join(name for name, found in (("node", node), ("npm", npm)) if found is None)
        raise ReportError(
            f"no Allure generator found, and installing the pinned one needs Node.js with npm: {missing} "
            "not on PATH. Install Node.js 18+ (e.g. `apt-get install nodejs npm`), or put an `allure` "
            "(Allure 2) on PATH, or set GONOGO_ALLURE to an allure launcher"
        )
    return npm


def install(lock: Path, target: Path, environ: Mapping[str, str], say: Callable[[str], None]) -> Path:
    """``npm ci`` of the shipped lock into ``target`` (a sibling temporary folder, renamed when complete,
    so an interrupted install never passes for an installed one)."""
    npm = _npm(environ)
    say(
        f"gonogo report: installing the Allure 2 generator {pinned_version(lock)} into {target} "
        "(npm ci, first use only)"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name in LOCK_FILES:
            shutil.copyfile(lock / name, scratch / name)
        command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            completed = subprocess.run(
                command,
                cwd=scratch,
                env={**environ, "npm_config_update_notifier": "false"},
                capture_output=True,
                text=True,
                timeout=NPM_CI_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ReportError(f"npm ci did not finish within {NPM_CI_TIMEOUT_S:g} s in {scratch}") from None
        if completed.returncode != 0 or not (scratch / LAUNCHER).is_file():
            tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-10:])
            raise ReportError(
                f"npm ci failed (exit {completed.returncode}) installing the generator:\n{tail}"
            )
        try:
            scratch.rename(target)
        except OSError:
            if not (target / LAUNCHER).is_file():  # not another process's complete install
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target / LAUNCHER


def locate(
    search_from: Sequence[Path],
    environ: Mapping[str, str] = os.environ,
    say: Callable[[str], None] = print,
) -> Path:
    """The generator to run, installing the pinned one into the cache when nothing else is there."""
    explicit = environ.get("GONOGO_ALLURE")
    if explicit:
        return find_generator([], environ)  # checks that the file exists, with its message
    on_path = shutil.which("allure", path=environ.get("PATH"))
    if on_path:
        return Path(on_path)
    checkout = [CHECKOUT_LOCK] if (CHECKOUT_LOCK / "package-lock.json").is_file() else []
    try:
        return find_generator([*search_from, *checkout], environ)
    except ReportError:
        pass
    lock = lock_folder()
    target = cached_install(lock, environ)
    if (target / LAUNCHER).is_file():
        return target / LAUNCHER
    # before a download it could not use
    require_java(environ, then="; then `gonogo report` installs the generator")
    return install(lock, target, environ, say)
