"""``gonogo report``: the landing page, Allure's report (folder and one file, same links), the trends.

    reports/<env>/allure-results/      written by the run (allure-pytest + gonogo's extras)
    reports/<env>/report/index.html    the landing page: the verdict first (gonogo.reporting.landing)
    reports/<env>/report/allure/       Allure's report as a folder (serve it over HTTP)
    reports/<env>/report/allure.html   the same report in one file, built from the folder: same ids
    reports/<env>/history/             the trends so far (Allure's and gonogo's verdicts)

The generator is the jar inside the npm package (``npm ci`` at the project root installs the version
pinned in package-lock.json; it needs Java 17+). It runs once, with ``ALLURE_NO_ANALYTICS=true``, so
neither the generator nor the HTML it writes contacts anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.errors import GonogoError
from gonogo.reporting import allure_links, deployment_html, landing, verdicts
from gonogo.reporting.allure_files import EXECUTOR_FILE, count_results
from gonogo.reporting.files import write_atomic
from gonogo.reporting.history import keep_history
from gonogo.reporting.layout import (
    ALLURE_DIR,
    ALLURE_SINGLE_FILE,
    DEPLOYMENT_REPORT,
    GATE_FILE,
    HISTORY_STORE,
    LANDING_PAGE,
    REPORT_DIR,
    RESULTS_DIR,
)
from gonogo.reporting.single_file import bundle

ALLURE_PACKAGE = "allure-commandline"
#: the generator's own launcher script inside the npm package (no Node needed to run it)
LAUNCHER = Path("node_modules") / ALLURE_PACKAGE / "dist" / "bin" / "allure"
DEFAULT_TIMEOUT_S = 300.0


class ReportError(GonogoError):
    """The report cannot be rendered; the message says why and what to do."""


@dataclass(frozen=True)
class Rendered:
    #: reports/<env>/report/: the landing page, Allure's report in both forms, each run's gate.json
    report_dir: Path
    landing: Path
    single_file: Path
    allure_dir: Path
    results: int
    seconds: float
    history_kept: bool
    verdict: str | None


def find_generator(search_from: Sequence[Path], environ: Mapping[str, str] = os.environ) -> Path:
    """``$GONOGO_ALLURE``, else ``node_modules/allure-commandline`` in one of the folders or their parents."""
    explicit = environ.get("GONOGO_ALLURE")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ReportError(f"GONOGO_ALLURE={explicit}: no such file (point it at allure's bin/allure)")
        return path
    seen: list[Path] = []
    for start in search_from:
        for folder in (start.resolve(), *start.resolve().parents):
            if folder in seen:
                continue
            seen.append(folder)
            if (folder / LAUNCHER).is_file():
                return folder / LAUNCHER
    with_package = next((f for f in seen if (f / "package.json").is_file()), None)
    where = f" in {with_package}" if with_package else " at the project root (beside package.json)"
    raise ReportError(
        f"the Allure generator is not installed: run `npm ci`{where}; it installs the pinned "
        f"{ALLURE_PACKAGE} from package-lock.json into node_modules/ (it needs Java 17+: "
        f"`apt-get install openjdk-17-jre-headless`). Or set GONOGO_ALLURE to an allure launcher."
    )


def require_java(environ: Mapping[str, str], *, then: str = "") -> None:
    """Raise ReportError unless ``java`` is under JAVA_HOME or on PATH; ``then`` ends its fix."""
    java_home = environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return
    if shutil.which("java", path=environ.get("PATH")) is None:
        raise ReportError(
            "the Allure 2 generator needs Java 17+ and `java` is not on PATH (nor JAVA_HOME set): "
            f"install it, e.g. `apt-get install openjdk-17-jre-headless`{then}"
        )


def generator_environ(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    env = dict(environ)
    # without it the generator embeds a Google Analytics tag in the HTML and the report calls home
    env["ALLURE_NO_ANALYTICS"] = "true"
    return env


def _generate(
    generator: Path, results: Path, output: Path, *, name: str, env: dict[str, str], timeout_s: float
) -> None:
    command = [str(generator), "generate", str(results), "-o", str(output), "--clean", "--name", name]
    try:
        completed = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise ReportError(
            f"the Allure generator did not finish within {timeout_s:g} s: {' '.join(command)}"
        ) from None
    except OSError as exc:
        raise ReportError(f"cannot run the Allure generator {generator}: {exc.strerror or exc}") from None
    if completed.returncode != 0 or not (output / "index.html").is_file():
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise ReportError(f"the Allure generator failed (exit {completed.returncode}) on {results}:\n{tail}")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def next_step(markdown_text: str) -> str:
    """The first of the deployment report's NEXT STEPS (the banner says it)."""
    lines = markdown_text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("###") and "NEXT STEPS" in line:
            following = next((item for item in lines[index + 1 :] if item.startswith("- ")), "")
            return deployment_html.without_emoji(following[2:]).replace("`", "")
    return ""


def render(
    env_reports_dir: Path,
    *,
    generator: Path,
    name: str,
    environ: Mapping[str, str] = os.environ,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Rendered:
    """Render ``<env_reports_dir>/allure-results`` into ``<env_reports_dir>/report/``."""
    started = time.monotonic()
    results = env_reports_dir / RESULTS_DIR
    count = count_results(results)
    if count == 0:
        raise ReportError(
            f"no Allure results in {results}: run the checks first (`pytest --env {env_reports_dir.name}`)"
        )
    env = generator_environ(environ)
    require_java(env)
    report_dir = env_reports_dir / REPORT_DIR
    allure_dir = report_dir / ALLURE_DIR
    _generate(generator, results, allure_dir, name=name, env=env, timeout_s=timeout_s)
    store = env_reports_dir / HISTORY_STORE
    kept = keep_history(allure_dir, store)
    single = report_dir / ALLURE_SINGLE_FILE
    bundle(allure_dir, single)

    gate_path = env_reports_dir / GATE_FILE
    gate = _read_json(gate_path)
    executor = _read_json(results / EXECUTOR_FILE) or {}
    order = executor.get("buildOrder")
    if gate is not None and isinstance(order, int):
        runs = verdicts.record(store, gate, gate_path.read_text(encoding="utf-8"), order)
    else:
        runs = verdicts.load(store)
    shutil.rmtree(report_dir / verdicts.RUNS_DIR, ignore_errors=True)
    verdicts.copy_runs(store, runs, report_dir)
    if gate is not None:
        shutil.copyfile(gate_path, report_dir / GATE_FILE)

    checks = [str(c.get("nodeid")) for c in (gate or {}).get("checks") or [] if isinstance(c, dict)]
    links = allure_links.check_links(checks, allure_dir, ALLURE_SINGLE_FILE)
    markdown_path = env_reports_dir / DEPLOYMENT_REPORT
    markdown_text = markdown_path.read_text(encoding="utf-8") if markdown_path.is_file() else ""
    fragment = (
        deployment_html.to_html(markdown_text, folder=env_reports_dir, links=links) if markdown_text else ""
    )
    page = landing.render(
        gate,
        deployment_html=fragment,
        runs=runs,
        links=landing.Links(
            allure_single=ALLURE_SINGLE_FILE,
            allure_folder=f"{ALLURE_DIR}/index.html",
            gate=GATE_FILE if gate is not None else None,
            markdown=f"../{DEPLOYMENT_REPORT}" if markdown_text else None,
            checks=links,
        ),
        next_step=next_step(markdown_text),
    )
    landing_path = report_dir / LANDING_PAGE
    write_atomic(landing_path, page)
    return Rendered(
        report_dir,
        landing_path,
        single,
        allure_dir,
        count,
        time.monotonic() - started,
        kept,
        str(gate.get("verdict")) if gate is not None else None,
    )


def environments_with_results(reports_root: Path) -> list[str]:
    if not reports_root.is_dir():
        return []
    return sorted(path.name for path in reports_root.iterdir() if count_results(path / RESULTS_DIR))
