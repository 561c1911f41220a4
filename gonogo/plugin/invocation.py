"""How pytest was invoked: mistakes caught before they cost a run, and what an invocation exits with.

* ``--env PATH`` (a space, not ``=``) with a PATH that exists: pytest looks for its rootdir and ini file
  *before* any plugin adds its options, so it takes PATH for a test path, may root itself at PATH's
  folder and lose the project's ini (testpaths, markers, addopts: hundreds of tests of another suite).
  When that changed the rootdir or the ini file, gonogo stops with a usage error naming ``--env=PATH``;
  when it changed nothing (a path inside the project), both forms work. The same holds for every gonogo
  option that takes a path.
* an informational run (:mod:`gonogo.plugin.informational`) with an environment bound exits 13.
* no environment bound, yet checks that need one were collected: one usage error, not one error per
  check (serial runs; under pytest-xdist each worker collects on its own and each check says it).
"""

from __future__ import annotations

import itertools
import os
import shlex
from collections.abc import Generator
from pathlib import Path

import pytest

from gonogo import environment as envfile
from gonogo.plugin.context import is_worker, run_context
from gonogo.plugin.informational import EXIT_NO_VERDICT, informational

#: gonogo options whose value is a path (or, for --env, may be one)
PATH_OPTIONS = ("--env", "--env-dir", "--reports-dir", "--load-results")
#: fixtures that read the environment: a check using one cannot run without ``--env``
ENV_FIXTURES = frozenset(
    {
        "gonogo_context",
        "loaded_environment",
        "environment",
        "base_url",
        "expected_version",
        "secrets",
        "http",
        "baseline_http",
        "fail",
        "load_check",
        "baseline_comparison",
        "response_parity",
        "post_promotion_watch",
    }
)


def split_path_options(args: list[str], invocation_dir: Path) -> list[tuple[str, str]]:
    """``(option, value)`` for each gonogo path option given as ``--opt VALUE`` with an existing VALUE."""
    found = []
    for option, value in itertools.pairwise(args):
        if option in PATH_OPTIONS and not value.startswith("-") and (invocation_dir / value).exists():
            found.append((option, value))
    return found


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    # what pytest saw while it chose its rootdir: the command line and PYTEST_ADDOPTS (the ini's addopts
    # come later and are safe)
    given = [*shlex.split(os.environ.get("PYTEST_ADDOPTS", "")), *early_config.invocation_params.args]
    found = split_path_options([str(arg) for arg in given], early_config.invocation_params.dir)
    if not found:
        return
    intended = _setup_without_gonogo_values(early_config)
    if intended is None or intended == (early_config.rootpath, early_config.inipath):
        return  # the same rootdir and ini file either way: both forms work
    option, value = found[0]
    rootdir, inipath = intended
    raise pytest.UsageError(
        f"{option} {value}: pytest took {value!r} for a test path while it chose its rootdir and ini file, "
        f"before gonogo could read {option}: it rooted itself at {early_config.rootpath} with ini file "
        f"{early_config.inipath or 'none'} instead of {rootdir} with {inipath or 'none'}, and would "
        f"collect the wrong tests with the wrong settings. Write {option}={value}"
    )


def _setup_without_gonogo_values(config: pytest.Config) -> tuple[Path, Path | None] | None:
    """The rootdir and ini file pytest would have chosen from the real test paths alone (gonogo's
    options are known by now, so their values are no longer among them); None if pytest cannot say."""
    try:
        from _pytest.config.findpaths import determine_setup

        known = config.known_args_namespace
        rootpath, inipath, *_ = determine_setup(
            inifile=known.inifilename,
            override_ini=known.override_ini,
            args=known.file_or_dir,
            rootdir_cmd_arg=known.rootdir or None,
            invocation_dir=config.invocation_params.dir,
        )
    except Exception:  # a private pytest helper: if it changes, say nothing rather than guess
        return None
    return rootpath, inipath


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    code = yield
    context = run_context(config)
    if context is None or context.loaded is None or is_worker(config) or informational(config) is None:
        return code
    from gonogo.plugin.gate import GATE_KEY

    gate = config.stash.get(GATE_KEY, None)
    if gate is not None and gate.options.mode == "report":
        return code
    return EXIT_NO_VERDICT


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    context = run_context(config)
    if context is None or context.loaded is not None or is_worker(config) or config.option.collectonly:
        return
    needing = [item.nodeid for item in session.items if ENV_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if not needing:
        return
    names = ", ".join(envfile.available(context.settings.env_dir)) or "none"
    which = needing[0] + (f" and {len(needing) - 1} more" if len(needing) > 1 else "")
    raise pytest.UsageError(
        f"{len(needing)} collected check(s) need an environment ({which}): pass --env NAME (or set "
        f"GONOGO_ENV, or ini gonogo_env). Environments in {context.settings.env_dir}: {names}"
    )
