"""The built-in suite in a run: gonogo's own checks collected beside the project's, switched off by name.

With an environment and no test paths on the command line, pytest collects the project (its rootdir or
``testpaths``) and gonogo adds the folders of its built-in suite (:mod:`gonogo.suite`) to the session's
collection. pytest fixes its rootdir and arguments before plugins run, so the folders are not added as
arguments (that would walk the tree from the rootdir down to ``site-packages``); they are appended to
what the session collects, as collectors of their own whose node ids start with ``gonogo/``
(``gonogo/smoke/test_version.py::test_version``): readable in the gate's reasons, and never the same
as a project's own ``smoke/test_version.py``. Every xdist worker runs the same hooks, so the workers
collect the same items.

Never collected twice: folders that the session already collects (gonogo's own repository, whose
``testpaths`` are these folders) are not added; paths named on the command line mean exactly those.
``--builtin-checks=off`` (``GONOGO_BUILTIN_CHECKS``, ini ``gonogo_builtin_checks``) leaves the suite
out; ``[builtin].disable`` in the environment file skips single checks by policy.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable
from pathlib import Path

import pytest

from gonogo import suite
from gonogo.environment import shown
from gonogo.names import POLICY_SKIP_PROPERTY
from gonogo.plugin.context import RunContext

_SWITCH = ("on", "off")


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("gonogo")
    group.addoption(
        "--builtin-checks",
        dest="gonogo_builtin_checks",
        choices=_SWITCH,
        help="on: collect gonogo's built-in checks beside the project's when no test paths are named; "
        "off: the project's checks only. Default: $GONOGO_BUILTIN_CHECKS, ini gonogo_builtin_checks, on.",
    )
    parser.addini(
        "gonogo_builtin_checks",
        "on or off: collect gonogo's built-in checks (see --builtin-checks)",
        default="",
    )


def _switch(config: pytest.Config) -> bool:
    for value, source in (
        (config.option.gonogo_builtin_checks, "--builtin-checks"),
        (os.environ.get("GONOGO_BUILTIN_CHECKS"), "GONOGO_BUILTIN_CHECKS"),
        (str(config.getini("gonogo_builtin_checks")), "ini gonogo_builtin_checks"),
    ):
        if value:
            if value not in _SWITCH:
                raise pytest.UsageError(f"{source} must be on or off, given: {value!r}")
            return value == "on"
    return True


def _collected_paths(config: pytest.Config) -> list[Path]:
    return [(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args]


def _covered(folder: Path, paths: Iterable[Path]) -> bool:
    return any(folder == path or path in folder.parents for path in paths)


class BuiltinDir(pytest.Directory):
    """A folder of the built-in suite (or a folder under one), with a ``gonogo/``-prefixed node id."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        ihook = self.ihook
        for entry in sorted(os.scandir(self.path), key=lambda entry: entry.name):
            path = Path(entry.path)
            if ihook.pytest_ignore_collect(collection_path=path, config=self.config):
                continue
            if entry.is_dir():
                collector = ihook.pytest_collect_directory(path=path, parent=self)
                if collector is not None:
                    yield collector
            elif entry.is_file():
                yield from ihook.pytest_collect_file(file_path=path, parent=self)


class BuiltinSuite:
    """Adds the built-in folders to the session and applies ``[builtin].disable``."""

    def __init__(self, location: suite.SuiteLocation, add: dict[str, Path], context: RunContext) -> None:
        self._location = location
        #: folder name -> path, the folders to collect beside the project's
        self._add = add
        self._context = context

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        if isinstance(collector, pytest.Session) and report.passed:
            rootpath = collector.config.rootpath
            # first, so within a stage gonogo's checks run before the project's own
            for position, (name, path) in enumerate(self._add.items()):
                if not self._location.installed and rootpath in path.parents:
                    # a source checkout run from a subfolder: the node id it has in the checkout
                    nodeid = path.relative_to(rootpath).as_posix()
                else:
                    nodeid = f"{suite.NODEID_PREFIX}/{name}"
                report.result.insert(position, BuiltinDir.from_parent(collector, path=path, nodeid=nodeid))
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_collect_directory(self, path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if isinstance(parent, BuiltinDir):
            return BuiltinDir.from_parent(parent, path=path, nodeid=f"{parent.nodeid}/{path.name}")
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(
        self, module_path: Path, parent: pytest.Collector
    ) -> pytest.Module | None:
        if isinstance(parent, BuiltinDir):
            nodeid = f"{parent.nodeid}/{module_path.name}"
            return pytest.Module.from_parent(parent, path=module_path, nodeid=nodeid)
        return None

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        loaded = self._context.loaded
        if loaded is None or not loaded.model.builtin.disable:
            return
        disabled = set(loaded.model.builtin.disable)
        where = f"{shown(loaded.path)} [builtin].disable"
        for item in items:
            name = getattr(item, "originalname", item.name)
            if name in disabled and self._location.folder_of(item.path) is not None:
                reason = f"built-in check {name} switched off in {where}"
                item.user_properties.append((POLICY_SKIP_PROPERTY, reason))
                item.add_marker(pytest.mark.skip(reason=reason))


def register(config: pytest.Config, context: RunContext) -> None:
    """Called at configure once the environment is loaded: decide what to add, register the plugin."""
    if context.loaded is None:
        return
    location = suite.location()
    add: dict[str, Path] = {}
    if _switch(config) and config.args_source != pytest.Config.ArgsSource.ARGS:
        collected = _collected_paths(config)
        add = {
            name: path
            for name, path in location.folders.items()
            if location.installed or not _covered(path, collected)
        }
    config.pluginmanager.register(BuiltinSuite(location, add, context), "gonogo.builtin")
