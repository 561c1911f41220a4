"""gonogo's Allure hooks: where results go, labels, the files allure-pytest does not write, redaction.

Registered by ``gonogo.plugin`` in every process (controller and xdist workers) when an environment is
loaded and allure-pytest is active. The hooks are thin; the work is in ``gonogo.reporting`` (the results
folder's files: allure_files, properties, executor, categories, history, run_files), ``allure_writer``
(the redacting writer) and the plain functions below.

    controller, pytest_configure   results go to reports/<env>/allure-results/ unless --alluredir is given
    workers, pytest_configure      the same folder, handed over by the controller (workerinput)
    controller, sessionstart       clear the previous results (once, before any worker starts), seed the
                                   trend's history, write executor.json, categories.json, environment
    every process, sessionstart    allure-pytest's writer replaced by a redacting one
    collection                     labels: epic = environment, feature = stage, story = check family,
                                   severity = critical / normal from @pytest.mark.gate
    controller, pytest_gonogo_verdict   the gate's document, handed over in memory once it is written:
                                   verdict + files attached, environment rows completed, the whole
                                   folder swept for secrets, all before the gate delivers the verdict
    controller, sessionfinish      the same, for a run the gate never handed a verdict
    every process                  a file that cannot be written (a full disk) is recorded, never raised:
                                   the gate says NO-GO (reports-unwritable); workers hand theirs back
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterable, Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import pytest

from gonogo import __version__
from gonogo.names import FINDING_PROPERTY, FINDING_VERSION, STAGE_PROPERTY
from gonogo.plugin.allure_writer import WriterSwap
from gonogo.plugin.context import RunContext
from gonogo.redaction.sweep import sweep
from gonogo.reporting import categories, charts, deployment_html, executor, gate_json, history, properties
from gonogo.reporting.allure_files import clean_folder
from gonogo.reporting.layout import DEPLOYMENT_REPORT, GATE_FILE, HISTORY_STORE, RESULTS_DIR
from gonogo.reporting.run_files import RunFile, attach_run_files

if TYPE_CHECKING:
    from gonogo.model import CheckResult
    from gonogo.verdict import Verdict

WORKER_RESULTS_DIR = "gonogo_allure_results_dir"
#: what a worker could not write, handed back to the controller in ``workeroutput``
WORKER_WRITE_ERRORS = "gonogo_report_write_errors"


# -- plain functions -------------------------------------------------------------------------------


def check_family(path: PurePath | str) -> str:
    """``smoke/test_routes.py`` -> ``routes``: the story label that groups a check's variants."""
    stem = PurePath(path).stem
    return stem.removeprefix("test_").removesuffix("_test") or stem


def severity_of(gate: Mapping[str, Any] | None) -> str:
    """Critical checks (the default): "critical"; ``gate(critical=False)``: "normal"; a dry run: "minor"."""
    gate = gate or {}
    if gate.get("dry_run"):
        return "minor"
    return "critical" if gate.get("critical", True) else "normal"


def stage_of_item(user_properties: Iterable[tuple[str, object]]) -> str | None:
    for key, value in user_properties:
        if key == STAGE_PROPERTY and isinstance(value, str):
            return value
    return None


def environment_rows(
    context: RunContext, *, observed_version: str | None, git_commit: str | None, workers: int
) -> dict[str, str]:
    loaded = context.loaded
    assert loaded is not None
    env = loaded.model
    from importlib.metadata import PackageNotFoundError, version

    try:
        allure_version = version("allure-pytest")
    except PackageNotFoundError:  # pragma: no cover - allure-pytest is a dependency
        allure_version = "unknown"
    rows = {
        "environment": loaded.name + (f" ({env.description})" if env.description else ""),
        "base_url": context.base_url or env.base_url,
        "expected_version": env.expected_version,
        "observed_version": observed_version or "not checked in this run",
        "stages": ", ".join(stage.value for stage in context.settings.stages),
        "sensitive": "yes" if env.sensitive else "no",
        "git_commit": git_commit or "unknown",
        "gonogo": __version__,
        "pytest": pytest.__version__,
        "allure_pytest": allure_version,
        "python": sys.version.split()[0],
    }
    if workers:
        rows["xdist_workers"] = str(workers)
    return rows


# -- the plugin object -----------------------------------------------------------------------------


class AllureExtras:
    """One per process; see the module docstring for what each hook does."""

    def __init__(self, context: RunContext, config: pytest.Config) -> None:
        assert context.loaded is not None
        assert context.reports_dir is not None
        self.context = context
        self.config = config
        self.reports_dir: Path = context.reports_dir
        self.is_controller = not hasattr(config, "workerinput")
        self.observed_version: str | None = None
        #: the gate's document and files, handed over by ``pytest_gonogo_verdict`` (None: not judged yet)
        self.gate: dict[str, Any] | None = None
        self.gate_files: list[RunFile] = []
        self.finished = False
        self.swap = WriterSwap(context.redactor, on_error=self._write_failed)
        option = config.option
        # allure-pytest disabled (-p no:allure_pytest): nothing to do
        self.active = hasattr(option, "allure_report_dir")
        self.results_dir: Path | None = None
        self.clean = False
        if not self.active:
            return
        if not self.is_controller:
            handed = config.workerinput.get(WORKER_RESULTS_DIR)  # type: ignore[attr-defined]
            if handed:
                option.allure_report_dir = handed
        elif option.allure_report_dir is None:
            option.allure_report_dir = str(self.reports_dir / RESULTS_DIR)
            self.clean = True
        # allure-pytest's --clean-alluredir is an rmtree in every xdist worker, racing the others'
        # writes: the controller cleans instead (sessionstart), once, before any worker starts
        self.clean = self.clean or bool(getattr(option, "clean_alluredir", False))
        option.clean_alluredir = False
        self.results_dir = Path(os.path.abspath(option.allure_report_dir))
        if self.is_controller and config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_XdistHooks(self), "gonogo.allure.xdist")
        if not self.is_controller:
            config.pluginmanager.register(_WorkerHandBack(context, config), "gonogo.allure.handback")

    @property
    def history_store(self) -> Path:
        return self.reports_dir / HISTORY_STORE

    def _write_failed(self, exc: OSError) -> None:
        self.context.record_write_error(exc)

    # -- hooks ------------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.is_controller and not self.config.option.collectonly:
            # before any worker starts: the charts the deployment report shows will all be this run's
            charts.clear(self.reports_dir)
        if not self.active or self.results_dir is None:
            return
        self.swap.install()
        if not self.is_controller or self.config.option.collectonly:
            return
        try:
            self._start_results(self.results_dir)
        except OSError as exc:  # the disk filled up since configure checked it: NO-GO, not INTERNALERROR
            self._write_failed(exc)

    def _start_results(self, results_dir: Path) -> None:
        if self.clean:
            clean_folder(results_dir)
            history.seed_history(self.history_store, results_dir)
        results_dir.mkdir(parents=True, exist_ok=True)
        assert self.context.loaded is not None
        ran_by = executor.detect_executor(
            os.environ,
            previous_order=history.previous_build_order(self.history_store),
            report_name=f"gonogo {self.context.loaded.name}",
        )
        executor.write_executor(results_dir, ran_by)
        categories.write_categories(
            results_dir, categories.project_categories(self.context.settings.reports_root)
        )
        self._write_environment()

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not self.active or self.context.loaded is None:
            return
        for item in items:
            add_labels(item, self.context.loaded.name)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.observed_version is not None:
            return
        for key, value in report.user_properties:
            if not (key == FINDING_PROPERTY and isinstance(value, dict)):
                continue
            if value.get("name") == FINDING_VERSION and value.get("value") is not None:
                self.observed_version = str(value["value"])

    @pytest.hookimpl(tryfirst=True)
    def pytest_gonogo_verdict(
        self,
        config: pytest.Config,
        verdict: Verdict,
        results: list[CheckResult],
        document: dict[str, Any],
    ) -> None:
        # tryfirst: a user's implementation that raises stops the later ones, never this one
        self.gate = document
        # the gate wrote the deployment report just before calling: this run's, no need to guess by age
        report = self.reports_dir / DEPLOYMENT_REPORT
        self.gate_files = [RunFile.text(GATE_FILE, gate_json.dumps(document))]
        if report.is_file():
            self.gate_files.append(RunFile(DEPLOYMENT_REPORT, report.read_bytes()))
        # the charts the report shows, one click from the verdict (cleared at sessionstart: this run's)
        self.gate_files += [RunFile(c.path.name, c.path.read_bytes()) for c in charts.found(self.reports_dir)]
        if self.is_controller and self.active and not self.config.option.collectonly:
            # now, before the gate delivers the verdict: a bundle that cannot be written makes it NO-GO
            self.finish()

    @pytest.hookimpl(wrapper=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, None, None]:
        # a wrapper: the code after ``yield`` runs once every implementation (the gate's included,
        # which judges with trylast and hands its document over) has run
        try:
            return (yield)
        finally:
            if (
                self.is_controller
                and self.active
                and not self.finished
                and not self.config.option.collectonly
            ):
                self.finish()

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # the session never reached sessionfinish (the target never started): the gate judges the run
        # in its own pytest_unconfigure and hands its document over; attach it
        try:
            if self.is_controller and self.active and not self.finished and not config.option.collectonly:
                self.finish()
        finally:
            self.swap.uninstall()

    # -- work -------------------------------------------------------------------------------------

    def finish(self) -> None:
        self.finished = True
        if self.results_dir is None:
            return
        try:
            self._finish_results(self.results_dir)
        except OSError as exc:
            self._write_failed(exc)

    def _finish_results(self, results_dir: Path) -> None:
        results_dir.mkdir(parents=True, exist_ok=True)
        self._write_environment()
        if self.gate is not None:
            assert self.context.loaded is not None
            report = next((f for f in self.gate_files if f.name == DEPLOYMENT_REPORT), None)
            markdown = report.body.decode("utf-8", "replace") if report else ""
            attach_run_files(
                results_dir,
                self.gate,
                self.gate_files,
                description=markdown,
                # rendered, not flattened: headings, lists, the charts inline
                description_html=deployment_html.to_html(markdown, folder=self.reports_dir)
                if markdown
                else None,
                environment=self.context.loaded.name,
                scrub=self.context.redactor.text,
            )
        sweep(results_dir, self.context.redactor)

    def _write_environment(self) -> None:
        assert self.results_dir is not None
        gate = self.gate or {}
        run = gate.get("run") or {}
        metrics = gate.get("metrics") or {}
        commit = run.get("git_commit") or _git_commit(self.config.rootpath)
        workers = getattr(self.config.option, "numprocesses", 0)
        rows = environment_rows(
            self.context,
            observed_version=self.observed_version or metrics.get("observed_version"),
            git_commit=commit,
            workers=workers if isinstance(workers, int) else 0,
        )
        properties.update_environment(self.results_dir, rows, self.context.redactor.text)


def add_labels(item: pytest.Item, environment: str) -> None:
    """Behaviors tree: environment > stage > check family; severity from the gate marker.

    Labels a check sets itself (``@allure.epic(...)`` and friends) win.
    """
    import allure
    from allure_pytest.utils import allure_label  # type: ignore[import-untyped]

    gate_marker = item.get_closest_marker("gate")
    stage = stage_of_item(item.user_properties)
    wanted = {
        "epic": environment,
        "feature": stage,
        "story": check_family(item.path),
        "severity": severity_of(gate_marker.kwargs if gate_marker is not None else None),
    }
    for label_type, value in wanted.items():
        if value is None or allure_label(item, label_type):
            continue
        marker = allure.label(label_type, value)  # type: ignore[no-untyped-call]
        if marker is not None:  # None when allure-pytest's helper is not registered
            item.add_marker(marker)


def _git_commit(root: Path) -> str | None:
    from gonogo.plugin.gate import git_commit

    return git_commit(root)


class _XdistHooks:
    """Hands the controller's results folder to every worker: one folder, whatever each one's cwd."""

    def __init__(self, extras: AllureExtras) -> None:
        self._extras = extras

    def pytest_configure_node(self, node: Any) -> None:
        if self._extras.results_dir is not None:
            node.workerinput[WORKER_RESULTS_DIR] = str(self._extras.results_dir)

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        # before the gate judges (a crashed worker sends nothing; the gate counts it as crashed)
        handed = (getattr(node, "workeroutput", None) or {}).get(WORKER_WRITE_ERRORS) or []
        self._extras.context.report_write_errors.extend(str(text) for text in handed)


class _WorkerHandBack:
    """In a worker: what it could not write goes back to the controller with the worker's output.

    A plain ``pytest_sessionfinish``, so it runs inside pytest-xdist's wrapper, before the worker's
    output is sent."""

    def __init__(self, context: RunContext, config: pytest.Config) -> None:
        self._context = context
        self._config = config

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._context.report_write_errors:
            output = self._config.workeroutput  # type: ignore[attr-defined]
            output[WORKER_WRITE_ERRORS] = list(self._context.report_write_errors)
